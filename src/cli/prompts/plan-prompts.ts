/**
 * The interactive half of `plan`: the questions a reviewer answers on a TTY,
 * asked as requests on the IoHost. Flags given on the command line pre-empt
 * their question. Each default answer is what a reviewer accepting every
 * proposal would get.
 */
import { usageError } from '../../core/errors.js';
import { terminalSafe } from '../../core/escape.js';
import { type IoHost, type MessageData, type Question } from '../../core/io-host.js';
import type { CodeAt } from '../../core/message-codes.js';
import { tagProblem } from '../../core/tags.js';
import type { PlanDecisions } from '../../plan/builder.js';
import type { DecisionFlags } from '../../plan/decisions.js';
import { proposeRoleName, roleNameProblem, serviceSuffix } from '../../plan/role-names.js';
import { requiredDecisions, splitUnits, type SplitAnalysis, type ServiceUnit } from '../../plan/split-analysis.js';
import { movableWorkloads } from '../../plan/workload-targets.js';
import type { ResourcePolicyTooLargeError } from '../../resource-policy/grown-size.js';
import type { ScanFinding } from '../../scan/report.js';
import { workloadAdapters } from '../../workloads/registry.js';
import { runSteps } from './plan-steps.js';
import { askUnobservable } from './unobservable-prompt.js';

export { runSteps } from './plan-steps.js';
export { groupName } from './unobservable-prompt.js';

/**
 * When a resource policy would pass its quota with the default strategy and
 * the smaller one fits: whether to use it. False keeps the refusal.
 */
export async function askGrantBy(io: IoHost, error: ResourcePolicyTooLargeError): Promise<boolean> {
  const lines = error.overflows.map(
    (o) =>
      `  ${o.policy.kind} ${terminalSafe(o.policy.arn)}: ${o.grown} ${o.unit} with --grant-by ${o.grantBy}, ${o.alternative?.grown ?? '?'} with --grant-by ${o.alternative?.grantBy ?? '?'} (limit ${o.max})`,
  );
  const other = error.overflows[0]?.alternative?.grantBy ?? 'action';
  return io.requestResponse({
    code: 'SR_PLAN_Q2112',
    message:
      `These resource policies would pass their size quota:\n${lines.join('\n')}\n` +
      `Grant by ${other}? An Allow statement then gets only the new roles whose actions it allows (Deny statements still get every new role); ` +
      'a role whose use of a statement the evidence did not see loses what the shared role had through it.',
    data: { overflows: error.overflows.map((o) => ({ ...o, policy: { ...o.policy } })) },
    defaultResponse: false,
    question: { type: 'confirm' },
  });
}

/** Step 1: which shared roles to plan. */
export async function pickRoles(io: IoHost, findings: ScanFinding[]): Promise<string[]> {
  const splittable = findings.filter((f) => f.kinds.includes('multi-service'));
  if (splittable.length === 0) return [];
  return io.requestResponse<string[]>({
    code: 'SR_PLAN_Q2101',
    message: 'Which shared roles should be split?',
    data: { roles: splittable.map((f) => f.roleName) },
    defaultResponse: [],
    question: {
      type: 'checkbox',
      choices: splittable.map((f) => ({ name: `${f.roleName}  (${f.services.join(', ')})`, value: f.roleName })),
      required: true,
    },
  });
}

/**
 * Step 2: the workloads to move, each ticked; one unticked stays on the
 * shared role (which is then not retired). Returns the ids that stay, or
 * undefined when none is left to move (the role is skipped).
 */
export async function pickWorkloads(io: IoHost, analysis: SplitAnalysis): Promise<string[] | undefined> {
  const several = analysis.workloads.length > 1;
  const found = Object.fromEntries(
    workloadAdapters().map((adapter) => [
      adapter.id,
      analysis.workloads.flatMap(({ region, found: inRegion }) =>
        adapter.listMovable((inRegion as Record<string, unknown>)[adapter.id]).map((name) => (several ? `${name} (${region})` : name)),
      ),
    ]),
  );
  const lines = workloadAdapters().map((adapter) => `${adapter.title}: ${found[adapter.id]?.join(', ') || 'none'}`);
  const role = analysis.shared.roleName;
  io.info('SR_PLAN_I2008', `\nWorkloads using ${role}:\n  ${lines.join('\n  ')}`, { role, workloads: found });
  const movable = movableWorkloads(analysis.workloads, analysis.units, analysis.shared);
  if (movable.length === 0) return [];
  const ids = movable.map((m) => m.id);
  const picked = await io.requestResponse<string[]>({
    code: 'SR_PLAN_Q2102',
    message: 'Are these the workloads to move? (space: untick one to leave it on the shared role)',
    data: { role, workloads: ids },
    defaultResponse: ids,
    question: { type: 'checkbox', choices: movable.map((m) => ({ name: m.label, value: m.id, checked: true })) },
  });
  if (picked.length === 0) return undefined;
  return ids.filter((id) => !picked.includes(id));
}

