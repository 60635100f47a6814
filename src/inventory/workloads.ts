/**
 * The workloads bound to a role. The account is indexed once per run (one
 * pass per service, fully paginated); matching a role against the index is
 * pure, so planning several roles costs no extra calls.
 */
import { listGroupLaunchSources, type GroupLaunchSource } from '../aws/autoscaling.js';
import { listLaunchTemplateProfiles, listProfileAssociations, type LaunchTemplateProfile, type ProfileAssociation } from '../aws/ec2.js';
import {
  listActiveTaskDefinitions,
  listClusters,
  listServiceBindings,
  listStandaloneTasks,
  type ServiceBinding,
  type StandaloneTask,
  type TaskDefinitionRoles,
} from '../aws/ecs.js';
import type { RoleSnapshot } from '../aws/iam.js';
import { listFunctionRoles, type FunctionRole } from '../aws/lambda.js';
import type { AwsSession } from '../aws/session.js';
import type { IoHost } from '../core/io-host.js';

/** Everything in the region that can bind a workload to a role. */
export interface AccountIndex {
  associations: ProfileAssociation[];
  launchTemplates: LaunchTemplateProfile[];
  autoScalingGroups: GroupLaunchSource[];
  functions: FunctionRole[];
  taskDefinitions: TaskDefinitionRoles[];
  services: ServiceBinding[];
  standaloneTasks: StandaloneTask[];
}

/** Which services to index; others are skipped to save calls. */
export interface IndexScope {
  ec2: boolean;
  lambda: boolean;
  ecs: boolean;
}

/** The workloads that use one role. */
export interface RoleWorkloads {
  ec2: {
    instanceProfiles: Array<{ name: string; arn: string }>;
    instances: ProfileAssociation[];
    launchTemplates: LaunchTemplateProfile[];
    /** Groups whose launch configuration names the role's profile, or whose launch template does. */
    autoScalingGroups: GroupLaunchSource[];
  };
  lambda: {
    functions: FunctionRole[];
    /** Published versions keep the role they were published with. */
    publishedVersions: FunctionRole[];
  };
  ecs: {
    taskDefinitions: Array<TaskDefinitionRoles & { usesRoleAs: Array<'task' | 'execution'> }>;
    services: ServiceBinding[];
    standaloneTasks: StandaloneTask[];
  };
}

/** Reads every service in scope, in parallel: a fresh look at the account. */
export function indexAccount(session: AwsSession, io: IoHost, scope: IndexScope): Promise<AccountIndex> {
  return new AccountIndexer(session, io).index(scope);
}

/**
 * Reads each service at most once for the life of the indexer, so a run that
 * plans several roles indexes the account once, not once per role.
 */
export class AccountIndexer {
  private ec2?: Promise<Pick<AccountIndex, 'associations' | 'launchTemplates' | 'autoScalingGroups'>>;
  private lambda?: Promise<FunctionRole[]>;
  private ecs?: Promise<Pick<AccountIndex, 'taskDefinitions' | 'services' | 'standaloneTasks'>>;

  constructor(
    private readonly session: AwsSession,
    private readonly io: IoHost,
  ) {}

  /** The index of the services in scope; services read before are not read again. */
  async index(scope: IndexScope): Promise<AccountIndex> {
    const [ec2, lambda, ecs] = await Promise.all([
      scope.ec2 ? (this.ec2 ??= indexEc2(this.session)) : { associations: [], launchTemplates: [], autoScalingGroups: [] },
      scope.lambda ? (this.lambda ??= this.session.lambda().then(listFunctionRoles)) : [],
      scope.ecs ? (this.ecs ??= indexEcs(this.session)) : { taskDefinitions: [], services: [], standaloneTasks: [] },
    ]);
    this.io.notify(
      'progress',
      `indexed ${ec2.associations.length} instance-profile associations, ${lambda.length} Lambda functions and versions, ` +
        `${ecs.taskDefinitions.length} ECS task definitions, ${ecs.services.length} ECS services`,
    );
    return { ...ec2, functions: lambda, ...ecs };
  }
}

