/**
 * The EC2 port: the instance-profile associations and launch templates the
 * EC2 workload adapter reads and changes, and its SDK implementation
 * (pagination hidden; command classes load on first use; the
 * session client's middleware translates errors).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { loadSdk } from './sdk-modules.js';

/** An instance's binding to an instance profile. */
export interface ProfileAssociation {
  associationId: string;
  instanceId: string;
  instanceProfileArn: string;
  /** associating, associated, disassociating or disassociated. */
  state: string;
}

/** A launch template, as DescribeLaunchTemplates lists it. */
export interface LaunchTemplateSummary {
  id: string;
  name: string;
  latestVersion: number;
}

/** One version of a launch template and the instance profile it names, if any. */
export interface LaunchTemplateVersionProfile {
  version: number;
  isDefault: boolean;
  instanceProfile?: { arn?: string; name?: string };
}

/** What the EC2 workload adapter asks of EC2 in one region. */
export interface Ec2Port {
  /** Instance-profile associations in every state; only the instance's when `instanceId` is given. */
  describeProfileAssociations(filter?: { instanceId?: string }): Promise<ProfileAssociation[]>;
  /** Swaps an association to another instance profile (by ARN); returns the new association id. */
  replaceProfileAssociation(associationId: string, profileArn: string): Promise<string>;
  /** Every launch template in the region. */
  describeLaunchTemplates(): Promise<LaunchTemplateSummary[]>;
  /**
   * The template's versions named in `versions` (`$Default`, `$Latest` or a
   * number). One that does not exist fails the whole call with
   * InvalidLaunchTemplateId.VersionNotFound, as EC2 does.
   */
  describeLaunchTemplateVersions(templateId: string, versions: readonly string[]): Promise<LaunchTemplateVersionProfile[]>;
}

/** The EC2 port over an SDK client. */
export function sdkEc2(ec2: EC2Client): Ec2Port {
  const sdk = () => loadSdk('client-ec2');
  return {
    async describeProfileAssociations(filter = {}) {
      const { DescribeIamInstanceProfileAssociationsCommand, paginateDescribeIamInstanceProfileAssociations } = await sdk();
      if (filter.instanceId !== undefined) {
        const Filters = [{ Name: 'instance-id', Values: [filter.instanceId] }];
        const out = await ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters }));
        return (out.IamInstanceProfileAssociations ?? []).map(toAssociation);
      }
      const associations: ProfileAssociation[] = [];
      for await (const page of paginateDescribeIamInstanceProfileAssociations({ client: ec2, pageSize: 1000 }, {})) {
        associations.push(...(page.IamInstanceProfileAssociations ?? []).map(toAssociation));
      }
      return associations;
    },
    async replaceProfileAssociation(associationId, profileArn) {
      const { ReplaceIamInstanceProfileAssociationCommand } = await sdk();
      const out = await ec2.send(
        new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Arn: profileArn } }),
      );
      return out.IamInstanceProfileAssociation?.AssociationId ?? associationId;
    },
    async describeLaunchTemplates() {
      const { paginateDescribeLaunchTemplates } = await sdk();
      const templates: LaunchTemplateSummary[] = [];
      for await (const page of paginateDescribeLaunchTemplates({ client: ec2, pageSize: 200 }, {})) {
        for (const t of page.LaunchTemplates ?? []) {
          templates.push({ id: t.LaunchTemplateId ?? '', name: t.LaunchTemplateName ?? '', latestVersion: t.LatestVersionNumber ?? 0 });
        }
      }
      return templates;
    },
    async describeLaunchTemplateVersions(templateId, versions) {
      const { DescribeLaunchTemplateVersionsCommand } = await sdk();
      const out = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [...versions] }));
      return (out.LaunchTemplateVersions ?? []).map((v) => {
        const profile = v.LaunchTemplateData?.IamInstanceProfile;
        return {
          version: v.VersionNumber ?? 0,
          isDefault: v.DefaultVersion ?? false,
          ...(profile && (profile.Arn || profile.Name) ? { instanceProfile: { arn: profile.Arn, name: profile.Name } } : {}),
        };
      });
    },
  };
}

function toAssociation(a: {
  AssociationId?: string;
  InstanceId?: string;
  IamInstanceProfile?: { Arn?: string };
  State?: string;
}): ProfileAssociation {
  return {
    associationId: a.AssociationId ?? '',
    instanceId: a.InstanceId ?? '',
    instanceProfileArn: a.IamInstanceProfile?.Arn ?? '',
    state: a.State ?? 'associated',
  };
}
