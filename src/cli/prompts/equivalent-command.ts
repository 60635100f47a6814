/**
 * The non-interactive `plan` command that repeats a prompted run in CI: the
 * flags typed, plus one flag per answer. Answers no flag can say (one
 * action to one service, a workload left behind) are listed beside it.
 */
import type { PlanDecisions } from '../../plan/builder.js';
import { serviceSuffix } from '../../plan/role-names.js';
import type { SplitAnalysis } from '../../plan/split-analysis.js';

/** The command and what it cannot repeat. */
export interface EquivalentCommand {
  command: string;
  notRepeated: string[];
}

/** Quotes one argument for a POSIX shell when it needs it. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The flags the person's answers stand for, after the ones typed (`typed`, without `--role`s, which are given here). */
export function equivalentCommand(
  typed: readonly string[],
  roleName: string,
  analysis: Pick<SplitAnalysis, 'units' | 'unattributed'>,
  decisions: PlanDecisions,
): EquivalentCommand {
  const args = ['split-role', 'plan', ...withoutRoles(typed), '--role', roleName, '--yes'];
  const notRepeated: string[] = [];
  const has = (flag: string) => typed.some((a) => a === flag || a.startsWith(`${flag}=`));
  const add = (flag: string, value: string | undefined) => {
    if (value !== undefined && !has(flag)) args.push(flag, value);
  };
  const { unattributed, unobservable } = decisions;
  if (typeof unattributed === 'string') add('--unattributed', unattributed);
  else if (Object.keys(unattributed).length > 0) {
    const all = analysis.units.length;
    const lists = Object.values(unattributed);
    if (lists.every((l) => l.length === all)) add('--unattributed', 'grant-all');
    else {
      add('--unattributed', 'drop');
      const given = Object.entries(unattributed).filter(([, units]) => units.length > 0);
      if (given.length > 0)
        notRepeated.push(`unattributed actions given to some services: ${given.map(([a, u]) => `${a} → ${u.join(', ')}`).join('; ')}`);
    }
  }
  if (typeof unobservable === 'string') add('--unobservable', unobservable);
  else if (Object.keys(unobservable).length > 0) {
    const units = analysis.units.filter((u) => u.unobservable.length > 0);
    const kept = (u: (typeof units)[number]) => new Set(unobservable[u.key] ?? []);
    const allKept = units.every((u) => u.unobservable.every((b) => kept(u).has(b.action)));
    // --unobservable drop still keeps the baselines (--baselines keep is the default).
    const onlyBaselines = units.every((u) => u.unobservable.every((b) => kept(u).has(b.action) === Boolean(b.baseline)));
    if (allKept) add('--unobservable', 'keep');
    else if (onlyBaselines) add('--unobservable', 'drop');
    else {
      add('--unobservable', 'keep');
      notRepeated.push('unseen grants kept per group or action (the command keeps them all; the plan file holds your choice)');
    }
  }
  add('--unmapped', decisions.unmapped);
  add('--without-evidence', decisions.noEvidence);
  for (const unit of analysis.units) {
    const name = decisions.roleNames?.[unit.key];
    if (name) args.push('--name', `${serviceSuffix(unit.service)}=${name}`);
  }
  for (const [key, value] of Object.entries(decisions.addedTags ?? {}))
    if (!typed.includes(`${key}=${value}`)) args.push('--tag', `${key}=${value}`);
  if ((decisions.stayOnShared ?? []).length > 0)
    notRepeated.push(`workloads left on the shared role: ${(decisions.stayOnShared ?? []).join(', ')} (no flag: the command moves them)`);
  return { command: args.map(shellQuote).join(' '), notRepeated };
}

/** The typed arguments without any --role (the command names the one role it plans). */
function withoutRoles(typed: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < typed.length; i += 1) {
    const arg = typed[i] as string;
    if (arg === '--role') i += 1;
    else if (!arg.startsWith('--role=')) out.push(arg);
  }
  return out;
}
