/** `split-role plan`: thin wiring from flags and prompts to the plan library. */
import { join } from 'node:path';
import { refuseUnsafePlanOut } from '../../apply/plan-out.js';
import { validateAccountId } from '../../aws/assume-role.js';
import { reportLongRetries } from '../../aws/retry-budget.js';
import { openSessionProvider } from '../../aws/session.js';
import { ExitCode, SplitRoleError, usageError } from '../../core/errors.js';
import type { IoHost } from '../../core/io-host.js';
import { missingRequiredTags, parseTagFlags, parseTagKeys, refuseChangedTags } from '../../core/tags.js';
import { onInterrupt } from '../../core/interrupt.js';
import { EvidenceCache, evidenceCacheDir } from '../../evidence/evidence-cache.js';
import { planEvidenceSettings } from '../../evidence/settings.js';
import { usageSource, usageSources } from '../../evidence/sources.js';
import type { PlanDecisions } from '../../plan/builder.js';
import { decisionsFromFlags, type DecisionFlags } from '../../plan/decisions.js';
import { refuseEarlyDecisionGaps } from '../../plan/early-decisions.js';
import { collectPlanFacts, finalisePlan, PlanReads, savePlan } from '../../plan-run/make-plan.js';
import { readOwnershipSources, withOwnership } from '../../plan-run/ownership.js';
import { describeOwner, isIacOwned } from '../../iac/ownership-schema.js';
import type { Plan } from '../../plan/schema.js';
import { parseRegionList, resolveRegions } from '../../aws/regions.js';
import type { ResourcePolicyMode } from '../../resource-policy/discover.js';
import { finaliseWithinQuotas, type ResourcePolicyTooLargeError } from '../../resource-policy/grown-size.js';
import type { GrantBy } from '../../resource-policy/plan-schema.js';
import { scanAccount } from '../../scan/scan-account.js';
import type { GlobalOptions } from '../global-options.js';
import { parseRoleRef, refuseOtherAccountRoles } from '../role-flag.js';
import { parseSince } from '../since.js';
import { equivalentCommand } from '../prompts/equivalent-command.js';

/** Flags of `plan`. */
export interface PlanCommandOptions extends GlobalOptions, DecisionFlags {
  roles: string[];
  yes?: boolean;
  out?: string;
  /** --evidence: a registered source (default: the first); its own flags ride along in this object, read by the source. */
  evidence?: string;
  since: string;
  account?: string;
  assumeRole?: string;
  externalId?: string;
  /** `KEY=VALUE` tags for the new roles (repeatable). */
  tags: string[];
  /** Comma-separated tag keys every new role must carry. */
  requireTags?: string;
  resourcePolicies: ResourcePolicyMode;
  /** --grant-by: how the new roles get their place in resource policies (default resource). */
  grantBy?: GrantBy;
  /** --per-workload: a role per workload where one service has several. */
  perWorkload?: boolean;
  /** --regions a,b: the regions the plan covers (checked against the account's). */
  regions?: string;
  /** --terraform-state FILE|s3://bucket/key (repeatable): states that may own the plan's resources. */
  terraformState?: string[];
  /** One JSON document on stdout listing the plans written, instead of their paths. */
  json?: boolean;
  /** --evidence-cache DIR, or false for --no-evidence-cache. */
  evidenceCache?: string | boolean;
}

