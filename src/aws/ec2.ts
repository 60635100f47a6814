/** EC2 adapter: instance-profile associations and launch templates, pagination hidden. */
import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeLaunchTemplateVersionsCommand,
  ReplaceIamInstanceProfileAssociationCommand,
  paginateDescribeIamInstanceProfileAssociations,
  paginateDescribeLaunchTemplates,
  type EC2Client,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { isLaunchTemplateVersionNotFound } from '../core/aws-error-names.js';
import type { LaunchTemplateUse } from './autoscaling.js';
import { awsCall, awsPages } from './call.js';

/** An instance's binding to an instance profile. */
export interface ProfileAssociation {
  associationId: string;
  instanceId: string;
  instanceProfileArn: string;
  state: string;
}

/** A launch-template version that names an instance profile. */
export interface LaunchTemplateProfile {
  launchTemplateId: string;
  launchTemplateName: string;
  version: number;
  isDefault: boolean;
  /** The template's latest version (what `$Latest` launches). */
  isLatest?: boolean;
  instanceProfile: { arn?: string; name?: string };
}

/** Every instance-profile association in the region (associating and associated ones). */
export async function listProfileAssociations(ec2: EC2Client): Promise<ProfileAssociation[]> {
  const associations: ProfileAssociation[] = [];
  const pages = paginateDescribeIamInstanceProfileAssociations({ client: ec2, pageSize: 1000 }, {});
  for await (const page of awsPages('ec2:DescribeIamInstanceProfileAssociations', pages)) {
    for (const a of page.IamInstanceProfileAssociations ?? []) {
      if (a.State === 'disassociated' || a.State === 'disassociating') continue;
      associations.push({
        associationId: a.AssociationId ?? '',
        instanceId: a.InstanceId ?? '',
        instanceProfileArn: a.IamInstanceProfile?.Arn ?? '',
        state: a.State ?? 'associated',
      });
    }
  }
  return associations;
}

/**
 * The versions of every launch template that name an instance profile: the
 * default and latest, and the numbered versions in `pinned` (those Auto
 * Scaling groups launch, whatever the default is).
 */
export async function listLaunchTemplateProfiles(ec2: EC2Client, pinned: readonly LaunchTemplateUse[] = []): Promise<LaunchTemplateProfile[]> {
  const found: LaunchTemplateProfile[] = [];
  const templates = paginateDescribeLaunchTemplates({ client: ec2, pageSize: 200 }, {});
  for await (const page of awsPages('ec2:DescribeLaunchTemplates', templates)) {
    for (const template of page.LaunchTemplates ?? []) {
      const mine = pinned.filter((p) => (p.id !== undefined && p.id === template.LaunchTemplateId) || (p.name !== undefined && p.name === template.LaunchTemplateName));
      const versions = await templateVersions(ec2, template.LaunchTemplateId ?? '', [...new Set(['$Default', '$Latest', ...mine.map((p) => p.version)])]);
      const seen = new Set<number>();
      for (const version of versions) {
        const profile = version.LaunchTemplateData?.IamInstanceProfile;
        const number = version.VersionNumber ?? 0;
        if ((!profile?.Arn && !profile?.Name) || seen.has(number)) continue;
        seen.add(number);
        found.push({
          launchTemplateId: template.LaunchTemplateId ?? '',
          launchTemplateName: template.LaunchTemplateName ?? '',
          version: number,
          isDefault: version.DefaultVersion ?? false,
          isLatest: number === template.LatestVersionNumber,
          instanceProfile: { arn: profile.Arn, name: profile.Name },
        });
      }
    }
  }
  return found;
}

/**
 * The template's versions among `wanted`. A group may pin a version deleted
 * since (AWS allows it; the group then launches nothing): one missing version
 * fails the whole call, so the versions are then asked one by one and the
 * missing ones left out.
 */
async function templateVersions(ec2: EC2Client, templateId: string, wanted: readonly string[]): Promise<LaunchTemplateVersion[]> {
  const read = (versions: readonly string[]) =>
    awsCall('ec2:DescribeLaunchTemplateVersions', () =>
      ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: [...versions] })),
    ).then((out) => out.LaunchTemplateVersions ?? []);
  try {
    return await read(wanted);
  } catch (error) {
    if (!isLaunchTemplateVersionNotFound(error) || wanted.length === 1) throw error;
  }
  const each = await Promise.all(wanted.map((version) => read([version]).catch((error: unknown) => (isLaunchTemplateVersionNotFound(error) ? [] : Promise.reject(error)))));
  return each.flat();
}

/** The instance's current (associated or associating) profile association, if any. */
export async function instanceAssociation(ec2: EC2Client, instanceId: string): Promise<ProfileAssociation | undefined> {
  const out = await awsCall('ec2:DescribeIamInstanceProfileAssociations', () =>
    ec2.send(new DescribeIamInstanceProfileAssociationsCommand({ Filters: [{ Name: 'instance-id', Values: [instanceId] }] })),
  );
  const live = (out.IamInstanceProfileAssociations ?? []).find((a) => a.State === 'associated' || a.State === 'associating');
  return live
    ? {
        associationId: live.AssociationId ?? '',
        instanceId,
        instanceProfileArn: live.IamInstanceProfile?.Arn ?? '',
        state: live.State ?? 'associated',
      }
    : undefined;
}

/** Swaps an association to another instance profile (by ARN); returns the new association id. */
export async function replaceInstanceProfile(ec2: EC2Client, associationId: string, profileArn: string): Promise<string> {
  const out = await awsCall('ec2:ReplaceIamInstanceProfileAssociation', () =>
    ec2.send(new ReplaceIamInstanceProfileAssociationCommand({ AssociationId: associationId, IamInstanceProfile: { Arn: profileArn } })),
  );
  return out.IamInstanceProfileAssociation?.AssociationId ?? associationId;
}
