/**
 * IAM in memory, behind the IamPort: roles with inline and attached
 * policies, customer- and AWS-managed policies, instance profiles, tags and
 * RoleLastUsed. Not-found, already-exists and delete-conflict are the SDK's
 * own exception classes, so the code's error handling runs as it does on AWS.
 * See SPEC.md for what is modelled and what is not.
 */
import { DeleteConflictException, NoSuchEntityException, type Tag } from '@aws-sdk/client-iam';
import type {
  Created,
  IamPort,
  InstanceProfileSpec,
  ManagedPolicySpec,
  RoleLastUsed,
  RoleSpec,
  RoleSummary,
} from '../../../src/aws/iam-port.js';
import { SplitRoleError } from '../../../src/core/errors.js';
import type { RoleSnapshot } from '../../../src/core/role-snapshot.js';
import { FaultQueue } from './aws-error.js';

type Tags = Array<{ Key: string; Value: string }>;

interface FakeRole {
  name: string;
  id: string;
  arn: string;
  path: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  trustPolicy: unknown;
  tags: Tags;
  inline: Map<string, unknown>;
  attached: string[];
  lastUsed: RoleLastUsed;
}

interface FakePolicy {
  name: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  document: unknown;
  tags: Tags;
}

interface FakeProfile {
  name: string;
  id: string;
  arn: string;
  path: string;
  tags: Tags;
  roles: string[];
}

/** The operations of the port, for fault injection and the call log. */
export type IamOperation = keyof IamPort;

/** In-memory IAM of one account. */
export class FakeIam implements IamPort {
  /** Every port call, in order: `operation name-or-arn`. */
  readonly calls: string[] = [];
  /** Failures queued for the next calls of an operation. */
  readonly faults = new FaultQueue<IamOperation>();
  private readonly roles = new Map<string, FakeRole>();
  private readonly policies = new Map<string, FakePolicy>();
  private readonly profiles = new Map<string, FakeProfile>();
  private nextId = 1;
  /** Reads of a profile that still show a role just removed from it: IAM's eventual consistency. */
  private removalLag = 0;
  private readonly staleMembers = new Map<string, number>();

  constructor(
    readonly account: string,
    readonly partition = 'aws',
  ) {}

  // ---- seeding and inspection (tests only) ----

  /** Puts a role exactly as a snapshot records it (id and ARN kept), with its managed policies and profiles. */
  seedRole(snapshot: RoleSnapshot): void {
    this.roles.set(snapshot.roleName, {
      name: snapshot.roleName,
      id: snapshot.roleId,
      arn: snapshot.arn,
      path: snapshot.path,
      ...(snapshot.description ? { description: snapshot.description } : {}),
      maxSessionDuration: snapshot.maxSessionDuration,
      ...(snapshot.permissionsBoundaryArn ? { permissionsBoundaryArn: snapshot.permissionsBoundaryArn } : {}),
      trustPolicy: wire(snapshot.trustPolicy),
      tags: snapshot.tags.map((t) => ({ ...t })),
      inline: new Map(snapshot.inlinePolicies.map((p) => [p.name, wire(p.document)])),
      attached: snapshot.attachedPolicies.map((p) => p.arn),
      lastUsed: {},
    });
    for (const p of snapshot.attachedPolicies) {
      if (this.policies.has(p.arn)) continue;
      this.policies.set(p.arn, {
        name: p.name,
        arn: p.arn,
        path: pathOfArn(p.arn),
        defaultVersionId: p.defaultVersionId,
        document: wire(p.document),
        tags: [],
      });
    }
    for (const p of snapshot.instanceProfiles) {
      const profile = this.profiles.get(p.name) ?? {
        name: p.name,
        id: p.id,
        arn: p.arn,
        path: p.path,
        tags: (p.tags ?? []).map((t) => ({ ...t })),
        roles: [],
      };
      if (!profile.roles.includes(snapshot.roleName)) profile.roles.push(snapshot.roleName);
      this.profiles.set(p.name, profile);
    }
  }

  /** Records a use of the role's credentials, as IAM's RoleLastUsed would show it. */
  useRole(roleName: string, at: Date, region: string): void {
    this.role(roleName).lastUsed = { at, region };
  }

  /** True when a role with this ARN exists (what Lambda and ECS check a new execution role against). */
  hasRoleArn(arn: string): boolean {
    return [...this.roles.values()].some((r) => r.arn === arn);
  }

  /** True when an instance profile with this ARN exists and holds a role (what EC2 checks an association against). */
  hasProfileArn(arn: string): boolean {
    return [...this.profiles.values()].some((p) => p.arn === arn);
  }

  /** The role names, sorted. */
  roleNames(): string[] {
    return [...this.roles.keys()].sort();
  }

  /** The customer-managed policy ARNs, sorted (seeded AWS-managed ones included). */
  policyArns(): string[] {
    return [...this.policies.keys()].sort();
  }