/** Writes one plan per chosen role; returns the exit code. */
export async function runPlan(options: PlanCommandOptions, io: IoHost): Promise<number> {
  const interactive = io.interactive;
  validateFlags(options, interactive);
  // --role takes names or ARNs; an ARN's account is checked against the credentials' once they are known.
  const roleRefs = options.roles.map(parseRoleRef);
  // The source's own flags are checked before --since. A person at a terminal may accept corrupt trail files; unattended runs may not.
  const terminal = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  const settings = planEvidenceSettings(options.evidence ?? usageSources()[0]!.name, options, terminal);
  const evidence = { ...settings, window: { start: parseSince(options.since), end: new Date() } };
  if (options.out) refuseUnsafePlanOut(options.out);
  if (options.account) validateAccountId(options.account);
  const givenTags = parseTagFlags(options.tags);
  const requiredTags = parseTagKeys(options.requireTags, '--require-tags');
  const written: Array<{ path: string; review: string; digest: string; role: string; newRoles: string[]; workloads: number }> = [];
  const cache = openEvidenceCache(options, terminal, io);
  const releaseCache = cache && onInterrupt(() => keptNote(cache));
  const provider = await openSessionProvider({ ...options, onRetry: reportLongRetries(io) });
  try {
    // A member account is reached (or refused, exit 2) before anything else is read.
    const session = options.account ? await provider.forTarget({ account: options.account }) : provider.home;
    const reads = new PlanReads(session, io, cache);
    if (options.account || roleRefs.some((r) => r.account)) refuseOtherAccountRoles(roleRefs, (await reads.callerIdentity()).account);
    const prompts = interactive ? await import('../prompts/plan-prompts.js') : undefined;
    let roles = roleRefs.map((r) => r.name);
    if (roles.length === 0 && prompts) {
      const report = await scanAccount(session, io);
      roles = await prompts.pickRoles(io, report.findings);
      if (roles.length === 0) {
        io.info('SR_PLAN_I2004', 'No shared role to split.');
        return ExitCode.ok;
      }
    }
    // Every enabled region unless --regions says which; an unknown or disabled one is refused before anything is read about the role.
    const regions = await resolveRegions(session, options.regions ? parseRegionList(options.regions) : undefined);
    io.progress('SR_PLAN_P2011', `regions: ${regions.join(', ')}`, { regions });
    // Who owns what (stacks, states) is read once for every role planned, while the first role's evidence is read
    // (the stacks are one more sweep of the regions); a state for another account is refused as soon as it is read.
    const ownershipRead = readOwnershipSources(session, io, {
      regions,
      account: (await reads.callerIdentity()).account,
      terraformStates: options.terraformState ?? [],
    });
    // Awaited with each role's facts below; this only keeps an early refusal from counting as unhandled meanwhile.
    ownershipRead.catch(() => undefined);
    const idle: SplitRoleError[] = [];
    for (const roleName of roles) {
      const read = await Promise.all([
        collectPlanFacts(reads, roleName, evidence, {
          resourcePolicies: options.resourcePolicies,
          regions,
          vetShared: (shared, trust) => {
            refuseChangedTags(roleName, shared.tags, givenTags);
            if (prompts) return;
            // Without prompts every decision comes from flags: what the role alone shows is checked before the evidence is read.
            refuseMissingTags(roleName, missingRequiredTags(shared.tags, requiredTags, givenTags));
            refuseEarlyDecisionGaps(shared, trust, options, {
              source: settings.source,
              visibility: usageSource(settings.source).visibility,
            });
          },
        }),
        ownershipRead,
      ]).catch((error: unknown) => {
        // At the prompt, one role without activity does not stop the others picked with it.
        if (!prompts || roles.length === 1 || !(error instanceof SplitRoleError) || error.code !== 'NoEvidence') throw error;
        io.warn('SR_PLAN_W2016', `Skipped ${roleName}: ${error.message}; the other roles go on`, { role: roleName });
        idle.push(error);
        return undefined;
      });
      if (!read) continue;
      const [facts, ownership] = read;
      const path = options.out ?? join('plans', `${roleName}.plan.json`);
      refuseUnsafePlanOut(path);
      const made = prompts
        ? await steerPlan(io, prompts, facts, ownership, { options, roleName, path, requiredTags, givenTags })
        : await makePlan(facts, ownership, decisionsFromFlags(facts.analysis, options), options, givenTags, {}, io);
      if (!made) continue;
      const { plan } = made;
      warnIacOwned(io, plan);
      const review = await savePlan(plan, path);
      io.info(
        'SR_PLAN_I2007',
        `Wrote ${path} and ${review}: ${plan.newRoles.map((r) => r.roleName).join(', ')}; ${plan.workloads.length} workloads move.`,
        {
          path,
          review,
          newRoles: plan.newRoles.map((r) => r.roleName),
          workloads: plan.workloads.length,
        },
      );
      if (options.json)
        written.push({
          path,
          review,
          digest: plan.digest,
          role: roleName,
          newRoles: plan.newRoles.map((r) => r.roleName),
          workloads: plan.workloads.length,
        });
      else io.result(path);
      if (prompts && made.decisions) {
        const typed = process.argv.slice(2);
        // The command word itself (global options may come before it); equivalentCommand adds its own.
        typed.splice(typed.indexOf('plan'), typed.includes('plan') ? 1 : 0);
        const repeat = equivalentCommand(typed, roleName, facts.analysis, made.decisions);
        io.info(
          'SR_PLAN_I2015',
          `To repeat this plan without prompts (in CI):\n  ${repeat.command}` +
            (repeat.notRepeated.length > 0 ? `\n  not repeated by flags: ${repeat.notRepeated.join('; ')}` : ''),
          { role: roleName, command: repeat.command, notRepeated: repeat.notRepeated },
        );
      }
    }
    // Every picked role lacked activity: that is the run's error, as for one role.
    const [firstIdle] = idle;
    if (firstIdle && idle.length === roles.length) throw firstIdle;
    if (options.json) io.result(JSON.stringify({ plans: written }, null, 2));
    // Kept on a failure: Ctrl-C at a prompt ends the run as an error, and its "cancelled" line says where the evidence is.
    releaseCache?.();
    return ExitCode.ok;
  } finally {
    provider.destroy();
  }
}

/** The run's evidence cache (evidence-cache.ts says where and when), or none. */
function openEvidenceCache(options: PlanCommandOptions, terminal: boolean, io: IoHost): EvidenceCache | undefined {
  const dir = evidenceCacheDir(options.evidenceCache, terminal);
  return dir === undefined ? undefined : new EvidenceCache(dir, (message) => io.warn('SR_EVID_W3013', message));
}

