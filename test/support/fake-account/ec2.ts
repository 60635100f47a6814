/**
 * EC2 in memory, behind the Ec2Port: instances with instance-profile
 * associations (a replace retires the old association and makes a new one,
 * as EC2 does), and launch templates with numbered versions. One region.
 */
import type { Ec2Port, LaunchTemplateSummary, LaunchTemplateVersionProfile, ProfileAssociation } from '../../../src/aws/ec2.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

type Profile = { arn?: string; name?: string };

interface FakeTemplate {
  id: string;
  name: string;
  defaultVersion: number;
  versions: Map<number, Profile | undefined>;
}

/** Knows which instance profiles exist (the IAM fake), so a replace with an unknown one fails as EC2's does. */
export interface FakeEc2Options {
  knowsProfile?: (arn: string) => boolean;
}

/** EC2 of one region, in memory. */
export class FakeEc2 implements Ec2Port {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof Ec2Port>();
  /** The mutating calls made, in order ("replaceProfileAssociation"). */
  readonly writes: string[] = [];
  private readonly associations: ProfileAssociation[] = [];
  private readonly templates = new Map<string, FakeTemplate>();
  private lostAnswers = 0;
  private seq = 0;

  constructor(private readonly options: FakeEc2Options = {}) {}

  /** Adds an instance, on `profileArn` when given; returns its id. */
  addInstance(profileArn?: string, instanceId = `i-${this.hex()}`): string {
    if (profileArn)
      this.associations.push({ associationId: `iip-assoc-${this.hex()}`, instanceId, instanceProfileArn: profileArn, state: 'associated' });
    return instanceId;
  }

  /** Adds a launch template whose versions (1, 2, …) name these profiles; returns its id. */
  addLaunchTemplate(name: string, versions: ReadonlyArray<Profile | undefined>, defaultVersion = 1): string {
    const id = `lt-${this.hex()}`;
    this.templates.set(id, { id, name, defaultVersion, versions: new Map(versions.map((profile, i) => [i + 1, profile])) });
    return id;
  }

  /** Deletes a template version (a group may still pin it). */
  deleteLaunchTemplateVersion(templateId: string, version: number): void {
    this.templates.get(templateId)?.versions.delete(version);
  }

  /** The instance profile an instance is on now, if any. */
  profileOf(instanceId: string): string | undefined {
    return this.liveAssociation(instanceId)?.instanceProfileArn;
  }

  /** Moves an instance to another profile behind the tool's back (someone else's change). */
  moveBehindTheBack(instanceId: string, profileArn: string): void {
    const current = this.liveAssociation(instanceId);
    if (current) current.state = 'disassociated';
    this.associations.push({ associationId: `iip-assoc-${this.hex()}`, instanceId, instanceProfileArn: profileArn, state: 'associated' });
  }

  /** The next replace takes effect but its answer is lost: the caller sees an error (a dropped connection). */
  loseNextAnswer(): void {
    this.lostAnswers += 1;
  }

  async describeProfileAssociations(filter: { instanceId?: string } = {}): Promise<ProfileAssociation[]> {
    this.faults.check('describeProfileAssociations');
    return this.associations.filter((a) => filter.instanceId === undefined || a.instanceId === filter.instanceId).map((a) => ({ ...a }));
  }

  async replaceProfileAssociation(associationId: string, profileArn: string): Promise<string> {
    this.faults.check('replaceProfileAssociation');
    this.writes.push('replaceProfileAssociation');
    const current = this.associations.find((a) => a.associationId === associationId && a.state === 'associated');
    if (!current) throw new FakeServiceError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
    if (this.options.knowsProfile && !this.options.knowsProfile(profileArn)) {
      throw new FakeServiceError(
        'InvalidParameterValue',
        `Value (${profileArn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`,
      );
    }
    current.state = 'disassociated';
    const replacement = {
      associationId: `iip-assoc-${this.hex()}`,
      instanceId: current.instanceId,
      instanceProfileArn: profileArn,
      state: 'associated',
    };
    this.associations.push(replacement);
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new FakeServiceError('RequestTimeout', 'socket hang up', { fault: 'server', status: 500 });
    }
    return replacement.associationId;
  }

  async describeLaunchTemplates(): Promise<LaunchTemplateSummary[]> {
    this.faults.check('describeLaunchTemplates');
    return [...this.templates.values()].map((t) => ({ id: t.id, name: t.name, latestVersion: Math.max(0, ...t.versions.keys()) }));
  }

  async describeLaunchTemplateVersions(templateId: string, versions: readonly string[]): Promise<LaunchTemplateVersionProfile[]> {
    this.faults.check('describeLaunchTemplateVersions');
    const template = this.templates.get(templateId);
    if (!template)
      throw new FakeServiceError(
        'InvalidLaunchTemplateId.NotFound',
        `The specified launch template, with template ID ${templateId}, does not exist.`,
      );
    return versions.map((wanted) => {
      const number =
        wanted === '$Default' ? template.defaultVersion : wanted === '$Latest' ? Math.max(0, ...template.versions.keys()) : Number(wanted);
      if (!template.versions.has(number)) {
        throw new FakeServiceError(
          'InvalidLaunchTemplateId.VersionNotFound',
          `Could not find launch template version ${wanted} for template ${templateId}`,
        );
      }
      const profile = template.versions.get(number);
      return { version: number, isDefault: number === template.defaultVersion, ...(profile ? { instanceProfile: { ...profile } } : {}) };
    });
  }

  private liveAssociation(instanceId: string): ProfileAssociation | undefined {
    return this.associations.find((a) => a.instanceId === instanceId && (a.state === 'associated' || a.state === 'associating'));
  }

  private hex(): string {
    return (++this.seq).toString(16).padStart(8, '0');
  }
}