  /** Each instance profile with the roles it holds. */
  profileRoles(): Record<string, string[]> {
    return Object.fromEntries([...this.profiles.values()].map((p) => [p.name, [...p.roles]]));
  }

  // ---- the port ----

  async findRole(roleName: string): Promise<RoleSummary | undefined> {
    this.enter('findRole', roleName);
    const role = this.roles.get(roleName);
    if (!role) return undefined;
    // IAM returns trust policies URL-encoded.
    return {
      roleName: role.name,
      roleArn: role.arn,
      roleId: role.id,
      path: role.path,
      trustPolicy: encodeURIComponent(JSON.stringify(role.trustPolicy)),
      tags: Object.fromEntries(role.tags.map((t) => [t.Key, t.Value])),
    };
  }

  async roleSnapshot(roleName: string): Promise<RoleSnapshot> {
    this.enter('roleSnapshot', roleName);
    const role = this.role(roleName);
    const snapshot: RoleSnapshot = {
      roleName: role.name,
      roleId: role.id,
      arn: role.arn,
      path: role.path,
      maxSessionDuration: role.maxSessionDuration,
      trustPolicy: wire(role.trustPolicy),
      tags: role.tags.map((t) => ({ ...t })),
      // ListRolePolicies answers in name order.
      inlinePolicies: [...role.inline.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, document]) => ({ name, document: wire(document) })),
      attachedPolicies: role.attached.map((arn) => {
        const policy = this.policy(arn);
        return {
          arn,
          name: policy.name,
          defaultVersionId: policy.defaultVersionId,
          awsManaged: isAwsManaged(arn),
          document: wire(policy.document),
        };
      }),
      instanceProfiles: [...this.profiles.values()]
        .filter((p) => p.roles.includes(role.name))
        .map((p) => ({
          name: p.name,
          arn: p.arn,
          path: p.path,
          id: p.id,
          ...(p.tags.length > 0 ? { tags: p.tags.map((t) => ({ ...t })) } : {}),
        })),
    };
    if (role.description) snapshot.description = role.description;
    if (role.permissionsBoundaryArn) snapshot.permissionsBoundaryArn = role.permissionsBoundaryArn;
    return snapshot;
  }

  async roleLastUsed(roleName: string): Promise<RoleLastUsed> {
    this.enter('roleLastUsed', roleName);
    return { ...this.role(roleName).lastUsed };
  }

  async roleTags(roleName: string): Promise<Tag[] | undefined> {
    this.enter('roleTags', roleName);
    return this.roles.get(roleName)?.tags.map((t) => ({ ...t }));
  }

  async managedPolicyTags(arn: string): Promise<Tag[] | undefined> {
    this.enter('managedPolicyTags', arn);
    return this.policies.get(arn)?.tags.map((t) => ({ ...t }));
  }

  async instanceProfileTags(name: string): Promise<Tag[] | undefined> {
    this.enter('instanceProfileTags', name);
    return this.profiles.get(name)?.tags.map((t) => ({ ...t }));
  }

  async createRole(spec: RoleSpec): Promise<boolean> {
    this.enter('createRole', spec.roleName);
    if (this.roles.has(spec.roleName)) return false;
    this.roles.set(spec.roleName, {
      name: spec.roleName,
      // A new role always gets a new unique id, even under an old name.
      id: this.newId('AROA'),
      arn: `arn:${this.partition}:iam::${this.account}:role${spec.path}${spec.roleName}`,
      path: spec.path,
      ...(spec.description ? { description: spec.description } : {}),
      maxSessionDuration: spec.maxSessionDuration,
      ...(spec.permissionsBoundaryArn ? { permissionsBoundaryArn: spec.permissionsBoundaryArn } : {}),
      trustPolicy: wire(spec.trustPolicy),
      tags: tags(spec.tags),
      inline: new Map(),
      attached: [],
      lastUsed: {},
    });
    return true;
  }

  async updateAssumeRolePolicy(roleName: string, document: unknown): Promise<void> {
    this.enter('updateAssumeRolePolicy', roleName);
    this.role(roleName).trustPolicy = wire(document);
  }

  async putRolePolicy(roleName: string, policyName: string, document: unknown): Promise<void> {
    this.enter('putRolePolicy', `${roleName}/${policyName}`);
    this.role(roleName).inline.set(policyName, wire(document));
  }

  async deleteRolePolicy(roleName: string, policyName: string): Promise<void> {
    this.enter('deleteRolePolicy', `${roleName}/${policyName}`);
    this.roles.get(roleName)?.inline.delete(policyName);
  }

  async createManagedPolicy(spec: ManagedPolicySpec): Promise<Created> {
    this.enter('createManagedPolicy', spec.arn);
    const arn = `arn:${this.partition}:iam::${this.account}:policy${spec.path}${spec.name}`;
    if (arn !== spec.arn) throw new Error(`fake IAM: the policy ${spec.name} would get ${arn}, not the planned ${spec.arn}`);
    const existing = this.policies.get(arn);
    if (existing) return { created: false, tags: existing.tags.map((t) => ({ ...t })) };
    this.policies.set(arn, {
      name: spec.name,
      arn,
      path: spec.path,
      defaultVersionId: 'v1',
      document: wire(spec.document),
      tags: tags(spec.tags),
    });
    return { created: true };
  }

  async deleteManagedPolicy(arn: string): Promise<void> {
    this.enter('deleteManagedPolicy', arn);
    if (!this.policies.has(arn)) return;
    const holders = [...this.roles.values()].filter((r) => r.attached.includes(arn)).map((r) => r.name);
    if (holders.length > 0) {
      throw new DeleteConflictException({
        message: `Cannot delete a policy attached to entities (${holders.join(', ')}).`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    this.policies.delete(arn);
  }

  async attachRolePolicy(roleName: string, arn: string): Promise<void> {
    this.enter('attachRolePolicy', `${roleName} ${arn}`);
    const role = this.role(roleName);
    this.policy(arn);
    if (!role.attached.includes(arn)) role.attached.push(arn);
  }

  async detachRolePolicy(roleName: string, arn: string): Promise<void> {
    this.enter('detachRolePolicy', `${roleName} ${arn}`);
    const role = this.roles.get(roleName);
    if (role) role.attached = role.attached.filter((a) => a !== arn);
  }

  async ensureInstanceProfile(spec: InstanceProfileSpec): Promise<Created> {
    this.enter('ensureInstanceProfile', spec.name);
    let profile = this.profiles.get(spec.name);
    const created = profile === undefined;
    const before = profile?.tags.map((t) => ({ ...t }));
    if (!profile) {
      profile = {
        name: spec.name,
        id: this.newId('AIPA'),
        arn: `arn:${this.partition}:iam::${this.account}:instance-profile${spec.path}${spec.name}`,
        path: spec.path,
        tags: tags(spec.tags),
        roles: [],
      };
      this.profiles.set(spec.name, profile);
    }
    if (!profile.roles.includes(spec.roleName)) {
      if (profile.roles.length > 0) {
        throw new SplitRoleError(
          'ProfileTaken',
          `instance profile ${spec.name} already holds role ${profile.roles[0]}`,
          'an instance profile holds one role: free it, or re-plan with another --name',
        );
      }
      this.role(spec.roleName);
      profile.roles.push(spec.roleName);
    }
    return { created, ...(before ? { tags: before } : {}) };
  }

  /** From now on, the next `reads` deletes of a profile a role was just removed from still see that role (and answer false). */
  lagRemovals(reads: number): void {
    this.removalLag = reads;
  }

  async removeRoleFromProfile(profileName: string, roleName: string): Promise<void> {
    this.enter('removeRoleFromProfile', `${profileName} ${roleName}`);
    const profile = this.profiles.get(profileName);
    if (profile?.roles.includes(roleName) && this.removalLag > 0) this.staleMembers.set(profileName, this.removalLag);
    if (profile) profile.roles = profile.roles.filter((r) => r !== roleName);
  }

  async deleteEmptyInstanceProfile(profileName: string): Promise<boolean> {
    this.enter('deleteEmptyInstanceProfile', profileName);
    const profile = this.profiles.get(profileName);
    if (!profile) return true;
    const stale = this.staleMembers.get(profileName) ?? 0;
    if (stale > 0) this.staleMembers.set(profileName, stale - 1);
    if (profile.roles.length > 0 || stale > 0) return false;
    this.profiles.delete(profileName);
    return true;
  }

  async deleteRoleCompletely(roleName: string): Promise<void> {
    this.enter('deleteRoleCompletely', roleName);
    if (!this.roles.has(roleName)) return;
    for (const profile of this.profiles.values()) profile.roles = profile.roles.filter((r) => r !== roleName);
    this.roles.delete(roleName);
  }

  // ---- internals ----

  private enter(op: IamOperation, detail: string): void {
    this.calls.push(`${op} ${detail}`);
    this.faults.check(op);
  }

  private role(name: string): FakeRole {
    const role = this.roles.get(name);
    if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
    return role;
  }

  private policy(arn: string): FakePolicy {
    const policy = this.policies.get(arn);
    if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    return policy;
  }

  private newId(prefix: string): string {
    return `${prefix}FAKE${String(this.nextId++).padStart(13, '0')}`;
  }
}

function noSuchEntity(message: string): NoSuchEntityException {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}

/** What a document is after a trip over the wire: a fresh copy, so callers never share state with the fake. */
function wire(document: unknown): unknown {
  return JSON.parse(JSON.stringify(document ?? {})) as unknown;
}

function tags(list: readonly Tag[]): Tags {
  return list.map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' }));
}

function isAwsManaged(arn: string): boolean {
  return /^arn:[^:]+:iam::aws:policy\//.test(arn);
}

function pathOfArn(arn: string): string {
  const rest = arn.split(':policy')[1] ?? '/';
  return rest.slice(0, rest.lastIndexOf('/') + 1) || '/';
}
