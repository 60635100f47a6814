/**
 * The interactive half of `plan`: the questions a reviewer answers on a TTY,
 * asked as requests on the IoHost. Flags given on the command line pre-empt
 * their question. Each default answer is what a reviewer accepting every
 * proposal would get.
 */
import { usageError } from '../../core/errors.js';
import { terminalSafe } from '../../core/escape.js';
import type { IoHost, MessageData, Question } from '../../core/io-host.js';
import type { CodeAt } from '../../core/message-codes.js';
import { tagProblem } from '../../core/tags.js';
import type { PlanDecisions } from '../../plan/builder.js';
import type { DecisionFlags } from '../../plan/decisions.js';
import { proposeRoleName, roleNameProblem, serviceSuffix } from '../../plan/role-names.js';
import { requiredDecisions, type SplitAnalysis, type ServiceUnit } from '../../plan/split-analysis.js';
import type { ResourcePolicyTooLargeError } from '../../resource-policy/grown-size.js';
import type { ScanFinding } from '../../scan/report.js';
import { workloadAdapters } from '../../workloads/registry.js';

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

/** Step 2: confirm each service's workloads. False means "do not plan this role". */
export async function confirmWorkloads(io: IoHost, analysis: SplitAnalysis): Promise<boolean> {
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
  return io.requestResponse({
    code: 'SR_PLAN_Q2102',
    message: 'Are these the workloads to move?',
    data: { role },
    defaultResponse: true,
    question: { type: 'confirm' },
  });
}

/** Steps 3 and 4: the unattributed and unobservable actions, idle services, and names. */
export async function askDecisions(
  io: IoHost,
  analysis: SplitAnalysis,
  flags: DecisionFlags,
  taken: ReadonlySet<string>,
): Promise<PlanDecisions> {
  const decisions: PlanDecisions = {
    unattributed: flags.unattributed ?? (await askUnattributed(io, analysis)),
    unobservable: flags.unobservable ?? (await askUnobservable(io, analysis.units)),
  };
  if (requiredDecisions(analysis).unmapped) {
    const rows = analysis.unmapped.map((r) => `${r.eventSource} ${r.eventName} (${r.count}× by ${r.services.join(', ')})`);
    io.info('SR_PLAN_I2009', `\nEvents that map to no IAM action the catalog knows:\n  ${rows.join('\n  ')}`, {
      events: analysis.unmapped,
    });
    decisions.unmapped =
      flags.unmapped ??
      // Nobody asked, nobody gets them: granting a whole service's actions needs a person's say.
      (await choose(io, 'SR_PLAN_Q2108', 'What should the services that made them get?', { events: analysis.unmapped.length }, 'drop', {
        keep: "every action of the event's service that the shared role granted",
        drop: 'nothing: the calls may fail after the split',
      }));
  }
  const idle = analysis.units.filter((u) => u.noEvidence).map((u) => u.service);
  if (idle.length > 0) {
    decisions.noEvidence =
      flags.withoutEvidence ??
      (await choose(
        io,
        'SR_PLAN_Q2105',
        `No activity at all for ${idle.join(', ')}. What should those services get?`,
        { services: idle },
        'empty',
        {
          empty: 'a new role with no permissions beyond the decisions above',
          exclude: 'nothing: keep them on the shared role (it will not be retired)',
        },
      ));
  }
  decisions.roleNames = await askNames(io, analysis, taken);
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
  return io.requestResponse<V>({ code, message, data, defaultResponse, question: { type: 'select', choices: options } as Question<V> });
}

async function askUnattributed(io: IoHost, analysis: SplitAnalysis): Promise<PlanDecisions['unattributed']> {
  const chosen: Record<string, string[]> = {};
  for (const [action, use] of analysis.unattributed.actions) {
    chosen[action] = await io.requestResponse<string[]>({
      code: 'SR_PLAN_Q2103',
      message: `${action} was called ${use.count}× by sessions no service could be tied to. Which services need it?`,
      data: { action, count: use.count },
      // Nobody asked, nobody gets it: granting needs a person's say.
      defaultResponse: [],
      question: { type: 'checkbox', choices: analysis.units.map((u) => ({ name: u.service, value: u.key })) },
    });
  }
  return chosen;
}