/** Steps 3 and 4: the unattributed and unobservable actions, idle services, and names; each question can go back. */
export async function askDecisions(
  io: IoHost,
  analysis: SplitAnalysis,
  flags: DecisionFlags,
  taken: ReadonlySet<string>,
): Promise<PlanDecisions> {
  const decisions: PlanDecisions = { unattributed: flags.unattributed ?? {}, unobservable: flags.unobservable ?? {} };
  const steps: Array<() => Promise<void>> = [];
  if (!flags.unattributed) {
    const chosen = decisions.unattributed as Record<string, string[]>;
    for (const [action, use] of analysis.unattributed.actions)
      steps.push(async () => {
        chosen[action] = await askUnattributed(io, analysis, action, use.count);
      });
  }
  if (!flags.unobservable) {
    const chosen = decisions.unobservable as Record<string, string[]>;
    for (const unit of analysis.units)
      if (unit.unobservable.length > 0)
        steps.push(async () => {
          chosen[unit.key] = await askUnobservable(io, unit);
        });
  }
  if (requiredDecisions(analysis).unmapped) {
    if (flags.unmapped) decisions.unmapped = flags.unmapped;
    else
      steps.push(async () => {
        const rows = analysis.unmapped.map((r) => `${r.eventSource} ${r.eventName} (${r.count}× by ${r.services.join(', ')})`);
        io.info('SR_PLAN_I2009', `\nEvents that map to no IAM action the catalog knows:\n  ${rows.join('\n  ')}`, {
          events: analysis.unmapped,
        });
        // Nobody asked, nobody gets them: granting a whole service's actions needs a person's say.
        decisions.unmapped = await choose(
          io,
          'SR_PLAN_Q2108',
          'What should the services that made them get?',
          { events: analysis.unmapped.length },
          'drop',
          {
            keep: "every action of the event's service that the shared role granted",
            drop: 'nothing: the calls may fail after the split',
          },
        );
      });
  }
  const idle = splitUnits(analysis)
    .filter((u) => u.noEvidence)
    .map((u) => u.service);
  if (idle.length > 0) {
    if (flags.withoutEvidence) decisions.noEvidence = flags.withoutEvidence;
    else
      steps.push(async () => {
        decisions.noEvidence = await choose(
          io,
          'SR_PLAN_Q2105',
          `No activity at all for ${idle.join(', ')}. What should those services get?`,
          { services: idle },
          'empty',
          {
            empty: 'a new role with no permissions beyond the decisions above',
            exclude: 'nothing: keep them on the shared role (it will not be retired)',
          },
        );
      });
  }
  const names: Record<string, string> = {};
  for (const unit of analysis.units) steps.push(async () => askName(io, analysis, unit, taken, names));
  await runSteps(steps);
  decisions.roleNames = names;
  return decisions;
}

/** One of a few named answers, asked as a select question; `choices` maps each answer to its label, in order. */
async function choose<V extends string>(
  io: IoHost,
  code: CodeAt<'request'>,
  message: string,
  data: MessageData,
  defaultResponse: NoInfer<V>,
  choices: Record<V, string>,
): Promise<V> {
  const options = (Object.entries(choices) as Array<[V, string]>).map(([value, name]) => ({ name, value }));
  return io.requestResponse<V>({
    code,
    message,
    data,
    defaultResponse,
    question: { type: 'select', choices: options } as Question<V>,
    back: true,
  });
}

async function askUnattributed(io: IoHost, analysis: SplitAnalysis, action: string, count: number): Promise<string[]> {
  return io.requestResponse<string[]>({
    code: 'SR_PLAN_Q2103',
    message: `${action} was called ${count}× by sessions no service could be tied to. Which services need it?`,
    data: { action, count },
    // Nobody asked, nobody gets it: granting needs a person's say.
    defaultResponse: [],
    question: { type: 'checkbox', choices: analysis.units.map((u) => ({ name: u.service, value: u.key })) },
    back: true,
  });
}

async function askName(
  io: IoHost,
  analysis: SplitAnalysis,
  unit: ServiceUnit,
  taken: ReadonlySet<string>,
  names: Record<string, string>,
): Promise<void> {
  // Names given to the other units count as taken; this unit's own earlier answer (before a back) does not.
  const used = new Set([
    ...taken,
    ...Object.entries(names)
      .filter(([key]) => key !== unit.key)
      .map(([, name]) => name),
  ]);
  const proposal = proposeRoleName(analysis.shared.roleName, unit.service, used);
  names[unit.key] = await io.requestResponse({
    code: 'SR_PLAN_Q2106',
    message: `Name of the new ${serviceSuffix(unit.service)} role`,
    data: { service: unit.service },
    defaultResponse: proposal,
    question: {
      type: 'input',
      initial: proposal,
      validate: (value) => roleNameProblem(value) ?? (used.has(value) ? `${value} already exists` : true),
    },
    back: true,
  });
}

/** Required tags the shared role lacks: one question per key, for every new role. */
export async function askTags(io: IoHost, roleName: string, missing: readonly string[]): Promise<Record<string, string>> {
  io.info(
    'SR_PLAN_I2010',
    `\n${roleName} lacks the required tag${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; the new roles get the values given here.`,
    {
      role: roleName,
      missing,
    },
  );
  const answers: Record<string, string> = {};
  for (const key of missing) {
    const value = await io.requestResponse({
      code: 'SR_PLAN_Q2111',
      message: `Value of tag ${key} on the new roles`,
      data: { role: roleName, key },
      // No person, no value: the caller refuses a run that leaves a required tag empty.
      defaultResponse: '',
      question: {
        type: 'input',
        validate: (answer) => (answer.trim() === '' ? 'a required tag needs a value' : (tagProblem(key, answer.trim()) ?? true)),
      },
    });
    if (value.trim() === '')
      throw usageError(`the required tag ${key} has no value for the new roles of ${roleName}`, `pass --tag ${key}=VALUE`);
    answers[key] = value.trim();
  }
  return answers;
}