async function indexEc2(session: AwsSession): Promise<Pick<AccountIndex, 'associations' | 'launchTemplates' | 'autoScalingGroups'>> {
  const [ec2, autoscaling] = await Promise.all([session.ec2(), session.autoScaling()]);
  const [associations, launchTemplates, autoScalingGroups] = await Promise.all([
    listProfileAssociations(ec2),
    listLaunchTemplateProfiles(ec2),
    listGroupLaunchSources(autoscaling),
  ]);
  return { associations, launchTemplates, autoScalingGroups };
}

async function indexEcs(session: AwsSession): Promise<Pick<AccountIndex, 'taskDefinitions' | 'services' | 'standaloneTasks'>> {
  const ecs = await session.ecs();
  const clusters = await listClusters(ecs);
  const [taskDefinitions, services, standaloneTasks] = await Promise.all([
    listActiveTaskDefinitions(ecs),
    listServiceBindings(ecs, clusters),
    listStandaloneTasks(ecs, clusters),
  ]);
  return { taskDefinitions, services, standaloneTasks };
}

/** The workloads in `index` that use `role`. Pure. */
export function workloadsForRole(index: AccountIndex, role: Pick<RoleSnapshot, 'arn' | 'roleName' | 'instanceProfiles'>): RoleWorkloads {
  const isRole = (value: string | undefined) => namesRole(value, role);
  const profileArns = new Set(role.instanceProfiles.map((p) => p.arn));
  const profileNames = new Set(role.instanceProfiles.map((p) => p.name));
  const namesProfile = (value: string | undefined) => value !== undefined && (profileArns.has(value) || profileNames.has(value));
  const launchTemplates = index.launchTemplates.filter((lt) => namesProfile(lt.instanceProfile.arn) || namesProfile(lt.instanceProfile.name));
  const templateIds = new Set(launchTemplates.map((lt) => lt.launchTemplateId));
  const templateNames = new Set(launchTemplates.map((lt) => lt.launchTemplateName));

  const taskDefinitions = index.taskDefinitions
    .map((td) => ({
      ...td,
      usesRoleAs: [...(isRole(td.taskRoleArn) ? ['task' as const] : []), ...(isRole(td.executionRoleArn) ? ['execution' as const] : [])],
    }))
    .filter((td) => td.usesRoleAs.length > 0);
  const tdArns = new Set(taskDefinitions.map((td) => td.arn));
  const functions = index.functions.filter((fn) => isRole(fn.role));

  return {
    ec2: {
      instanceProfiles: role.instanceProfiles.map(({ name, arn }) => ({ name, arn })),
      instances: index.associations.filter((a) => profileArns.has(a.instanceProfileArn)),
      launchTemplates,
      autoScalingGroups: index.autoScalingGroups.filter(
        (group) =>
          namesProfile(group.launchConfigurationProfile) ||
          (group.launchTemplate?.id !== undefined && templateIds.has(group.launchTemplate.id)) ||
          (group.launchTemplate?.name !== undefined && templateNames.has(group.launchTemplate.name)),
      ),
    },
    lambda: {
      functions: functions.filter((fn) => fn.version === '$LATEST'),
      publishedVersions: functions.filter((fn) => fn.version !== '$LATEST'),
    },
    ecs: {
      taskDefinitions,
      services: index.services.filter((s) => tdArns.has(s.taskDefinition)),
      standaloneTasks: index.standaloneTasks.filter((t) => tdArns.has(t.taskDefinitionArn)),
    },
  };
}

/** ECS accepts a role name or ARN; Lambda always stores the ARN. */
function namesRole(value: string | undefined, role: { arn: string; roleName: string }): boolean {
  if (!value) return false;
  return value.startsWith('arn:') ? value === role.arn : value === role.roleName;
}