/** Writes what was read and says where, for the one line an interrupted run ends with. */
function keptNote(cache: EvidenceCache): string | undefined {
  cache.flush();
  return cache.holdsEvidence ? `the evidence read so far is kept in ${cache.dir}: the same command reads only the rest` : undefined;
}

type Prompts = typeof import('../prompts/plan-prompts.js');
type Facts = Awaited<ReturnType<typeof collectPlanFacts>>;
type Ownership = Parameters<typeof withOwnership>[1];

/** Decisions finalised into a plan, within the resource-policy quotas (asking at the prompt which strategy when one fits). */
async function makePlan(
  facts: Facts,
  ownership: Ownership,
  decisions: PlanDecisions,
  options: PlanCommandOptions,
  givenTags: Record<string, string>,
  tagAnswers: Record<string, string>,
  io: IoHost,
  prompts?: Prompts,
): Promise<{ plan: Plan; decisions: PlanDecisions }> {
  decisions.addedTags = { ...givenTags, ...tagAnswers };
  if (options.grantBy) decisions.grantBy = options.grantBy;
  if (options.perWorkload) decisions.perWorkload = true;
  const ask = prompts && !options.grantBy ? (error: ResourcePolicyTooLargeError) => prompts.askGrantBy(io, error) : undefined;
  const plan = await withOwnership(
    await finaliseWithinQuotas((grantBy) => finalisePlan(facts, grantBy ? { ...decisions, grantBy } : decisions), ask),
    ownership,
  );
  return { plan, decisions };
}

/**
 * The prompted run of one role: workloads, decisions, tags, then the write
 * question; "back" from any question returns to the one before it, across
 * these stages. Undefined: the person skipped the role.
 */
async function steerPlan(
  io: IoHost,
  prompts: Prompts,
  facts: Facts,
  ownership: Ownership,
  run: { options: PlanCommandOptions; roleName: string; path: string; requiredTags: string[]; givenTags: Record<string, string> },
): Promise<{ plan: Plan; decisions: PlanDecisions } | undefined> {
  const { writeAnswer } = await import('../prompts/plan-write-prompt.js');
  const taken = new Set(facts.authorization.roles.map((r) => r.name));
  const missing = missingRequiredTags(facts.analysis.shared.tags, run.requiredTags, run.givenTags);
  let stay: string[] | undefined = [];
  let decisions: PlanDecisions | undefined;
  let tags: Record<string, string> = {};
  let made: { plan: Plan; decisions: PlanDecisions } | undefined;
  let skipped = false;
  await prompts.runSteps([
    async () => {
      stay = await prompts.pickWorkloads(io, facts.analysis);
      skipped = stay === undefined;
    },
    async () => {
      if (skipped) return;
      decisions = await prompts.askDecisions(io, facts.analysis, run.options, taken);
      decisions.stayOnShared = stay ?? [];
    },
    async () => {
      if (skipped) return;
      tags = missing.length > 0 ? await prompts.askTags(io, run.roleName, missing) : {};
    },
    async () => {
      if (skipped || !decisions) return;
      made = await makePlan(facts, ownership, decisions, run.options, run.givenTags, tags, io, prompts);
      skipped = !(await writeAnswer(io, made.plan, run.path));
    },
  ]);
  if (skipped) {
    io.info('SR_PLAN_I2005', `Skipped ${run.roleName}.`, { role: run.roleName });
    return undefined;
  }
  return made;
}

function refuseMissingTags(roleName: string, missing: string[]): void {
  if (missing.length === 0) return;
  throw usageError(
    `${roleName} lacks the required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, so the new roles would too`,
    `pass ${missing.map((key) => `--tag ${key}=VALUE`).join(' ')} (or run on a terminal to be asked)`,
  );
}

function validateFlags(options: PlanCommandOptions, interactive: boolean): void {
  if (!interactive && options.roles.length === 0)
    throw usageError('no role given', 'pass --role NAME (or run on a terminal to pick roles)');
  if (options.out && options.roles.length > 1) throw usageError('--out takes one plan, but several --role were given');
}

/** Says, before the plan is written, that apply will refuse its IaC-owned resources and what to run instead. */
function warnIacOwned(io: IoHost, plan: Plan): void {
  const owned = (plan.ownership?.resources ?? []).filter((r) => isIacOwned(r.owner));
  if (owned.length === 0) return;
  io.warn(
    'SR_PLAN_W2014',
    `${owned.length} resource(s) of ${plan.sharedRole.roleName} are defined as code (${[...new Set(owned.map((r) => describeOwner(r.owner)))].join('; ')}): ` +
      'apply will not change them live; use `split-role rewrite PLAN --stage cutover PATH…` on their code',
    { role: plan.sharedRole.roleName, owned: owned.map((r) => ({ kind: r.kind, name: r.name, owner: r.owner })) },
  );
}
