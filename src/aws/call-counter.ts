/** Counts the AWS requests of a run, for --debug output and benchmarks. */

/** Counts of AWS requests made in this run, across every account and region. */
export class CallCounter {
  /** HTTP requests sent, retries included. */
  requests = 0;
  /** Commands issued, each counted once however often it was retried. */
  readonly commands = new Map<string, number>();

  /** Total commands issued. */
  get commandTotal(): number {
    let total = 0;
    for (const n of this.commands.values()) total += n;
    return total;
  }
}

/** The part of an SDK client (or an SDK client's middleware stack) the counter needs. */
export interface CountableStack {
  add: (...args: never[]) => void;
}

/** Adds the counter's middleware to an SDK client's stack. */
export function countCalls(stack: CountableStack, calls: CallCounter): void {
  const typed = stack as unknown as { add: (mw: unknown, opts: { step: string; name: string }) => void };
  typed.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const name = context.commandName ?? 'unknown';
      calls.commands.set(name, (calls.commands.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'splitRoleCommandCounter' },
  );
  // The deserialize step runs once per HTTP attempt, inside the retry loop.
  typed.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      calls.requests += 1;
      return next(args);
    },
    { step: 'deserialize', name: 'splitRoleRequestCounter' },
  );
}
