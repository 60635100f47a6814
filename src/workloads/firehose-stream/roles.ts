/**
 * Where a delivery stream names IAM roles, and which of those UpdateDestination
 * can change. Pure. Every field of the stream is looked at (as AWS sent it,
 * when the port kept the wire JSON), so a role in a field or destination type
 * this release does not know still counts as a use of the role. A
 * destination's own RoleARN, and the RoleARN of its intermediate or backup S3
 * configuration and of its Secrets Manager configuration, can be updated in
 * place; every other role field (a Kinesis or MSK source's, a VPC delivery's,
 * a Glue schema's, a Lambda processor's RoleArn parameter, anything unknown)
 * stays as it is until its owner acts.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_UpdateDestination.html
 */
import type { DestinationDescription } from '@aws-sdk/client-firehose';
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

/** The role fields of a destination's description UpdateDestination can set (paths relative to the description). */
const MOVABLE = ['RoleARN', 'S3DestinationDescription.RoleARN', 'S3BackupDescription.RoleARN', 'SecretsManagerConfiguration.RoleARN'];

/** A role field of one stream: where it is, the role it names, and whether UpdateDestination can change it. */
export interface RoleField {
  /** The destination it belongs to; undefined outside the destinations (the source). */
  destinationId?: string;
  destinationType?: string;
  /** Movable: the path in the destination's description ("RoleARN"); else the path from the stream ("Source.KinesisStreamSourceDescription.RoleARN"). */
  path: string;
  roleArn: string;
  movable: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The destination's type and description (the first type described, the plain-S3 view of ExtendedS3 last). */
export function destinationOf(d: DestinationDescription): { type: string; description: Json } | undefined {
  const all: Json = Object.fromEntries(Object.entries(d));
  for (const type of DESTINATION_TYPES) {
    const description = all[`${type}DestinationDescription`];
    if (isObject(description)) return { type, description };
  }
  return undefined;
}

/** Every role ARN under `value`, with its path: RoleARN / RoleArn members, and a processor parameter named RoleArn. */
function rolesUnder(value: unknown, path: string): Array<{ path: string; roleArn: string }> {
  if (Array.isArray(value)) return value.flatMap((item, i) => rolesUnder(item, `${path}[${i}]`));
  if (!isObject(value)) return [];
  const found: Array<{ path: string; roleArn: string }> = [];
  if (value.ParameterName === 'RoleArn' && typeof value.ParameterValue === 'string' && value.ParameterValue !== '')
    found.push({ path: `${path}.ParameterValue`, roleArn: value.ParameterValue });
  for (const [key, member] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if ((key === 'RoleARN' || key === 'RoleArn') && typeof member === 'string') {
      if (member !== '') found.push({ path: at, roleArn: member });
    } else found.push(...rolesUnder(member, at));
  }
  return found;
}

/** Every role field of a stream: its destinations' (movable or not), its source's, and any other. */
export function roleFields(stream: StreamDescription): RoleField[] {
  const whole: Json = Object.fromEntries(Object.entries(stream.Wire ?? stream));
  const { Destinations: destinations, ...rest } = whole;
  const fields: RoleField[] = rolesUnder(rest, '').map((f) => ({ ...f, movable: false }));
  const typed = new Map((stream.Destinations ?? []).map((d) => [d.DestinationId, destinationOf(d)]));
  for (const raw of Array.isArray(destinations) ? destinations : []) {
    if (!isObject(raw)) continue;
    const id = typeof raw.DestinationId === 'string' ? raw.DestinationId : '';
    const type = typed.get(id)?.type;
    const own = type ? `${type}DestinationDescription` : undefined;
    const prefix = `Destinations[${id}]`;
    const extendedRole =
      type === 'ExtendedS3' && isObject(raw.ExtendedS3DestinationDescription) ? raw.ExtendedS3DestinationDescription.RoleARN : undefined;
    for (const f of rolesUnder(raw, prefix)) {
      const inOwn = own && f.path.startsWith(`${prefix}.${own}.`) ? f.path.slice(`${prefix}.${own}.`.length) : undefined;
      // The plain-S3 view of an ExtendedS3 destination repeats its role: the same field, not another one.
      if (f.path === `${prefix}.S3DestinationDescription.RoleARN` && type === 'ExtendedS3' && f.roleArn === extendedRole) continue;
      const where = { destinationId: id, ...(type ? { destinationType: type } : {}) };
      if (inOwn !== undefined && MOVABLE.includes(inOwn)) fields.push({ ...where, path: inOwn, roleArn: f.roleArn, movable: true });
      else fields.push({ ...where, path: f.path, roleArn: f.roleArn, movable: false });
    }
  }
  return fields;
}

/**
 * The UpdateDestination input that sets `fields` of one destination to `roleArn`
 * and nothing else. Firehose merges an update into a destination of the same
 * type, so what is left out is kept; Iceberg's S3Configuration (a whole
 * S3DestinationConfiguration) and a SecretsManagerConfiguration (its
 * `Enabled` is required) go back whole as described, the role changed.
 */
export function roleUpdate(
  stream: StreamDescription,
  destination: { id: string; type: string; description: Json },
  fields: readonly string[],
  roleArn: string,
): DestinationUpdate {
  const update: Json = {};
  const whole = (key: string): Json => ({
    ...(isObject(destination.description[key]) ? destination.description[key] : {}),
    RoleARN: roleArn,
  });
  for (const field of fields) {
    if (field === 'RoleARN') update.RoleARN = roleArn;
    else if (field === 'S3BackupDescription.RoleARN') update.S3BackupUpdate = { RoleARN: roleArn };
    else if (field === 'SecretsManagerConfiguration.RoleARN') update.SecretsManagerConfiguration = whole('SecretsManagerConfiguration');
    else if (field === 'S3DestinationDescription.RoleARN') {
      if (destination.type === 'Iceberg') update.S3Configuration = whole('S3DestinationDescription');
      else update.S3Update = { RoleARN: roleArn };
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
export function fieldValue(description: Json, field: string): string | undefined {
  const value =
    field === 'RoleARN' ? description.RoleARN : ((d) => (isObject(d) ? d.RoleARN : undefined))(description[field.split('.')[0] ?? '']);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
