/** The Firehose delivery stream kind's plan-file variant. Only zod here, so reading a plan never loads an AWS SDK. */
import { z } from 'zod';
import { moveRegion } from '../move-fields.js';

/**
 * One destination of a delivery stream moved to the new Firehose role
 * (UpdateDestination with the role fields alone: Firehose merges an update
 * into a destination of the same type, so every other setting stays).
 */
export const firehoseStreamMove = z.object({
  kind: z.literal('firehose-stream'),
  service: z.string(),
  region: moveRegion,
  streamName: z.string(),
  streamArn: z.string(),
  destinationId: z.string(),
  /** The destination's type as DescribeDeliveryStream names it ("ExtendedS3", "Redshift", "HttpEndpoint", …). */
  destinationType: z.string(),
  /** The role fields that move, relative to the destination's description ("RoleARN", "S3DestinationDescription.RoleARN"). */
  fields: z.array(z.string()).min(1),
  /** The stream's VersionId when the plan read it (UpdateDestination re-reads it: each update changes it). */
  versionId: z.string(),
  current: z.object({ roleArn: z.string() }),
  target: z.object({ roleArn: z.string() }),
  /** Firehose uses the destination's role for its next delivery: the repoint takes effect at once (within minutes). */
  takesEffect: z.literal('at-once'),
});

/** One delivery stream destination move of a plan. */
export type FirehoseStreamMove = z.infer<typeof firehoseStreamMove>;
