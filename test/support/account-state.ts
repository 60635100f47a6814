/**
 * What the account looks like, read through the real SDK, with everything
 * that changes on every create (unique ids, dates, association ids) left
 * out, so "rollback restores the state before apply" is a plain toEqual.
 * Plus the invariants apply and rollback promise, as problem lists (an empty
 * list means the invariant holds): each workload bound to exactly one existing
 * role, the shared role never gone while something still uses it, nothing this
 * tool made left behind.
 */
import { canonicalJson } from '../../src/core/canonical-json.js';
import { DescribeIamInstanceProfileAssociationsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
} from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { TEST_CREDENTIALS, TEST_REGION } from './aws-clients.js';

/** The tag split-role puts on everything it creates. */
export const PLAN_ID_TAG = 'split-role:plan-id';

type Tags = Array<{ Key: string; Value: string }>;

/** A role as far as apply and rollback are concerned. */
export interface RoleState {
  name: string;
  path: string;
  arn: string;
  description?: string;
  /** Decoded from IAM's URL-encoding, keys sorted. */
  trustPolicy: unknown;
  /** name → document (decoded, keys sorted). */
  inlinePolicies: Record<string, unknown>;
  attachedPolicyArns: string[];
  tags: Tags;
  permissionsBoundaryArn?: string;
  maxSessionDuration: number;
  instanceProfiles: string[];
}

/** A customer-managed policy. */
export interface ManagedPolicyState {
  name: string;
  path: string;
  arn: string;
  defaultVersionId: string;
  document: unknown;
  attachmentCount: number;
  tags: Tags;
}

/** An instance profile and the role(s) in it. */
export interface InstanceProfileState {
  name: string;
  path: string;
  arn: string;
  roles: string[];
  tags: Tags;
}

/** An ECS service's binding: the revision it runs and that revision's roles. */
export interface EcsServiceState {
  taskDefinition: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
}

/** An ACTIVE task-definition revision. */
export interface TaskDefinitionState {
  arn: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  tags: Array<{ key: string; value: string }>;
}

/** Everything relevant, ids and dates excluded. */
export interface AccountState {
  roles: RoleState[];
  policies: ManagedPolicyState[];
  instanceProfiles: InstanceProfileState[];
  /** instance id → associated instance-profile ARN (null: none). Terminated instances are left out. */
  ec2: Record<string, string | null>;
  /** function name → role of $LATEST. */
  lambda: Record<string, string>;
  /** "NAME:VERSION" → role of each published version. */
  lambdaVersions: Record<string, string>;
  /** "CLUSTER/SERVICE" → binding. */
  ecsServices: Record<string, EcsServiceState>;
  activeTaskDefinitions: TaskDefinitionState[];
}

/** Reads the account behind `endpoint` (moto, directly or through a proxy). */
export async function captureAccountState(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = TEST_CREDENTIALS,
): Promise<AccountState> {
  const config = { endpoint, region: TEST_REGION, credentials, maxAttempts: 8 };
  const iam = new IAMClient(config);
  const ec2 = new EC2Client(config);
  const lambda = new LambdaClient(config);
  const ecs = new ECSClient(config);
  try {
    const [roles, policies, instanceProfiles, ec2State, lambdaState, ecsState] = await Promise.all([
      readRoles(iam),
      readPolicies(iam),
      readInstanceProfiles(iam),
      readEc2(ec2),
      readLambda(lambda),
      readEcs(ecs),
    ]);
    return { roles, policies, instanceProfiles, ec2: ec2State, ...lambdaState, ...ecsState };
  } finally {
    for (const client of [iam, ec2, lambda, ecs]) client.destroy();
  }
}

async function readRoles(iam: IAMClient): Promise<RoleState[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListRolesCommand({ Marker: marker }));
    names.push(...(page.Roles ?? []).map((r) => r.RoleName as string));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const roles = await Promise.all(
    names.map(async (name): Promise<RoleState> => {
      const [{ Role: role }, inlineNames, attached, profiles, tags] = await Promise.all([
        iam.send(new GetRoleCommand({ RoleName: name })),
        iam.send(new ListRolePoliciesCommand({ RoleName: name })),
        iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name })),
        iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: name })),
        iam.send(new ListRoleTagsCommand({ RoleName: name })),
      ]);
      const inline: Record<string, unknown> = {};
      for (const policyName of [...(inlineNames.PolicyNames ?? [])].sort()) {
        const out = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }));
        inline[policyName] = decodeDocument(out.PolicyDocument);
      }
      const state: RoleState = {
        name,
        path: role?.Path ?? '/',
        arn: role?.Arn ?? '',
        trustPolicy: decodeDocument(role?.AssumeRolePolicyDocument),
        inlinePolicies: inline,
        attachedPolicyArns: (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn as string).sort(),
        tags: sortTags(tags.Tags),
        maxSessionDuration: role?.MaxSessionDuration ?? 3600,
        instanceProfiles: (profiles.InstanceProfiles ?? []).map((p) => p.InstanceProfileName as string).sort(),
      };
      if (role?.Description) state.description = role.Description;
      if (role?.PermissionsBoundary?.PermissionsBoundaryArn) state.permissionsBoundaryArn = role.PermissionsBoundary.PermissionsBoundaryArn;
      return state;
    }),
  );
  return roles.sort((a, b) => a.name.localeCompare(b.name));
}

