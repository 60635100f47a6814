import { describe, expect, it } from 'vitest';
import { buildPlan, type PlanDecisions } from '../../src/plan/builder.js';
import { planBodySchema, type PlanBody, type PlannedRole } from '../../src/plan/schema.js';
import {
  ACCOUNT,
  analysis,
  context,
  DROP_ALL,
  EC2,
  ECS,
  EDGE,
  evidence,
  KEY_ARN,
  LAMBDA,
  PLAN_ID,
  policyDoc,
  sampleAnalysis,
  SHARED_NAME,
  sharedRole,
  trustFor,
  usage,
  workloads,
} from './fixtures/plan-fixtures.js';

const roleFor = (plan: PlanBody, service: string): PlannedRole => {
  const role = plan.newRoles.find((r) => r.service === service);
  if (!role) throw new Error(`no role for ${service} in ${plan.newRoles.map((r) => r.service).join(', ')}`);
  return role;
};
const actionsOf = (role: PlannedRole) => role.actions.map((a) => a.action);
const policyText = (role: PlannedRole) => JSON.stringify([...role.inlinePolicies, ...role.managedPolicies]);
const statementsOf = (role: PlannedRole) => [...role.inlinePolicies, ...role.managedPolicies].flatMap((p) => p.document.Statement);

describe('buildPlan: one role per workload unit', () => {
  it('lambda + edgelambda become one role whose trust keeps both principals', () => {
    const shared = sharedRole({ principals: [EC2, LAMBDA, EDGE] });
    const plan = buildPlan(
      analysis(
        shared,
        evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Encrypt': 1 }), [EDGE]: usage({ 'ssm:GetParameter': 2 }) }),
      ),
      DROP_ALL,
      context(),
    );
    expect(plan.newRoles.map((r) => r.shortName).sort()).toEqual(['ec2', 'lambda']);
    const lambda = roleFor(plan, LAMBDA);
    const services = lambda.trustPolicy.Statement.flatMap((s) => (s.Principal === '*' ? [] : [s.Principal.Service].flat()));
    expect(services.sort()).toEqual([EDGE, LAMBDA]);
    // Both halves of the unit's evidence land in the one role.
    expect(actionsOf(lambda)).toEqual(['kms:Encrypt', 'ssm:GetParameter']);
    expect(plan.evidence.services[LAMBDA]).toEqual({ events: 3, sessions: 2 });
    // The EC2 role's trust never names the Lambda principals.
    expect(JSON.stringify(roleFor(plan, EC2).trustPolicy)).not.toMatch(/lambda/);
  });

  const unitCases: Array<{ name: string; principals: string[]; keys: string[] }> = [
    { name: 'two services', principals: [EC2, LAMBDA], keys: ['ec2', 'lambda'] },
    { name: 'three services', principals: [EC2, LAMBDA, ECS], keys: ['ec2', 'ecs-tasks', 'lambda'] },
    { name: 'edge pair plus ecs', principals: [LAMBDA, EDGE, ECS], keys: ['ecs-tasks', 'lambda'] },
  ];
  it.each(unitCases)('$name → roles $keys', ({ principals, keys }) => {
    const byService = Object.fromEntries(principals.map((p) => [p, usage({ 'kms:Decrypt': 1 })]));
    const plan = buildPlan(analysis(sharedRole({ principals }), evidence(byService)), DROP_ALL, context());
    expect(plan.newRoles.map((r) => r.shortName).sort()).toEqual(keys);
    expect(new Set(plan.newRoles.map((r) => r.roleName)).size).toBe(keys.length);
  });
});

