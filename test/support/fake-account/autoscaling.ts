/**
 * Auto Scaling in memory, behind the AutoScalingPort: groups (with their
 * launch template, mixed-instances policy or launch configuration) and
 * launch configurations. Read-only, as the adapters use it. One region.
 */
import type { AutoScalingPort, GroupLaunchFields, LaunchConfigurationProfile } from '../../../src/aws/autoscaling.js';
import { FaultQueue } from './aws-error.js';

/** Auto Scaling of one region, in memory. */
export class FakeAutoScaling implements AutoScalingPort {
  /** Fails chosen calls. */
  readonly faults = new FaultQueue<keyof AutoScalingPort>();
  private readonly groups: GroupLaunchFields[] = [];
  private readonly configurations: LaunchConfigurationProfile[] = [];

  /** Adds a group, as DescribeAutoScalingGroups shows it. */
  addGroup(group: GroupLaunchFields): void {
    this.groups.push(structuredClone(group));
  }

  /** Adds a launch configuration naming this instance profile (a name or an ARN), if any. */
  addLaunchConfiguration(name: string, instanceProfile?: string): void {
    this.configurations.push({ LaunchConfigurationName: name, ...(instanceProfile ? { IamInstanceProfile: instanceProfile } : {}) });
  }

  async describeGroups(): Promise<GroupLaunchFields[]> {
    this.faults.check('describeGroups');
    return structuredClone(this.groups);
  }

  async describeLaunchConfigurations(): Promise<LaunchConfigurationProfile[]> {
    this.faults.check('describeLaunchConfigurations');
    return structuredClone(this.configurations);
  }
}
