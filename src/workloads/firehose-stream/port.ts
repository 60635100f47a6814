/**
 * The Firehose port: delivery streams, each described whole (every
 * destination, its source), as the Firehose kind reads and changes them, and
 * its SDK implementation (ListDeliveryStreams' and DescribeDeliveryStream's
 * paging hidden; the SDK loads on first use).
 */
import type { DeliveryStreamDescription, FirehoseClient, UpdateDestinationInput } from '@aws-sdk/client-firehose';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';
import { unlessNotFound } from '../../core/aws-error-names.js';
import { sendKeepingWire } from '../../aws/wire-json.js';

/** A delivery stream as DescribeDeliveryStream tells it, with every destination (its name always set). */
export type StreamDescription = DeliveryStreamDescription & {
  DeliveryStreamName: string;
  /**
   * The DeliveryStreamDescription as AWS sent it, every page's destinations in one list: the SDK drops
   * fields its model lacks, and a role in a field or destination type newer than this SDK is still a use.
   */
  Wire?: unknown;
};

/** What UpdateDestination takes: the stream, the version it was read at, one destination and its *Update structure. */
export type DestinationUpdate = UpdateDestinationInput & {
  DeliveryStreamName: string;
  CurrentDeliveryStreamVersionId: string;
  DestinationId: string;
};

/** What the Firehose kind asks of Firehose in one region. */
export interface FirehosePort {
  /** Every delivery stream of every type, each described whole. */
  listStreams(): Promise<StreamDescription[]>;
  /** One delivery stream, or undefined when it does not exist. */
  getStream(name: string): Promise<StreamDescription | undefined>;
  /** UpdateDestination: merged into a destination of the same type; refused when the version is not the current one. */
  updateDestination(input: DestinationUpdate): Promise<void>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Firehose port over an SDK client. */
export function sdkFirehose(client: FirehoseClient): FirehosePort {
  const sdk = () => loadSdk('client-firehose');
  const describe = async (name: string): Promise<StreamDescription | undefined> => {
    const { DescribeDeliveryStreamCommand } = await sdk();
    let stream: StreamDescription | undefined;
    let wire: Record<string, unknown> | undefined;
    let after: string | undefined;
    return unlessNotFound('ResourceNotFoundException', async () => {
      // A stream lists its destinations a page at a time (HasMoreDestinations).
      for (;;) {
        const command = new DescribeDeliveryStreamCommand({ DeliveryStreamName: name, ExclusiveStartDestinationId: after });
        const { output, wire: raw } = await sendKeepingWire(command, () => client.send(command));
        const page = output.DeliveryStreamDescription;
        if (!page) return stream;
        const rawPage = isObject(raw) && isObject(raw.DeliveryStreamDescription) ? raw.DeliveryStreamDescription : {};
        const rawDestinations = Array.isArray(rawPage.Destinations) ? (rawPage.Destinations as unknown[]) : [];
        const priorRaw = wire && Array.isArray(wire.Destinations) ? (wire.Destinations as unknown[]) : [];
        wire = { ...rawPage, Destinations: [...priorRaw, ...rawDestinations] };
        const destinations = [...(stream?.Destinations ?? []), ...(page.Destinations ?? [])];
        stream = { ...page, DeliveryStreamName: page.DeliveryStreamName ?? name, Destinations: destinations, Wire: wire };
        const last = page.Destinations?.at(-1)?.DestinationId;
        if (!page.HasMoreDestinations || !last || last === after) return stream;
        after = last;
      }
    });
  };
  return {
    async listStreams() {
      const { ListDeliveryStreamsCommand } = await sdk();
      const names: string[] = [];
      let after: string | undefined;
      // Without DeliveryStreamType, every type is listed (DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource).
      for (;;) {
        const page = await client.send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: after }));
        names.push(...(page.DeliveryStreamNames ?? []));
        const last = page.DeliveryStreamNames?.at(-1);
        if (!page.HasMoreDeliveryStreams || !last || last === after) break;
        after = last;
      }
      const streams: StreamDescription[] = [];
      for (const name of names) {
        const stream = await describe(name);
        if (stream) streams.push(stream);
      }
      return streams;
    },
    getStream: describe,
    async updateDestination(input) {
      const { UpdateDestinationCommand } = await sdk();
      await client.send(new UpdateDestinationCommand(input));
    },
  };
}

/** How a session makes the Firehose port. */
export const firehosePorts: PortFactory<FirehosePort> = {
  id: 'firehose',
  async open(sdk) {
    const { FirehoseClient } = await loadSdk('client-firehose');
    return sdkFirehose(await sdk.sdkClient('firehose', 'FirehoseClient', (config) => new FirehoseClient(config)));
  },
};
