/**
 * The interactive half of `plan`: the questions a reviewer answers on a TTY.
 * Flags given on the command line pre-empt their question.
 */
import { checkbox, confirm, input, select } from '@inquirer/prompts';
import { tagProblem } from '../../core/tags.js';
import { terminalSafe, visibleControls } from '../../core/escape.js';
import type { PlanDecisions } from '../../plan/builder.js';
import type { DecisionFlags } from '../../plan/decisions.js';
import { proposeRoleName, roleNameProblem, serviceSuffix } from '../../plan/role-names.js';
import { requiredDecisions, type SplitAnalysis, type ServiceUnit } from '../../plan/split-analysis.js';
import type { ScanFinding } from '../../scan/report.js';
import { workloadAdapters } from '../../workloads/registry.js';

/** Step 1: which shared roles to plan. */
export async function pickRoles(findings: ScanFinding[]): Promise<string[]> {
  const splittable = findings.filter((f) => f.kinds.includes('multi-service'));
  if (splittable.length === 0) return [];
  return checkbox({
    message: 'Which shared roles should be split?',
    choices: splittable.map((f) => ({ name: visibleControls(`${f.roleName}  (${f.services.join(', ')})`), value: f.roleName })),
    required: true,
  });
}

/** Step 2: confirm each service's workloads. False means "do not plan this role". */
export async function confirmWorkloads(analysis: SplitAnalysis): Promise<boolean> {
  const found = analysis.workloads as Record<string, unknown>;
  const lines = workloadAdapters().map((adapter) => `${adapter.title}: ${adapter.listMovable(found[adapter.id]).join(', ') || 'none'}`);
  process.stderr.write(terminalSafe(`\nWorkloads using ${analysis.shared.roleName}:\n  ${lines.join('\n  ')}\n`));
  return confirm({ message: 'Are these the workloads to move?', default: true });
}

/** Steps 3 and 4: the unattributed and unobservable actions, idle services, and names. */
export async function askDecisions(analysis: SplitAnalysis, flags: DecisionFlags, taken: ReadonlySet<string>): Promise<PlanDecisions> {
  const decisions: PlanDecisions = {
    unattributed: flags.unattributed ?? (await askUnattributed(analysis)),
    unobservable: flags.unobservable ?? (await askUnobservable(analysis.units)),
  };
  if (requiredDecisions(analysis).unmapped) {
    const rows = analysis.unmapped.map((r) => `${r.eventSource} ${r.eventName} (${r.count}× by ${r.services.join(', ')})`);
    process.stderr.write(`\nEvents that map to no IAM action the catalog knows:\n  ${rows.join('\n  ')}\n`);
    decisions.unmapped =
      flags.unmapped ??
      (await select({
        message: 'What should the services that made them get?',
        choices: [
          { name: "every action of the event's service that the shared role granted", value: 'keep' as const },
          { name: 'nothing: the calls may fail after the split', value: 'drop' as const },
        ],
      }));
  }
  if (analysis.units.some((u) => u.noEvidence)) {
    decisions.noEvidence =
      flags.withoutEvidence ??
      (await select({
        message: `No activity at all for ${analysis.units.filter((u) => u.noEvidence).map((u) => u.service).join(', ')}. What should those services get?`,
        choices: [
          { name: 'a new role with no permissions beyond the decisions above', value: 'empty' as const },
          { name: 'nothing: keep them on the shared role (it will not be retired)', value: 'exclude' as const },
        ],
      }));
  }
  decisions.roleNames = await askNames(analysis, taken);
  return decisions;
}

async function askUnattributed(analysis: SplitAnalysis): Promise<PlanDecisions['unattributed']> {
  const chosen: Record<string, string[]> = {};
  for (const [action, use] of analysis.unattributed.actions) {
    chosen[action] = await checkbox({
      message: `${visibleControls(action)} was called ${use.count}× by sessions no service could be tied to. Which services need it?`,
      choices: analysis.units.map((u) => ({ name: u.service, value: u.key })),
    });
  }
  return chosen;
}

/**
 * Unobservable grants, grouped by reason: one choice per group (baselines
 * pre-selected), then, if asked, single actions within the groups.
 */
async function askUnobservable(units: ServiceUnit[]): Promise<PlanDecisions['unobservable']> {
  const chosen: Record<string, string[]> = {};
  for (const unit of units) {
    if (unit.unobservable.length === 0) continue;
    const groups = new Map<string, ServiceUnit['unobservable']>();
    // A baseline's group is its runtime need, whatever else each action's reason says.
    for (const u of unit.unobservable) {
      const group = u.baseline ? (u.reason.split(';')[0] as string) : u.reason;
      groups.set(group, [...(groups.get(group) ?? []), u]);
    }
    const picked = await checkbox({
      message: `Granted actions the evidence cannot see, by reason. Which does ${unit.service} need?`,
      choices: [...groups].map(([reason, actions]) => ({
        name: visibleControls(`${reason} (${actions.length}: ${actions.map((a) => a.action).join(', ')})`),
        value: reason,
        checked: actions.every((a) => a.baseline),
      })),
    });
    const expand = await confirm({ message: `Pick single actions within these groups for ${unit.service}?`, default: false });
    const kept: string[] = [];
    for (const [reason, actions] of groups) {
      const inGroup = expand
        ? await checkbox({
            message: visibleControls(`${reason}: which actions does ${unit.service} need?`),
            choices: actions.map((a) => ({ name: visibleControls(a.action), value: a.action, checked: picked.includes(reason) })),
          })
        : picked.includes(reason) ? actions.map((a) => a.action) : [];
      kept.push(...inGroup);
    }
    chosen[unit.key] = kept;
  }
  return chosen;
}

async function askNames(analysis: SplitAnalysis, taken: ReadonlySet<string>): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const used = new Set(taken);
  for (const unit of analysis.units) {
    const proposal = proposeRoleName(analysis.shared.roleName, unit.service, used);
    const name = await input({
      message: `Name of the new ${serviceSuffix(unit.service)} role`,
      default: proposal,
      validate: (value) => roleNameProblem(value) ?? (used.has(value) ? `${value} already exists` : true),
    });
    used.add(name);
    names[unit.key] = name;
  }
  return names;
}

/** Required tags the shared role lacks: one question per key, for every new role. */
export async function askTags(roleName: string, missing: readonly string[]): Promise<Record<string, string>> {
  process.stderr.write(`\n${roleName} lacks the required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the new roles get the values given here.\n`);
  const answers: Record<string, string> = {};
  for (const key of missing) {
    answers[key] = await input({
      message: `Value of tag ${key} on the new roles`,
      validate: (value) => (value.trim() === '' ? 'a required tag needs a value' : (tagProblem(key, value.trim()) ?? true)),
    }).then((value) => value.trim());
  }
  return answers;
}

/** Step 6: write it? */
export async function confirmWrite(path: string): Promise<boolean> {
  return confirm({ message: `Write the plan to ${path}?`, default: true });
}