describe('buildPlan: actions are what was used and granted', () => {
  const shared = sharedRole();
  const plan = buildPlan(
    analysis(
      shared,
      evidence({
        // iam:CreateUser was used but never granted; s3:DeleteBucket is explicitly denied.
        [EC2]: usage({ 'ssm:GetParameter': 3, 'iam:CreateUser': 7, 's3:DeleteBucket': 1 }),
        [LAMBDA]: usage({ 'secretsmanager:GetSecretValue': 5 }),
      }),
    ),
    DROP_ALL,
    context(),
  );
  const ec2 = roleFor(plan, EC2);
  const lambda = roleFor(plan, LAMBDA);

  it('keeps used ∩ granted, with counts and origin "used"', () => {
    expect(ec2.actions).toEqual([
      { action: 'ssm:GetParameter', count: 3, lastSeen: '2026-01-01T00:00:00.000Z', origin: 'used', accessLevel: 'Read' },
    ]);
    expect(actionsOf(lambda)).toEqual(['secretsmanager:GetSecretValue']);
  });

  const absent: Array<{ role: 'ec2' | 'lambda'; action: string; why: string }> = [
    { role: 'ec2', action: 'iam:CreateUser', why: 'used but not granted' },
    { role: 'ec2', action: 'kms:Encrypt', why: 'granted but not used' },
    { role: 'ec2', action: 'secretsmanager:GetSecretValue', why: "another service's action" },
    { role: 'lambda', action: 'ssm:GetParameter', why: "another service's action" },
    { role: 'ec2', action: 'ssm:GetParameter*', why: 'wildcards are expanded, never copied' },
  ];
  it.each(absent)('$role never gets $action ($why)', ({ role, action }) => {
    const r = role === 'ec2' ? ec2 : lambda;
    expect(actionsOf(r)).not.toContain(action);
    const allowed = statementsOf(r)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => [s.Action ?? []].flat());
    expect(allowed).not.toContain(action);
  });

  it('a used action not granted is absent everywhere in the plan roles', () => {
    expect(JSON.stringify(plan.newRoles)).not.toContain('iam:CreateUser');
  });

  it('Deny statements are carried to every role unchanged', () => {
    for (const role of [ec2, lambda]) {
      const denies = statementsOf(role).filter((s) => s.Effect === 'Deny');
      expect(denies).toEqual([expect.objectContaining({ Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' })]);
    }
  });

  it('keeps Resource of the narrowed Allow', () => {
    const allow = statementsOf(ec2).find((s) => s.Effect === 'Allow');
    expect(allow?.Resource).toContain('parameter/app/*');
  });

  it('reports unused grants, wildcards expanded through the catalog', () => {
    expect(plan.unused).toEqual([
      // ssm:GetParameter* was used (GetParameter), but the catalog shows what else it grants.
      expect.objectContaining({
        policy: 'app',
        sid: 'Params',
        patterns: [],
        unusedActions: ['ssm:GetParameterHistory', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        unusedActionCount: 3,
      }),
      expect.objectContaining({ policy: 'app', sid: 'Keys', patterns: ['kms:Decrypt', 'kms:Encrypt'], unusedActionCount: 2 }),
    ]);
  });

  it('shows the access levels before and after per role', () => {
    expect(ec2.accessLevels?.after).toMatchObject({ Read: 1, Write: 0 });
    // Shared: ssm:GetParameter* (4 reads), kms:Decrypt + kms:Encrypt (writes), secretsmanager:GetSecretValue (read).
    expect(ec2.accessLevels?.before).toMatchObject({ Read: 5, Write: 2, 'Permissions management': 0 });
  });

  it('the body validates against planBodySchema', () => {
    const parsed = planBodySchema.safeParse(plan);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });
});

describe('buildPlan: unattributed decisions', () => {
  // kms:Encrypt granted; iam:DeleteRole used but not granted.
  const build = (unattributed: PlanDecisions['unattributed']) =>
    buildPlan(
      analysis(
        sharedRole(),
        evidence(
          { [EC2]: usage({ 'ssm:GetParameter': 1 }), [LAMBDA]: usage({ 'secretsmanager:GetSecretValue': 1 }) },
          { unattributed: usage({ 'kms:Encrypt': 4, 'iam:DeleteRole': 2 }) },
        ),
      ),
      { unattributed, unobservable: 'drop' },
      context(),
    );
  const cases: Array<{ name: string; decision: PlanDecisions['unattributed']; recorded: string; ec2: boolean; lambda: boolean }> = [
    { name: 'grant-all gives it to every role', decision: 'grant-all', recorded: 'grant-all', ec2: true, lambda: true },
    { name: 'drop gives it to none', decision: 'drop', recorded: 'drop', ec2: false, lambda: false },
    {
      name: 'a chosen map gives it to the named unit only',
      decision: { 'kms:Encrypt': ['lambda'] },
      recorded: 'chosen',
      ec2: false,
      lambda: true,
    },
    { name: 'a chosen map naming nobody gives it to none', decision: { 'kms:Encrypt': [] }, recorded: 'chosen', ec2: false, lambda: false },
  ];
  it.each(cases)('$name', ({ decision, recorded, ec2, lambda }) => {
    const plan = build(decision);
    expect(plan.decisions.unattributed).toBe(recorded);
    for (const [service, expected] of [
      [EC2, ec2],
      [LAMBDA, lambda],
    ] as const) {
      const role = roleFor(plan, service);
      const entry = role.actions.find((a) => a.action === 'kms:Encrypt');
      expect(entry ? entry.origin : undefined).toBe(expected ? 'unattributed' : undefined);
      if (expected) expect(entry?.count).toBe(4);
      expect(policyText(role).includes('kms:Encrypt')).toBe(expected);
    }
    const row = plan.unattributed.find((u) => u.action === 'kms:Encrypt');
    expect(row?.grantedTo.sort()).toEqual([...(ec2 ? [EC2] : []), ...(lambda ? [LAMBDA] : [])]);
  });

  it('an unattributed action the shared role never granted reaches nobody, even with grant-all', () => {
    const plan = build('grant-all');
    for (const role of plan.newRoles) expect(JSON.stringify(role)).not.toContain('iam:DeleteRole');
    // The review must not claim it was granted to a service that did not get it.
    expect(plan.unattributed.find((u) => u.action === 'iam:DeleteRole')).toMatchObject({ count: 2, grantedTo: [] });
  });
});

describe('buildPlan: unobservable decisions', () => {
  const withBlindSpot = sharedRole({
    inlinePolicies: [
      {
        name: 'app',
        document: policyDoc(
          { Effect: 'Allow', Action: 'ssm:GetParameter', Resource: '*' },
          { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' },
        ),
      },
    ],
    attachedPolicies: [],
  });
  const build = (unobservable: PlanDecisions['unobservable']) =>
    buildPlan(
      analysis(withBlindSpot, evidence({ [EC2]: usage({ 'ssm:GetParameter': 1 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }) })),
      { unattributed: 'drop', unobservable },
      context(),
    );
  const cases: Array<{ name: string; decision: PlanDecisions['unobservable']; recorded: string; ec2: boolean; lambda: boolean }> = [
    { name: 'keep keeps the blind spot in every role', decision: 'keep', recorded: 'keep', ec2: true, lambda: true },
    { name: 'drop drops it everywhere', decision: 'drop', recorded: 'drop', ec2: false, lambda: false },
    {
      name: 'a chosen map keeps it where named',
      decision: { ec2: ['xray:PutTraceSegments'] },
      recorded: 'chosen',
      ec2: true,
      lambda: false,
    },
  ];
  it.each(cases)('$name', ({ decision, recorded, ec2, lambda }) => {
    const plan = build(decision);
    expect(plan.decisions.unobservable).toBe(recorded);
    expect(plan.evidence.blindSpots).toEqual([expect.stringMatching(/^xray:PutTraceSegments: never logged/)]);
    for (const [service, expected] of [
      [EC2, ec2],
      [LAMBDA, lambda],
    ] as const) {
      const role = roleFor(plan, service);
      expect(role.unobservable).toEqual([expect.objectContaining({ action: 'xray:PutTraceSegments', kept: expected })]);
      const entry = role.actions.find((a) => a.action === 'xray:PutTraceSegments');
      expect(entry ? { origin: entry.origin, count: entry.count } : undefined).toEqual(
        expected ? { origin: 'unobservable', count: 0 } : undefined,
      );
      expect(policyText(role).includes('xray:PutTraceSegments')).toBe(expected);
    }
  });
});

describe('buildPlan: service baselines', () => {
  const logs = sharedRole({
    inlinePolicies: [
      {
        name: 'app',
        document: policyDoc({ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameter'], Resource: '*' }),
      },
    ],
    attachedPolicies: [],
  });
  const facts = () => analysis(logs, evidence({ [EC2]: usage({ 'ssm:GetParameter': 1 }), [LAMBDA]: usage({ 'logs:CreateLogStream': 3 }) }));

  it("marks the runtime's unseen needs as baseline for that service only", () => {
    const a = facts();
    expect(a.units.find((u) => u.key === 'lambda')?.unobservable).toEqual([
      expect.objectContaining({ action: 'logs:PutLogEvents', baseline: true, reason: expect.stringMatching(/^baseline \(Lambda runtime/) }),
    ]);
    const ec2 = a.units.find((u) => u.key === 'ec2')?.unobservable;
    expect(ec2?.map((u) => [u.action, u.baseline ?? false])).toEqual([['logs:PutLogEvents', false]]);
  });

  it('--unobservable drop keeps baselines (marked "baseline") but drops the rest; --baselines drop drops them too', () => {
    const kept = buildPlan(facts(), { unattributed: 'drop', unobservable: 'drop' }, context());
    // The issue's example: CreateLogStream was seen, PutLogEvents cannot be; the Lambda keeps both.
    expect(roleFor(kept, LAMBDA).actions.map((a) => [a.action, a.origin])).toEqual([
      ['logs:CreateLogStream', 'used'],
      ['logs:PutLogEvents', 'baseline'],
    ]);
    expect(actionsOf(roleFor(kept, EC2))).toEqual(['ssm:GetParameter']);
    const dropped = buildPlan(facts(), { unattributed: 'drop', unobservable: 'drop', baselines: 'drop' }, context());
    expect(actionsOf(roleFor(dropped, LAMBDA))).toEqual(['logs:CreateLogStream']);
    expect(dropped.decisions.baselines).toBe('drop');
  });

  it("keeps ECS's image pull and logs as baseline only when a task definition uses the role as its execution role", () => {
    const ecr = sharedRole({
      principals: [ECS, LAMBDA],
      inlinePolicies: [
        { name: 'app', document: policyDoc({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken', 's3:ListBucket'], Resource: '*' }) },
      ],
      attachedPolicies: [],
    });
    const taskDefinition = (usesRoleAs: Array<'task' | 'execution'>) => ({
      arn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/web:3`,
      family: 'web',
      revision: 3,
      taskRoleArn: ecr.arn,
      executionRoleArn: ecr.arn,
      usesRoleAs,
    });
    const ecsBaselines = (usesRoleAs: Array<'task' | 'execution'>) =>
      analysis(
        ecr,
        evidence({ [ECS]: usage({ 's3:ListBucket': 1 }), [LAMBDA]: usage({ 's3:ListBucket': 1 }) }),
        workloads({ ecs: { taskDefinitions: [taskDefinition(usesRoleAs)] } }),
      )
        .units.find((u) => u.key === 'ecs-tasks')
        ?.unobservable.filter((u) => u.baseline)
        .map((u) => u.action);
    expect(ecsBaselines(['task'])).toEqual([]);
    expect(ecsBaselines(['task', 'execution'])).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('needs no --unobservable decision when every blind spot is a baseline', () => {
    const only = analysis(logs, evidence({ [EC2]: usage({ 'ssm:GetParameter': 1 }), [LAMBDA]: usage({ 'logs:CreateLogStream': 3 }) }));
    // ec2 still has the plain blind spot, so a decision is needed…
    expect(only.units.some((u) => u.unobservable.some((b) => !b.baseline))).toBe(true);
    const lambdaOnly = sharedRole({ ...logs, principals: [LAMBDA, ECS] });
    const b = analysis(lambdaOnly, evidence({ [LAMBDA]: usage({ 'logs:CreateLogStream': 3 }), [ECS]: usage({ 'ssm:GetParameter': 1 }) }));
    expect(b.units.find((u) => u.key === 'lambda')?.unobservable.every((u) => u.baseline)).toBe(true);
  });
});

describe('buildPlan: services without evidence', () => {
  const idle = analysis(
    sharedRole({ principals: [EC2, LAMBDA, ECS] }),
    evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Encrypt': 1 }), [ECS]: usage() }),
  );

  it('"empty" makes a role with no actions and retires the shared role', () => {
    const plan = buildPlan(idle, { ...DROP_ALL, noEvidence: 'empty' }, context());
    const ecs = roleFor(plan, ECS);
    expect(ecs.noEvidence).toBe(true);
    expect(ecs.actions).toEqual([]);
    expect(statementsOf(ecs).filter((s) => s.Effect === 'Allow')).toEqual([]);
    expect(plan.excludedServices).toEqual([]);
    expect(plan.retireSharedRole).toBe(true);
    expect(plan.decisions.noEvidence).toBe('empty');
  });

  it('"exclude" makes no role, keeps the shared role and warns', () => {
    const plan = buildPlan(idle, { ...DROP_ALL, noEvidence: 'exclude' }, context());
    expect(plan.newRoles.map((r) => r.service).sort()).toEqual([EC2, LAMBDA]);
    expect(plan.excludedServices).toEqual([ECS]);
    expect(plan.retireSharedRole).toBe(false);
    expect(plan.warnings).toEqual([expect.stringContaining(`${ECS} showed no activity`)]);
    expect(plan.decisions.noEvidence).toBe('exclude');
  });

  it('"exclude" with every service active changes nothing', () => {
    const plan = buildPlan(sampleAnalysis(), { ...DROP_ALL, noEvidence: 'exclude' }, context());
    expect(plan.newRoles).toHaveLength(2);
    expect(plan.retireSharedRole).toBe(true);
    expect(plan.warnings).toEqual([]);
  });

  it('evidence warnings reach the plan', () => {
    const plan = buildPlan(
      analysis(
        sharedRole(),
        evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Decrypt': 1 }) }, { warnings: ['skipped a corrupt file'] }),
      ),
      DROP_ALL,
      context(),
    );
    expect(plan.warnings).toEqual(['skipped a corrupt file']);
    expect(plan.evidence.warnings).toEqual(['skipped a corrupt file']);
  });
});

describe('buildPlan: tags', () => {
  const build = (tags: Array<{ Key: string; Value: string }>) =>
    buildPlan(
      analysis(sharedRole({ tags }), evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Decrypt': 1 }) })),
      DROP_ALL,
      context(),
    );
  const own = (service: string) => [
    { Key: 'split-role:source-role', Value: SHARED_NAME },
    { Key: 'split-role:service', Value: service },
    { Key: 'split-role:plan-id', Value: PLAN_ID },
  ];

  const cases: Array<{ name: string; tags: Array<{ Key: string; Value: string }>; copied: Array<{ Key: string; Value: string }> }> = [
    {
      name: 'user tags are copied',
      tags: [
        { Key: 'team', Value: 'orders' },
        { Key: 'env', Value: 'prod' },
      ],
      copied: [
        { Key: 'team', Value: 'orders' },
        { Key: 'env', Value: 'prod' },
      ],
    },
    {
      name: 'aws: tags are not copied',
      tags: [
        { Key: 'aws:cloudformation:stack-name', Value: 's' },
        { Key: 'team', Value: 'x' },
      ],
      copied: [{ Key: 'team', Value: 'x' }],
    },
    {
      name: "a previous split's tags are not copied",
      tags: [
        { Key: 'split-role:plan-id', Value: 'old' },
        { Key: 'split-role:service', Value: 'old' },
        { Key: 'team', Value: 'x' },
      ],
      copied: [{ Key: 'team', Value: 'x' }],
    },
    {
      // IAM role tag keys are case-insensitive: "Split-Role:plan-id" would clash with ours.
      name: 'split-role tags in another case are not copied',
      tags: [
        { Key: 'Split-Role:Plan-Id', Value: 'old' },
        { Key: 'team', Value: 'x' },
      ],
      copied: [{ Key: 'team', Value: 'x' }],
    },
    { name: 'no tags', tags: [], copied: [] },
  ];
  it.each(cases)('$name, plus the three split-role tags', ({ tags, copied }) => {
    const plan = build(tags);
    for (const role of plan.newRoles) expect(role.tags).toEqual([...copied, ...own(role.service)]);
  });

  const many = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: 'v' }));
  it('47 copied tags fit (47 + 3 = 50)', () => {
    expect(roleFor(build(many(47)), EC2).tags).toHaveLength(50);
  });
  it('more than 47 shared tags throws', () => {
    expect(() => build(many(48))).toThrow(/48 tags.*exceed IAM's 50/);
  });
  it('tags that are not copied do not count towards the limit', () => {
    expect(roleFor(build([...many(47), { Key: 'split-role:plan-id', Value: 'old' }]), EC2).tags).toHaveLength(50);
  });
});

describe('buildPlan: role settings copied from the shared role', () => {
  const shared = sharedRole({
    path: '/teams/orders/',
    arn: `arn:aws:iam::${ACCOUNT}:role/teams/orders/${SHARED_NAME}`,
    permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/boundary`,
    maxSessionDuration: 7200,
  });
  const plan = buildPlan(
    analysis(shared, evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Decrypt': 1 }) })),
    DROP_ALL,
    context(),
  );

  it.each([EC2, LAMBDA])('%s: path, boundary, max session, ARN with path', (service) => {
    const role = roleFor(plan, service);
    expect(role.path).toBe('/teams/orders/');
    expect(role.permissionsBoundaryArn).toBe(`arn:aws:iam::${ACCOUNT}:policy/boundary`);
    expect(role.maxSessionDuration).toBe(7200);
    expect(role.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/teams/orders/${role.roleName}`);
    expect(role.description).toContain(PLAN_ID);
  });

  it('no boundary on the shared role means no boundary on the new ones', () => {
    const plain = buildPlan(sampleAnalysis(), DROP_ALL, context());
    for (const role of plain.newRoles) expect(role).not.toHaveProperty('permissionsBoundaryArn');
  });

  it('the EC2 role gets an instance profile on the same path; others do not', () => {
    const ec2 = roleFor(plan, EC2);
    expect(ec2.instanceProfile).toEqual({
      name: ec2.roleName,
      path: '/teams/orders/',
      arn: `arn:aws:iam::${ACCOUNT}:instance-profile/teams/orders/${ec2.roleName}`,
    });
    expect(roleFor(plan, LAMBDA).instanceProfile).toBeUndefined();
  });
});

describe('buildPlan: role names', () => {
  const active = analysis(sharedRole(), evidence({ [EC2]: usage({ 'kms:Decrypt': 1 }), [LAMBDA]: usage({ 'kms:Decrypt': 1 }) }));
  const cases: Array<{ name: string; taken: string[]; roleNames?: Record<string, string>; ec2: string; lambda: string }> = [
    { name: 'proposes <shared>-<service>', taken: [SHARED_NAME], ec2: 'app-shared-ec2', lambda: 'app-shared-lambda' },
    { name: 'a taken name gets a suffix', taken: ['app-shared-ec2'], ec2: 'app-shared-ec2-2', lambda: 'app-shared-lambda' },
    {
      name: 'taken names compare case-insensitively',
      taken: ['APP-SHARED-LAMBDA', 'app-shared-lambda-2'],
      ec2: 'app-shared-ec2',
      lambda: 'app-shared-lambda-3',
    },
    {
      name: 'user-given names are honoured',
      taken: [],
      roleNames: { ec2: 'orders-ec2', lambda: 'orders-fn' },
      ec2: 'orders-ec2',
      lambda: 'orders-fn',
    },
    {
      // The proposal for ec2 must not take the name the user gave lambda.
      name: 'a proposal never takes a name the user gave another unit',
      taken: [],
      roleNames: { lambda: 'app-shared-ec2' },
      ec2: 'app-shared-ec2-2',
      lambda: 'app-shared-ec2',
    },
  ];
  it.each(cases)('$name', ({ taken, roleNames, ec2, lambda }) => {
    const decisions: PlanDecisions = roleNames ? { ...DROP_ALL, roleNames } : DROP_ALL;
    const plan = buildPlan(active, decisions, context({ takenRoleNames: new Set(taken) }));
    expect(roleFor(plan, EC2).roleName).toBe(ec2);
    expect(roleFor(plan, LAMBDA).roleName).toBe(lambda);
    expect(new Set(plan.newRoles.map((r) => r.roleName.toLowerCase())).size).toBe(plan.newRoles.length);
  });

  it('references() is asked with the final names and its follow-ups are kept', () => {
    let asked: string[] = [];
    const plan = buildPlan(
      active,
      DROP_ALL,
      context({
        references: (names) => {
          asked = names;
          return [{ kind: 'passrole-reference', resource: 'arn:aws:iam::123456789012:policy/deploy', message: 'x' }];
        },
      }),
    );
    expect(asked.sort()).toEqual(['app-shared-ec2', 'app-shared-lambda']);
    expect(plan.followUps).toContainEqual(expect.objectContaining({ kind: 'passrole-reference' }));
  });
});

describe('buildPlan: workloads and the whole body', () => {
  const plan = buildPlan(sampleAnalysis(), DROP_ALL, context());

  it('lambda functions and EC2 instances move to their new roles', () => {
    const lambda = roleFor(plan, LAMBDA);
    const ec2 = roleFor(plan, EC2);
    expect(plan.workloads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'lambda-function', functionName: 'orders-fn', target: { roleArn: lambda.roleArn } }),
        expect.objectContaining({
          kind: 'ec2-instance',
          instanceId: 'i-0abc',
          target: expect.objectContaining({ instanceProfileArn: ec2.instanceProfile?.arn }),
        }),
      ]),
    );
    expect(plan.workloads).toHaveLength(2);
  });

  it('records the context', () => {
    expect(plan).toMatchObject({
      schemaVersion: 2,
      planId: PLAN_ID,
      account: ACCOUNT,
      partition: 'aws',
      region: 'eu-west-1',
      tool: { name: 'split-role' },
    });
    expect(plan.sharedRole.roleName).toBe(SHARED_NAME);
  });

  it('validates against planBodySchema, in every decision combination', () => {
    const combos: PlanDecisions[] = [
      DROP_ALL,
      { unattributed: 'grant-all', unobservable: 'keep', noEvidence: 'empty' },
      { unattributed: {}, unobservable: {} },
    ];
    for (const decisions of combos) {
      const body = buildPlan(sampleAnalysis(), decisions, context());
      const parsed = planBodySchema.safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    }
  });

  it('never writes a policy broader than the shared one: a used wildcard would be rejected', () => {
    const shared = sharedRole({ trustPolicy: trustFor(EC2, LAMBDA) });
    const a = analysis(shared, evidence({ [EC2]: usage({ 'kms:*': 1 }), [LAMBDA]: usage() }));
    // The catalog knows no action "kms:*": it is listed as unmapped, never granted.
    expect(a.unmapped).toEqual([{ eventSource: 'kms.amazonaws.com', eventName: '*', prefix: 'kms', count: 1, services: [EC2] }]);
    const dropped = buildPlan(a, { ...DROP_ALL, noEvidence: 'empty', unmapped: 'drop' }, context());
    expect(roleFor(dropped, EC2).actions).toEqual([]);
    // And were a wildcard to reach narrowing anyway, the plan is refused.
    a.units.find((u) => u.service === EC2)?.usage.actions.set('kms:*', { count: 1, lastSeen: '2026-01-01T00:00:00.000Z' });
    expect(() => buildPlan(a, { ...DROP_ALL, noEvidence: 'empty', unmapped: 'drop' }, context())).toThrow();
  });

  it('--unmapped keep gives the service every action of the event prefix the shared role granted; drop gives none', () => {
    const shared = sharedRole({ trustPolicy: trustFor(EC2, LAMBDA) });
    const a = analysis(
      shared,
      evidence(
        { [EC2]: usage({ 'kms:DecryptEverything': 3 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }) },
        { unattributed: usage({ 'ssm:Bogus': 1 }) },
      ),
    );
    expect(a.unmapped.map((u) => [u.eventName, u.services])).toEqual([
      ['DecryptEverything', [EC2]],
      ['Bogus', ['unattributed']],
    ]);
    const kept = buildPlan(a, { ...DROP_ALL, unmapped: 'keep' }, context());
    expect(roleFor(kept, EC2).actions.map((x) => [x.action, x.origin])).toEqual([
      ['kms:Decrypt', 'unmapped'],
      ['kms:Encrypt', 'unmapped'],
    ]);
    // The unattributed row reaches nobody by itself: that pool has its own decision.
    expect(actionsOf(roleFor(kept, LAMBDA))).toEqual(['ssm:GetParameter']);
    expect(kept.unmappedEvents).toHaveLength(2);
    expect(kept.decisions.unmapped).toBe('keep');
    expect(kept.evidence.catalogVersion).toMatch(/^\d+\.\d+\.\d+/);
    const dropped = buildPlan(a, { ...DROP_ALL, unmapped: 'drop' }, context());
    expect(actionsOf(roleFor(dropped, EC2))).toEqual([]);
  });

  it('a Resource from the shared statement is kept on the new statement', () => {
    const ec2 = roleFor(plan, EC2);
    expect(statementsOf(ec2)).toContainEqual(expect.objectContaining({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY_ARN }));
  });
});

describe('buildPlan: follow-ups for excluded services', () => {
  it('an excluded EC2 unit gets no launch-template follow-up (its workloads stay on the shared role)', () => {
    const a = analysis(
      sharedRole(),
      evidence({ [EC2]: usage(), [LAMBDA]: usage({ 'kms:Decrypt': 1 }) }),
      workloads({
        ec2: {
          launchTemplates: [
            { launchTemplateId: 'lt-1', launchTemplateName: 'web', version: 3, isDefault: true, instanceProfile: { name: SHARED_NAME } },
          ],
        },
      }),
    );
    const plan = buildPlan(a, { ...DROP_ALL, noEvidence: 'exclude' }, context());
    expect(plan.followUps.filter((f) => f.kind === 'launch-template')).toEqual([]);
    const kept = buildPlan(a, { ...DROP_ALL, noEvidence: 'empty' }, context());
    expect(kept.followUps.filter((f) => f.kind === 'launch-template')).toHaveLength(1);
  });
});

describe('buildPlan: Access Analyzer service-level results', () => {
  it('lists the granted actions of a service-level result as unobservable and never grants "service:*"', () => {
    const shared = sharedRole({
      inlinePolicies: [
        {
          name: 'app',
          document: policyDoc({ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'ssm:GetParameter'], Resource: '*' }),
        },
      ],
      attachedPolicies: [],
    });
    const ev = evidence(
      { [EC2]: usage({ 'sqs:GetQueueUrl': 2 }), [LAMBDA]: usage({ 'ssm:GetParameter': 1 }) },
      { source: 'access-analyzer' },
    );
    ev.serviceLevelPrefixes = ['sqs'];
    const a = analysis(shared, ev);
    const ec2 = a.units.find((u) => u.key === 'ec2');
    // GetQueueUrl came from CloudTrail attribution: evidence. SendMessage was not seen by anyone: unobservable.
    expect(ec2?.unobservable.map((u) => u.action)).toEqual(['sqs:SendMessage']);
    expect(
      a.units
        .find((u) => u.key === 'lambda')
        ?.unobservable.map((u) => u.action)
        .sort(),
    ).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
    expect(a.units.flatMap((u) => u.unobservable.map((x) => x.reason))).toEqual(
      expect.arrayContaining([expect.stringMatching(/only at service level \(sqs:\*\)/)]),
    );
    const plan = buildPlan(a, { unattributed: 'drop', unobservable: 'keep' }, context());
    expect(JSON.stringify(plan.newRoles.map((r) => r.inlinePolicies))).not.toContain('sqs:*');
    expect(actionsOf(roleFor(plan, EC2))).toEqual(['sqs:GetQueueUrl', 'sqs:SendMessage']);
  });
});