/**
 * Unobservable grants, grouped by reason: one choice per group (baselines
 * pre-selected), then, if asked, single actions within the groups.
 */
async function askUnobservable(io: IoHost, units: ServiceUnit[]): Promise<PlanDecisions['unobservable']> {
  const chosen: Record<string, string[]> = {};
  for (const unit of units) {
    if (unit.unobservable.length === 0) continue;
    const groups = new Map<string, ServiceUnit['unobservable']>();
    // A baseline's group is its runtime need, whatever else each action's reason says.
    for (const u of unit.unobservable) {
      const group = u.baseline ? (u.reason.split(';')[0] as string) : u.reason;
      groups.set(group, [...(groups.get(group) ?? []), u]);
    }
    const baselineGroups = [...groups].filter(([, actions]) => actions.every((a) => a.baseline)).map(([reason]) => reason);
    const picked = await io.requestResponse<string[]>({
      code: 'SR_PLAN_Q2104',
      message: `Granted actions the evidence cannot see, by reason. Which does ${unit.service} need?`,
      data: {
        service: unit.service,
        groups: Object.fromEntries([...groups].map(([reason, actions]) => [reason, actions.map((a) => a.action)])),
      },
      defaultResponse: baselineGroups,
      question: {
        type: 'checkbox',
        choices: [...groups].map(([reason, actions]) => ({
          name: `${reason} (${actions.length}: ${actions.map((a) => a.action).join(', ')})`,
          value: reason,
          checked: baselineGroups.includes(reason),
        })),
      },
    });
    const expand = await io.requestResponse({
      code: 'SR_PLAN_Q2109',
      message: `Pick single actions within these groups for ${unit.service}?`,
      data: { service: unit.service },
      defaultResponse: false,
      question: { type: 'confirm', initial: false },
    });
    const kept: string[] = [];
    for (const [reason, actions] of groups) {
      const inGroup = expand
        ? await io.requestResponse<string[]>({
            code: 'SR_PLAN_Q2110',
            message: `${reason}: which actions does ${unit.service} need?`,
            data: { service: unit.service, reason, actions: actions.map((a) => a.action) },
            defaultResponse: picked.includes(reason) ? actions.map((a) => a.action) : [],
            question: {
              type: 'checkbox',
              choices: actions.map((a) => ({ name: a.action, value: a.action, checked: picked.includes(reason) })),
            },
          })
        : picked.includes(reason)
          ? actions.map((a) => a.action)
          : [];
      kept.push(...inGroup);
    }
    chosen[unit.key] = kept;
  }
  return chosen;
}

async function askNames(io: IoHost, analysis: SplitAnalysis, taken: ReadonlySet<string>): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  const used = new Set(taken);
  for (const unit of analysis.units) {
    const proposal = proposeRoleName(analysis.shared.roleName, unit.service, used);
    const name = await io.requestResponse({
      code: 'SR_PLAN_Q2106',
      message: `Name of the new ${serviceSuffix(unit.service)} role`,
      data: { service: unit.service },
      defaultResponse: proposal,
      question: {
        type: 'input',
        initial: proposal,
        validate: (value) => roleNameProblem(value) ?? (used.has(value) ? `${value} already exists` : true),
      },
    });
    used.add(name);
    names[unit.key] = name;
  }
  return names;
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

/** Step 6: write it? */
export async function confirmWrite(io: IoHost, path: string): Promise<boolean> {
  return io.requestResponse({
    code: 'SR_PLAN_Q2107',
    message: `Write the plan to ${path}?`,
    data: { path },
    defaultResponse: true,
    question: { type: 'confirm' },
  });
}
