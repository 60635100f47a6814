/** Auto Scaling adapter: groups and the instance profile their launch configuration or template names. */
import { paginateDescribeAutoScalingGroups, paginateDescribeLaunchConfigurations, type AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { collectPages } from './call.js';

/** What an Auto Scaling group launches instances with. */
export interface GroupLaunchSource {
  groupName: string;
  /** The launch configuration's instance profile (a name or an ARN), when it uses one. */
  launchConfigurationProfile?: string;
  launchConfigurationName?: string;
  /** The launch template, when it uses one (directly or in a mixed-instances policy). */
  launchTemplate?: { id?: string; name?: string };
}

/** Every Auto Scaling group with its launch source. */
export async function listGroupLaunchSources(autoscaling: AutoScalingClient): Promise<GroupLaunchSource[]> {
  const [groups, configurations] = await Promise.all([
    collectPages('autoscaling:DescribeAutoScalingGroups', paginateDescribeAutoScalingGroups({ client: autoscaling, pageSize: 100 }, {}), (p) => p.AutoScalingGroups ?? []),
    collectPages('autoscaling:DescribeLaunchConfigurations', paginateDescribeLaunchConfigurations({ client: autoscaling, pageSize: 100 }, {}), (p) => p.LaunchConfigurations ?? []),
  ]);
  const profileOf = new Map(configurations.map((c) => [c.LaunchConfigurationName ?? '', c.IamInstanceProfile]));
  return groups.map((group) => {
    const template = group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    const source: GroupLaunchSource = { groupName: group.AutoScalingGroupName ?? '' };
    if (group.LaunchConfigurationName) {
      source.launchConfigurationName = group.LaunchConfigurationName;
      const profile = profileOf.get(group.LaunchConfigurationName);
      if (profile) source.launchConfigurationProfile = profile;
    }
    if (template) source.launchTemplate = { id: template.LaunchTemplateId, name: template.LaunchTemplateName };
    return source;
  });
}