async function readPolicies(iam: IAMClient): Promise<ManagedPolicyState[]> {
  const out = await iam.send(new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1000 }));
  const policies = await Promise.all(
    (out.Policies ?? []).map(async (p): Promise<ManagedPolicyState> => {
      const arn = p.Arn as string;
      const [{ Policy: policy }, tags] = await Promise.all([
        iam.send(new GetPolicyCommand({ PolicyArn: arn })),
        iam.send(new ListPolicyTagsCommand({ PolicyArn: arn })),
      ]);
      const versionId = policy?.DefaultVersionId ?? 'v1';
      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }));
      return {
        name: policy?.PolicyName ?? '',
        path: policy?.Path ?? '/',
        arn,
        defaultVersionId: versionId,
        document: decodeDocument(version.PolicyVersion?.Document),
        attachmentCount: policy?.AttachmentCount ?? 0,
        tags: sortTags(tags.Tags),
      };
    }),
  );
  return policies.sort((a, b) => a.name.localeCompare(b.name));
}

async function readInstanceProfiles(iam: IAMClient): Promise<InstanceProfileState[]> {
  const out = await iam.send(new ListInstanceProfilesCommand({ MaxItems: 1000 }));
  const profiles = await Promise.all(
    (out.InstanceProfiles ?? []).map(async (p): Promise<InstanceProfileState> => {
      // moto has no ListInstanceProfileTags; GetInstanceProfile carries the tags.
      const { InstanceProfile: full } = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: p.InstanceProfileName }));
      return {
        name: p.InstanceProfileName as string,
        path: p.Path ?? '/',
        arn: p.Arn as string,
        roles: (p.Roles ?? []).map((r) => r.RoleName as string).sort(),
        tags: sortTags(full?.Tags),
      };
    }),
  );
  return profiles.sort((a, b) => a.name.localeCompare(b.name));
}

async function readEc2(ec2: EC2Client): Promise<Record<string, string | null>> {
  const [instances, associations] = await Promise.all([
    ec2.send(new DescribeInstancesCommand({})),
    ec2.send(new DescribeIamInstanceProfileAssociationsCommand({})),
  ]);
  const state: Record<string, string | null> = {};
  const ids = (instances.Reservations ?? [])
    .flatMap((r) => r.Instances ?? [])
    .filter((i) => i.State?.Name !== 'terminated')
    .map((i) => i.InstanceId as string)
    .sort();
  for (const id of ids) state[id] = null;
  for (const a of associations.IamInstanceProfileAssociations ?? []) {
    if (a.State !== 'associated' && a.State !== 'associating') continue;
    if (a.InstanceId && a.InstanceId in state) state[a.InstanceId] = a.IamInstanceProfile?.Arn ?? null;
  }
  return state;
}

async function readLambda(lambda: LambdaClient): Promise<Pick<AccountState, 'lambda' | 'lambdaVersions'>> {
  const latest: Record<string, string> = {};
  const versions: Record<string, string> = {};
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', Marker: marker }));
    for (const fn of page.Functions ?? []) {
      if (!fn.Version || fn.Version === '$LATEST') latest[fn.FunctionName as string] = fn.Role ?? '';
      else versions[`${fn.FunctionName}:${fn.Version}`] = fn.Role ?? '';
    }
    marker = page.NextMarker;
  } while (marker);
  return { lambda: sortRecord(latest), lambdaVersions: sortRecord(versions) };
}

