/**
 * Follow-ups split-role cannot see done. A `manual-service` follow-up (a
 * CodeBuild project, a Glue job, … still on the shared role) is invisible to
 * retire's live check, so retire waits until the operator confirms each one
 * (`apply --confirm-manual ID`, or a yes on a terminal); the confirmation is
 * journaled. Follow-ups the workload adapters can re-check (launch
 * templates, Auto Scaling groups, published versions, tasks) block retire
 * through that check instead, for as long as it finds them.
 */
import { usageError } from '../core/errors.js';
import type { FollowUp, Plan } from '../plan/schema.js';
import type { Journal } from './journal.js';

/** The id an operator confirms a manual follow-up by: its resource (the service principal). */
export function manualFollowUpId(followUp: FollowUp): string {
  return followUp.resource;
}

/** The plan's follow-ups only the operator can close. */
export function manualFollowUps(plan: Plan): FollowUp[] {
  return plan.followUps.filter((f) => f.kind === 'manual-service');
}

/** The manual follow-ups the journal shows no confirmation for. */
export function openManualFollowUps(plan: Plan, journal: Journal): FollowUp[] {
  const confirmed = journal.confirmedFollowUps();
  return manualFollowUps(plan).filter((f) => !confirmed.has(manualFollowUpId(f)));
}

/** Refuses (exit 2, before any change) a --confirm-manual id the plan has no manual follow-up for. */
export function checkConfirmations(plan: Plan, ids: readonly string[]): void {
  const known = new Set(manualFollowUps(plan).map(manualFollowUpId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw usageError(
      `--confirm-manual ${unknown.join(', ')}: the plan has no manual follow-up with that id`,
      known.size > 0 ? `its manual follow-ups are: ${[...known].join(', ')}` : 'this plan has no manual follow-ups',
    );
  }
}

/** Journals each confirmation not journaled before. */
export function recordConfirmations(journal: Journal, ids: Iterable<string>): void {
  const confirmed = journal.confirmedFollowUps();
  for (const id of ids) if (!confirmed.has(id)) journal.append({ event: 'follow-up-confirmed', followUp: id });
}

/** One line per open manual follow-up: its id and what to do. */
export function describeOpen(open: readonly FollowUp[]): string[] {
  return open.map((f) => `${manualFollowUpId(f)}: ${f.message}`);
}
