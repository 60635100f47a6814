/**
 * Where a delivery stream names IAM roles, and which of those UpdateDestination
 * can change. Pure. A destination's own RoleARN, its intermediate or backup
 * S3 configuration's RoleARN can be updated in place; a Kinesis or MSK source's
 * role, a VPC delivery's role, a Glue schema role and a Lambda processor's
 * RoleArn parameter cannot be changed by setting a role alone (the source and
 * VPC ones not at all): those stay with the shared role until their owner acts.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_UpdateDestination.html
 */
import type { DestinationDescription, S3DestinationDescription } from '@aws-sdk/client-firehose';
import type { DestinationUpdate, StreamDescription } from './port.js';

/** The destination types DescribeDeliveryStream describes as `<type>DestinationDescription` and UpdateDestination takes as `<type>DestinationUpdate`. */
const DESTINATION_TYPES = [
  'ExtendedS3',
  'Redshift',
  'Elasticsearch',
  'Amazonopensearchservice',
  'AmazonOpenSearchServerless',
  'Splunk',
  'HttpEndpoint',
  'Snowflake',
  'Iceberg',
  // Last: an ExtendedS3 destination is also described as S3 (its plain-S3 view); only a plain S3 destination is S3 alone.
  'S3',
] as const;

/** A role field of one stream: where it is, the role it names, and whether UpdateDestination can change it. */
export interface RoleField {
  /** The destination it belongs to; undefined for the stream's source. */
  destinationId?: string;
  destinationType?: string;
  /** The field's path: relative to the destination's description when movable ("RoleARN"), else from the stream ("Source.KinesisStreamSourceDescription.RoleARN"). */
  path: string;
  roleArn: string;
  movable: boolean;
}

/** The destination's type and description (the first type described, the plain-S3 view of ExtendedS3 last). */
export function destinationOf(d: DestinationDescription): { type: string; description: Record<string, unknown> } | undefined {
  const all: Record<string, unknown> = Object.fromEntries(Object.entries(d));
  for (const type of DESTINATION_TYPES) {
    const description = all[`${type}DestinationDescription`];
    if (description && typeof description === 'object') return { type, description: description as Record<string, unknown> };
  }
  return undefined;
}

/** A string field of an object, when set. */
function str(value: unknown, key: string): string | undefined {
  const field = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/** Every role field of a stream, its source's and each destination's. */
export function roleFields(stream: StreamDescription): RoleField[] {
  const fields: RoleField[] = [];
  const fixed = (path: string, roleArn: string | undefined, destination?: { id: string; type: string }) => {
    if (roleArn)
      fields.push({
        path,
        roleArn,
        movable: false,
        ...(destination ? { destinationId: destination.id, destinationType: destination.type } : {}),
      });
  };
  fixed('Source.KinesisStreamSourceDescription.RoleARN', str(stream.Source?.KinesisStreamSourceDescription, 'RoleARN'));
  fixed(
    'Source.MSKSourceDescription.AuthenticationConfiguration.RoleARN',
    str(stream.Source?.MSKSourceDescription?.AuthenticationConfiguration, 'RoleARN'),
  );
  for (const d of stream.Destinations ?? []) {
    const found = destinationOf(d);
    if (!found || !d.DestinationId) continue;
    const where = { id: d.DestinationId, type: found.type };
    const prefix = `Destinations[${d.DestinationId}].${found.type}DestinationDescription`;
    const movable = (path: string, roleArn: string | undefined) => {
      if (roleArn) fields.push({ destinationId: where.id, destinationType: where.type, path, roleArn, movable: true });
    };
    const { description } = found;
    movable('RoleARN', str(description, 'RoleARN'));
    movable('S3DestinationDescription.RoleARN', str(description.S3DestinationDescription, 'RoleARN'));
    movable('S3BackupDescription.RoleARN', str(description.S3BackupDescription, 'RoleARN'));
    fixed(`${prefix}.VpcConfigurationDescription.RoleARN`, str(description.VpcConfigurationDescription, 'RoleARN'), where);
    const conversion = description.DataFormatConversionConfiguration as { SchemaConfiguration?: unknown } | undefined;
    fixed(
      `${prefix}.DataFormatConversionConfiguration.SchemaConfiguration.RoleARN`,
      str(conversion?.SchemaConfiguration, 'RoleARN'),
      where,
    );
    const processors = (
      description.ProcessingConfiguration as
        { Processors?: Array<{ Parameters?: Array<{ ParameterName?: string; ParameterValue?: string }> }> } | undefined
    )?.Processors;
    (processors ?? []).forEach((p, i) => {
      for (const parameter of p.Parameters ?? [])
        if (parameter.ParameterName === 'RoleArn')
          fixed(`${prefix}.ProcessingConfiguration.Processors[${i}].Parameters.RoleArn`, parameter.ParameterValue, where);
    });
  }
  return fields;
}

/**
 * The UpdateDestination input that sets `fields` of one destination to `roleArn`
 * and nothing else. Firehose merges an update into a destination of the same
 * type, so what is left out is kept; Iceberg's S3Configuration is a whole
 * S3DestinationConfiguration, so it goes back whole as described.
 */
export function roleUpdate(
  stream: StreamDescription,
  destination: { id: string; type: string; description: Record<string, unknown> },
  fields: readonly string[],
  roleArn: string,
): DestinationUpdate {
  const update: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === 'RoleARN') update.RoleARN = roleArn;
    else if (field === 'S3BackupDescription.RoleARN') update.S3BackupUpdate = { RoleARN: roleArn };
    else if (field === 'S3DestinationDescription.RoleARN') {
      if (destination.type === 'Iceberg') {
        const s3 = destination.description.S3DestinationDescription as S3DestinationDescription;
        update.S3Configuration = { ...s3, RoleARN: roleArn };
      } else update.S3Update = { RoleARN: roleArn };
    } else throw new Error(`${field} is not a role field UpdateDestination can set`);
  }
  return {
    DeliveryStreamName: stream.DeliveryStreamName,
    CurrentDeliveryStreamVersionId: stream.VersionId ?? '',
    DestinationId: destination.id,
    [`${destination.type}DestinationUpdate`]: update,
  };
}

/** The value of a movable field of a destination's description now. */
export function fieldValue(description: Record<string, unknown>, field: string): string | undefined {
  if (field === 'RoleARN') return str(description, 'RoleARN');
  const [outer] = field.split('.');
  return str(description[outer ?? ''], 'RoleARN');
}
