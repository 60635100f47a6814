/**
 * What an SDK model does not know. The AWS SDK drops response fields its
 * model lacks, so a read-modify-write through it (EventBridge PutTargets, a
 * Scheduler UpdateSchedule) would silently erase a field AWS added after
 * this SDK version. sendKeepingWire() hands back the response's JSON as it
 * came on the wire beside the parsed output; unknownFields() names the wire
 * fields the SDK's schema (its `Shape$` exports) has no member for.
 */

/** The part of an SDK command the wire capture needs: its middleware stack (every SDK command has one). */
interface StackedCommand {
  middlewareStack: { add(middleware: never, options: never): void };
}

/** The raw-response middleware, in the shape the SDK's deserialize step takes. */
type WireMiddleware = (next: (args: unknown) => Promise<{ response: unknown }>) => (args: unknown) => Promise<{ response: unknown }>;

/** Reads a Node response body (a stream, or bytes already) whole. */
async function readAll(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  }
  return new Uint8Array();
}

/**
 * Sends `command` and returns its parsed output with the JSON body as AWS sent
 * it. The capture sits inside the SDK's deserializer: it reads the body and
 * hands the same bytes on, so parsing is unchanged.
 */
export async function sendKeepingWire<O>(command: StackedCommand, send: () => Promise<O>): Promise<{ output: O; wire: unknown }> {
  let wire: unknown = undefined;
  const keep: WireMiddleware = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as { body?: unknown };
    const bytes = await readAll(response.body);
    response.body = bytes;
    try {
      wire = bytes.length > 0 ? JSON.parse(Buffer.from(bytes).toString('utf8')) : {};
    } catch {
      wire = undefined;
    }
    return result;
  };
  const options = { step: 'deserialize', priority: 'low', name: 'splitRoleKeepWireJson' } as const;
  // The stack's add() is overloaded per step and command; this middleware only reads the raw response, whatever the command.
  command.middlewareStack.add(keep as never, options as never);
  const output = await send();
  return { output, wire };
}

/** A schema as the SDK exports it: [kind, namespace, name, traits, …]; 3 a structure, 1 a list, 2 a map. */
type Schema = readonly unknown[];

/** The schema a member points to: itself, a lazy function, or [schema, traits]. */
function resolve(ref: unknown): Schema | undefined {
  let value = typeof ref === 'function' ? (ref as () => unknown)() : ref;
  if (Array.isArray(value) && typeof value[0] !== 'number')
    value = typeof value[0] === 'function' ? (value[0] as () => unknown)() : value[0];
  return Array.isArray(value) && typeof value[0] === 'number' ? value : undefined;
}

/**
 * The fields of `wire` (JSON as AWS sent it) that `schema` has no member for,
 * as dotted paths under `path` ("Target.FutureParameters"), at any depth of
 * structures, lists and maps.
 */
export function unknownFields(wire: unknown, schemaRef: unknown, path: string): string[] {
  const schema = resolve(schemaRef);
  if (!schema || wire === null || typeof wire !== 'object') return [];
  const [kind] = schema;
  if (kind === 1 && Array.isArray(wire)) return wire.flatMap((item, i) => unknownFields(item, schema[4], `${path}[${i}]`));
  if (kind === 2 && !Array.isArray(wire))
    return Object.entries(wire).flatMap(([key, value]) => unknownFields(value, schema[5], `${path}.${key}`));
  if ((kind === 3 || kind === 4) && !Array.isArray(wire)) {
    const names = schema[4] as readonly string[];
    const members = schema[5] as readonly unknown[];
    return Object.entries(wire).flatMap(([key, value]) => {
      const at = names.indexOf(key);
      return at < 0 ? [`${path}.${key}`] : unknownFields(value, members[at], `${path}.${key}`);
    });
  }
  return [];
}

/** The member names of a structure schema (an SDK `Shape$` export). */
export function memberNames(schemaRef: unknown): readonly string[] {
  const schema = resolve(schemaRef);
  return schema && schema[0] === 3 ? (schema[4] as readonly string[]) : [];
}
