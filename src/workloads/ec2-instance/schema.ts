/** The EC2 instance kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/** An EC2 instance moved to the new EC2 role's instance profile. */
export const ec2InstanceMove = z.object({
  kind: z.literal('ec2-instance'),
  service: z.string(),
  region: moveRegion,
  instanceId: z.string(),
  associationId: z.string(),
  current: z.object({ instanceProfileArn: z.string() }),
  target: z.object({ instanceProfileArn: z.string(), instanceProfileName: z.string(), roleName: z.string() }),
});

/** One EC2 instance move of a plan. */
export type Ec2Move = z.infer<typeof ec2InstanceMove>;
