/**
 * Kinesis Data Firehose in memory, behind the FirehosePort: delivery streams
 * stored as DescribeDeliveryStream tells them. UpdateDestination behaves as
 * the API reference says: refused unless CurrentDeliveryStreamVersionId is the
 * stream's current version (ConcurrentModificationException), merged into a
 * destination of the same type (a nested S3Update / S3BackupUpdate merged into
 * the S3 description it updates; Iceberg's S3Configuration replaces it), the
 * version bumped; a role Firehose cannot assume is refused ("Firehose is
 * unable to assume role …", InvalidArgumentException).
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_UpdateDestination.html
 */
import type { DestinationDescription } from '@aws-sdk/client-firehose';
import type { DestinationUpdate, FirehosePort, StreamDescription } from '../../../src/workloads/firehose-stream/port.js';
import { destinationOf } from '../../../src/workloads/firehose-stream/roles.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** Where the streams live, and which roles exist (the IAM fake's). */
export interface FakeFirehoseOptions {
  account?: string;
  region?: string;
  knowsRole?: (arn: string) => boolean;
}

/** What a test seeds: a stream without the fields Firehose fills in. */
export interface FakeStreamSeed {
  DeliveryStreamName: string;
  DeliveryStreamType?: StreamDescription['DeliveryStreamType'];
  Source?: StreamDescription['Source'];
  Destinations: DestinationDescription[];
}

type Json = Record<string, unknown>;

/** Firehose of one region, in memory. */
export class FakeFirehose implements FirehosePort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof FirehosePort>();
  /** The mutating calls made, in order ("updateDestination:orders/destinationId-000000000001"). */
  readonly writes: string[] = [];
  /** The UpdateDestination inputs, as sent. */
  readonly updates: DestinationUpdate[] = [];
  private readonly streams = new Map<string, StreamDescription>();

  constructor(private readonly options: FakeFirehoseOptions = {}) {}

  /** Adds an ACTIVE stream at version 1; returns its ARN. */
  addStream(seed: FakeStreamSeed): string {
    const arn = `arn:aws:firehose:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:deliverystream/${seed.DeliveryStreamName}`;
    this.streams.set(
      seed.DeliveryStreamName,
      structuredClone({
        DeliveryStreamType: 'DirectPut',
        ...seed,
        DeliveryStreamARN: arn,
        DeliveryStreamStatus: 'ACTIVE',
        VersionId: '1',
        CreateTimestamp: new Date('2026-12-01T00:00:00.000Z'),
        HasMoreDestinations: false,
      }),
    );
    return arn;
  }

  /** Changes a stream behind the tool's back (status, or any field), bumping its version as an update would. */
  change(name: string, edit: (stream: StreamDescription) => void): void {
    const stream = this.streams.get(name);
    if (!stream) throw new Error(`no stream ${name}`);
    edit(stream);
    stream.VersionId = String(Number(stream.VersionId) + 1);
  }

  /** Deletes a stream. */
  deleteStream(name: string): void {
    this.streams.delete(name);
  }

  /** A stream as stored now. */
  streamOf(name: string): StreamDescription | undefined {
    return structuredClone(this.streams.get(name));
  }

  async listStreams(): Promise<StreamDescription[]> {
    this.faults.check('listStreams');
    return [...this.streams.values()].map((s) => structuredClone(s));
  }

  async getStream(name: string): Promise<StreamDescription | undefined> {
    this.faults.check('getStream');
    return structuredClone(this.streams.get(name));
  }

  async updateDestination(input: DestinationUpdate): Promise<void> {
    this.faults.check('updateDestination');
    const stream = this.streams.get(input.DeliveryStreamName);
    if (!stream) throw new FakeServiceError('ResourceNotFoundException', `Firehose ${input.DeliveryStreamName} not found.`);
    if (stream.DeliveryStreamStatus !== 'ACTIVE')
      throw new FakeServiceError('ResourceInUseException', `Firehose ${input.DeliveryStreamName} is not in the ACTIVE state.`);
    if (stream.VersionId !== input.CurrentDeliveryStreamVersionId)
      throw new FakeServiceError(
        'ConcurrentModificationException',
        `Cannot update firehose: ${input.DeliveryStreamName} since the current version id: ${stream.VersionId} and specified version id: ${input.CurrentDeliveryStreamVersionId} do not match`,
      );
    const destination = stream.Destinations?.find((d) => d.DestinationId === input.DestinationId);
    const current = destination && destinationOf(destination);
    if (!destination || !current) throw new FakeServiceError('InvalidArgumentException', `Destination Id ${input.DestinationId} not found`);
    const updates = Object.entries(input).filter(([key, value]) => key.endsWith('DestinationUpdate') && value);
    if (updates.length !== 1) throw new FakeServiceError('InvalidArgumentException', 'Exactly one destination update is supported');
    const [key, value] = updates[0] as [string, Json];
    const type = key.replace(/DestinationUpdate$/, '');
    if (type !== current.type)
      throw new FakeServiceError('InvalidArgumentException', `the fake changes no destination type (${current.type} → ${type})`);
    for (const role of new Set(rolesIn(value)))
      if (this.options.knowsRole && !this.options.knowsRole(role))
        throw new FakeServiceError(
          'InvalidArgumentException',
          `Firehose is unable to assume role ${role}. Please check the role provided.`,
        );
    this.writes.push(`updateDestination:${input.DeliveryStreamName}/${input.DestinationId}`);
    this.updates.push(structuredClone(input));
    const description = current.description;
    const { S3Update, S3BackupUpdate, S3Configuration, ...top } = value;
    // Same type: what the update names is merged in, what it leaves out is kept.
    Object.assign(description, top);
    if (S3Update) description.S3DestinationDescription = { ...(description.S3DestinationDescription as Json), ...(S3Update as Json) };
    if (S3BackupUpdate) description.S3BackupDescription = { ...(description.S3BackupDescription as Json), ...(S3BackupUpdate as Json) };
    if (S3Configuration) description.S3DestinationDescription = S3Configuration;
    // An ExtendedS3 destination is described as plain S3 too: its shared fields follow.
    if (type === 'ExtendedS3' && destination.S3DestinationDescription)
      Object.assign(destination.S3DestinationDescription, pick(top, Object.keys(destination.S3DestinationDescription)));
    stream.VersionId = String(Number(stream.VersionId) + 1);
    stream.LastUpdateTimestamp = new Date('2026-12-02T00:00:00.000Z');
  }
}

/** Every RoleARN an update sets, at any depth. */
function rolesIn(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Json).flatMap(([key, v]) => (key === 'RoleARN' && typeof v === 'string' ? [v] : rolesIn(v)));
}

function pick(from: Json, keys: readonly string[]): Json {
  return Object.fromEntries(Object.entries(from).filter(([k]) => keys.includes(k)));
}
