/**
 * The review's words for what was decided and what the evidence could not
 * see: the decisions named by what they keep and drop (never just "chosen"),
 * and the blind spots grouped by reason, so each reason is listed once
 * however many roles share it.
 */
import { markdownCode as code, markdownText as text } from '../core/escape.js';
import type { Plan, PlannedRole } from './schema.js';

/** One reason the evidence cannot see some granted actions, with those actions. */
export interface BlindSpotGroup {
  reason: string;
  actions: string[];
}

/** The plan's blind spots grouped by reason (each reason once, its actions sorted). */
export function blindSpotGroups(plan: Plan): BlindSpotGroup[] {
  const groups = new Map<string, Set<string>>();
  const add = (reason: string, action: string) => groups.set(reason, (groups.get(reason) ?? new Set()).add(action));
  for (const role of plan.newRoles) for (const u of role.unobservable) add(u.reason, u.action);
  // The evidence's list also covers services that got no role (excluded): "action: reason".
  for (const line of plan.evidence.blindSpots) {
    const at = line.indexOf(': ');
    if (at > 0) add(line.slice(at + 2), line.slice(0, at));
  }
  return [...groups]
    .map(([reason, actions]) => ({ reason, actions: [...actions].sort() }))
    .sort((a, b) => a.reason.localeCompare(b.reason));
}

/** A short name for a reason group: "data events for dynamodb", "never-logged logs". */
export function groupLabel(group: BlindSpotGroup): string {
  const prefixes = [...new Set(group.actions.map((a) => a.split(':')[0] ?? a))].join(', ');
  return group.reason.startsWith('data event') ? `data events for ${prefixes}` : `never-logged ${prefixes}`;
}

/** "keep data events for dynamodb; drop never-logged xray": what the unobservable decision did, by group. */
export function unobservableDecision(plan: Plan): string {
  const keep: string[] = [];
  const drop: string[] = [];
  const some: string[] = [];
  for (const group of blindSpotGroups(plan)) {
    const entries = plan.newRoles.flatMap((r) => r.unobservable.filter((u) => u.reason === group.reason));
    if (entries.length === 0) continue;
    const kept = entries.filter((u) => u.kept).length;
    const label = groupLabel(group);
    if (kept === entries.length) keep.push(label);
    else if (kept === 0) drop.push(label);
    else some.push(`${label} (${kept} of ${entries.length})`);
  }
  const parts = [
    keep.length > 0 ? `keep ${keep.join(', ')}` : '',
    some.length > 0 ? `keep some ${some.join(', ')}` : '',
    drop.length > 0 ? `drop ${drop.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : 'nothing unseen';
}

/** "kms:Decrypt to lambda; drop s3:GetObject": what became of the calls no service could be tied to. */
export function unattributedDecision(plan: Plan): string {
  if (plan.unattributed.length === 0) return 'none';
  if (plan.decisions.unattributed !== 'chosen') return `${plan.decisions.unattributed} (${plan.unattributed.length} actions)`;
  return plan.unattributed
    .map(
      (u) =>
        `${u.action} ${u.grantedTo.length > 0 ? `to ${u.grantedTo.map((s) => s.replace(/\.amazonaws\.com$/, '')).join(', ')}` : 'to nobody'}`,
    )
    .join('; ');
}

/** The header's decisions line. */
export function decisionsLine(plan: Plan): string {
  const parts = [`unattributed: ${unattributedDecision(plan)}`, `unobservable: ${unobservableDecision(plan)}`];
  if (plan.decisions.noEvidence) parts.push(`services without activity: ${plan.decisions.noEvidence}`);
  if (plan.decisions.unmapped) parts.push(`unmapped events: ${plan.decisions.unmapped}`);
  return `- Decisions: ${text(parts.join(' · '))}`;
}

/** One role's unseen grants in two lines (kept, dropped); the reasons are under "Blind spots", once. */
export function roleUnobservableLines(role: PlannedRole): string[] {
  if (role.unobservable.length === 0) return [];
  const list = (kept: boolean) =>
    role.unobservable
      .filter((u) => u.kept === kept)
      .map((u) => `${code(u.action)}${u.baseline ? ' (baseline)' : ''}`)
      .join(', ') || 'none';
  return [`Unseen grants **kept**: ${list(true)}`, '', `Unseen grants **dropped**: ${list(false)}`, ''];
}

/** The blind-spot section's body: each reason once, with its actions. */
export function blindSpotLines(plan: Plan): string[] {
  const groups = blindSpotGroups(plan);
  if (groups.length === 0) return ['None.'];
  return groups.map((g) => `- ${text(g.reason)}: ${g.actions.map(code).join(', ')}`);
}
