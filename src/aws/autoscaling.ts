/**
 * The Auto Scaling port: groups and launch configurations, the parts that
 * say which instance profile a group launches with, and its SDK
 * implementation (pagination hidden; command classes load on first use; the
 * session client's middleware translates errors).
 */
import type { AutoScalingClient, AutoScalingGroup, LaunchConfiguration } from '@aws-sdk/client-auto-scaling';
import { loadSdk } from './sdk-modules.js';

/** The part of an Auto Scaling group that says what it launches. */
export type GroupLaunchFields = Pick<
  AutoScalingGroup,
  'AutoScalingGroupName' | 'LaunchConfigurationName' | 'LaunchTemplate' | 'MixedInstancesPolicy'
>;

/** The part of a launch configuration that names an instance profile. */
export type LaunchConfigurationProfile = Pick<LaunchConfiguration, 'LaunchConfigurationName' | 'IamInstanceProfile'>;

/** What the EC2 workload adapter asks of Auto Scaling in one region. */
export interface AutoScalingPort {
  /** Every Auto Scaling group. */
  describeGroups(): Promise<GroupLaunchFields[]>;
  /** Every launch configuration. */
  describeLaunchConfigurations(): Promise<LaunchConfigurationProfile[]>;
}

/** The Auto Scaling port over an SDK client. */
export function sdkAutoScaling(autoscaling: AutoScalingClient): AutoScalingPort {
  const sdk = () => loadSdk('client-auto-scaling');
  return {
    async describeGroups() {
      const { paginateDescribeAutoScalingGroups } = await sdk();
      const pages = paginateDescribeAutoScalingGroups({ client: autoscaling, pageSize: 100 }, {});
      const groups: GroupLaunchFields[] = [];
      for await (const page of pages) groups.push(...(page.AutoScalingGroups ?? []));
      return groups;
    },
    async describeLaunchConfigurations() {
      const { paginateDescribeLaunchConfigurations } = await sdk();
      const pages = paginateDescribeLaunchConfigurations({ client: autoscaling, pageSize: 100 }, {});
      const configurations: LaunchConfigurationProfile[] = [];
      for await (const page of pages) configurations.push(...(page.LaunchConfigurations ?? []));
      return configurations;
    },
  };
}