async function readEcs(ecs: ECSClient): Promise<Pick<AccountState, 'ecsServices' | 'activeTaskDefinitions'>> {
  const describe = async (arn: string) => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  const services: Record<string, EcsServiceState> = {};
  const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  for (const cluster of clusters) {
    const serviceArns = (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns ?? [];
    for (let i = 0; i < serviceArns.length; i += 10) {
      const out = await ecs.send(new DescribeServicesCommand({ cluster, services: serviceArns.slice(i, i + 10) }));
      for (const s of out.services ?? []) {
        if (s.status === 'INACTIVE') continue;
        const td = (await describe(s.taskDefinition as string)).taskDefinition;
        const entry: EcsServiceState = { taskDefinition: s.taskDefinition as string };
        if (td?.taskRoleArn) entry.taskRoleArn = td.taskRoleArn;
        if (td?.executionRoleArn) entry.executionRoleArn = td.executionRoleArn;
        services[`${cluster.split('/').pop()}/${s.serviceName}`] = entry;
      }
    }
  }
  const active: TaskDefinitionState[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE', nextToken }));
    for (const arn of page.taskDefinitionArns ?? []) {
      const out = await describe(arn);
      const entry: TaskDefinitionState = {
        arn,
        tags: (out.tags ?? []).map((t) => ({ key: t.key ?? '', value: t.value ?? '' })).sort((a, b) => a.key.localeCompare(b.key)),
      };
      if (out.taskDefinition?.taskRoleArn) entry.taskRoleArn = out.taskDefinition.taskRoleArn;
      if (out.taskDefinition?.executionRoleArn) entry.executionRoleArn = out.taskDefinition.executionRoleArn;
      active.push(entry);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return { ecsServices: sortRecord(services), activeTaskDefinitions: active.sort((a, b) => a.arn.localeCompare(b.arn)) };
}

/** One workload and the role(s) it is bound to. */
export interface WorkloadBinding {
  workload: string;
  /** The service principal the workload's role must trust. */
  service: 'ec2.amazonaws.com' | 'lambda.amazonaws.com' | 'ecs-tasks.amazonaws.com';
  /** Distinct role ARNs the workload runs as (EC2: the roles in its profile). */
  roleArns: string[];
  /** Why the binding is broken, if it is (e.g. its instance profile is gone). */
  broken?: string;
}

/** Every workload's binding. */
export function workloadBindings(state: AccountState): WorkloadBinding[] {
  const bindings: WorkloadBinding[] = [];
  const roleArnByName = new Map(state.roles.map((r) => [r.name, r.arn]));
  for (const [instanceId, profileArn] of Object.entries(state.ec2)) {
    const workload = `EC2 ${instanceId}`;
    if (!profileArn) {
      bindings.push({ workload, service: 'ec2.amazonaws.com', roleArns: [], broken: 'no instance profile' });
      continue;
    }
    const profile = state.instanceProfiles.find((p) => p.arn === profileArn);
    if (!profile) {
      bindings.push({ workload, service: 'ec2.amazonaws.com', roleArns: [], broken: `its profile ${profileArn} does not exist` });
      continue;
    }
    const roleArns = profile.roles.map((name) => roleArnByName.get(name) ?? `arn:?:iam::?:role/${name}`);
    bindings.push({
      workload,
      service: 'ec2.amazonaws.com',
      roleArns,
      ...(roleArns.length === 0 ? { broken: `its profile ${profile.name} holds no role` } : {}),
    });
  }
  for (const [name, role] of Object.entries(state.lambda))
    bindings.push({ workload: `Lambda ${name}`, service: 'lambda.amazonaws.com', roleArns: [role] });
  for (const [name, s] of Object.entries(state.ecsServices)) {
    const roleArns = [...new Set([s.taskRoleArn, s.executionRoleArn].filter((r): r is string => Boolean(r)))];
    bindings.push({ workload: `ECS ${name}`, service: 'ecs-tasks.amazonaws.com', roleArns });
  }
  return bindings;
}

/** Each workload bound to exactly one role, and that role exists. */
export function bindingProblems(state: AccountState): string[] {
  const existing = new Set(state.roles.map((r) => r.arn));
  const problems: string[] = [];
  for (const b of workloadBindings(state)) {
    if (b.broken) problems.push(`${b.workload}: ${b.broken}`);
    else if (b.roleArns.length !== 1) problems.push(`${b.workload} is bound to ${b.roleArns.length} roles: ${b.roleArns.join(', ')}`);
    else if (!existing.has(b.roleArns[0] as string)) problems.push(`${b.workload} is bound to ${b.roleArns[0]}, which does not exist`);
  }
  return problems;
}

/** The shared role may only be missing when no workload (nor profile) still points at it. */
export function sharedRoleProblems(state: AccountState, sharedRoleArn: string): string[] {
  if (state.roles.some((r) => r.arn === sharedRoleArn)) return [];
  const problems = workloadBindings(state)
    .filter((b) => b.roleArns.includes(sharedRoleArn))
    .map((b) => `${b.workload} is still bound to the deleted shared role ${sharedRoleArn}`);
  const name = sharedRoleArn.split('/').pop() as string;
  for (const p of state.instanceProfiles)
    if (p.roles.includes(name)) problems.push(`profile ${p.name} still names the deleted shared role`);
  return problems;
}

/** The services a trust policy lets assume the role (Allow statements only). */
export function trustedServices(trustPolicy: unknown): string[] {
  const statements = (trustPolicy as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const services = new Set<string>();
  for (const s of list as Array<{ Effect?: string; Principal?: unknown }>) {
    if (s.Effect !== 'Allow') continue;
    const principal = s.Principal;
    if (principal === '*') services.add('*');
    else if (principal && typeof principal === 'object') {
      for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
        for (const v of Array.isArray(value) ? value : [value]) services.add(kind === 'Service' ? String(v) : `${kind}:${String(v)}`);
      }
    }
  }
  return [...services].sort();
}

/**
 * The split is complete: the shared role is gone, and every workload runs as
 * one existing role that only its own service can assume.
 */
export function fullySplitProblems(state: AccountState, sharedRoleName: string): string[] {
  const problems = bindingProblems(state);
  if (state.roles.some((r) => r.name === sharedRoleName)) problems.push(`the shared role ${sharedRoleName} still exists`);
  const byArn = new Map(state.roles.map((r) => [r.arn, r]));
  for (const b of workloadBindings(state)) {
    const role = b.roleArns.length === 1 ? byArn.get(b.roleArns[0] as string) : undefined;
    if (!role) continue;
    const trusted = trustedServices(role.trustPolicy);
    if (trusted.length !== 1 || trusted[0] !== b.service)
      problems.push(`${b.workload} runs as ${role.name}, which trusts ${trusted.join(', ')}, not only ${b.service}`);
  }
  return problems;
}

/** Everything tagged with a split-role plan id (any plan when `planId` is omitted). */
export function planResources(state: AccountState, planId?: string): string[] {
  const ours = (tags: Array<{ Key?: string; Value?: string; key?: string; value?: string }>) =>
    tags.some((t) => (t.Key ?? t.key) === PLAN_ID_TAG && (planId === undefined || (t.Value ?? t.value) === planId));
  return [
    ...state.roles.filter((r) => ours(r.tags)).map((r) => `role ${r.name}`),
    ...state.instanceProfiles.filter((p) => ours(p.tags)).map((p) => `instance profile ${p.name}`),
    ...state.policies.filter((p) => ours(p.tags)).map((p) => `policy ${p.name}`),
    ...state.activeTaskDefinitions.filter((t) => ours(t.tags)).map((t) => `task definition ${t.arn}`),
  ];
}

/**
 * Leftovers: roles this tool made that no workload uses, instance profiles
 * with no role or (when ours) no instance, our managed policies attached
 * nowhere, and our ACTIVE task-definition revisions no service runs.
 */
export function orphanProblems(state: AccountState): string[] {
  const bindings = workloadBindings(state);
  const boundRoles = new Set(bindings.flatMap((b) => b.roleArns));
  const usedProfiles = new Set(Object.values(state.ec2).filter((arn): arn is string => Boolean(arn)));
  const usedTaskDefinitions = new Set(Object.values(state.ecsServices).map((s) => s.taskDefinition));
  const ours = (tags: Array<{ Key?: string; key?: string }>) => tags.some((t) => (t.Key ?? t.key) === PLAN_ID_TAG);
  const problems: string[] = [];
  for (const r of state.roles)
    if (ours(r.tags) && !boundRoles.has(r.arn)) problems.push(`role ${r.name} (split-role) is bound to no workload`);
  for (const p of state.instanceProfiles) {
    if (p.roles.length === 0) problems.push(`instance profile ${p.name} holds no role`);
    else if (ours(p.tags) && !usedProfiles.has(p.arn)) problems.push(`instance profile ${p.name} (split-role) is used by no instance`);
  }
  for (const p of state.policies)
    if (ours(p.tags) && p.attachmentCount === 0) problems.push(`policy ${p.name} (split-role) is attached nowhere`);
  for (const t of state.activeTaskDefinitions) {
    if (ours(t.tags) && !usedTaskDefinitions.has(t.arn))
      problems.push(`task definition ${t.arn} (split-role) is ACTIVE but no service runs it`);
  }
  return problems;
}

/**
 * The state with the values that differ between two seedings of the same
 * scenario replaced by placeholders (instance ids by their seeding order, the
 * plan id), so states from different seeds can be compared with toEqual.
 */
export function normalizeState(state: AccountState, seed: { instanceIds: readonly string[]; planId?: string }): AccountState {
  let text = JSON.stringify(state);
  seed.instanceIds.forEach((id, index) => {
    text = text.split(id).join(`<instance-${index + 1}>`);
  });
  if (seed.planId) text = text.split(seed.planId).join('<plan-id>');
  return JSON.parse(text) as AccountState;
}

function decodeDocument(raw: string | undefined): unknown {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = JSON.parse(decodeURIComponent(raw.replace(/\+/g, ' ')));
  }
  return JSON.parse(canonicalJson(parsed)) as unknown;
}

function sortTags(tags: Array<{ Key?: string; Value?: string }> | undefined): Tags {
  return (tags ?? []).map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })).sort((a, b) => a.Key.localeCompare(b.Key));
}

function sortRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
