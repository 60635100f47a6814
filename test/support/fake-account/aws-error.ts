/**
 * Errors shaped like the SDK's service exceptions (name, $fault, $metadata),
 * for fakes of services whose exception classes are not worth loading.
 * Where the SDK class is loaded anyway (IAM), the fakes throw the class itself.
 */

/** A service exception with the SDK's name for it. */
export class FakeServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number };

  constructor(name: string, message: string, options: { fault?: 'client' | 'server'; status?: number } = {}) {
    super(message);
    this.name = name;
    this.$fault = options.fault ?? 'client';
    this.$metadata = { httpStatusCode: options.status ?? (this.$fault === 'server' ? 500 : 400) };
  }
}

/** A one-shot (or n-shot) failure queued for an operation of a fake. */
export class FaultQueue<Op extends string> {
  private readonly queued: Array<{ op: Op; error: Error; left: number }> = [];

  /** Makes the next `times` calls of `op` fail with `error`, before they change anything. */
  failNext(op: Op, error: Error, times = 1): void {
    this.queued.push({ op, error, left: times });
  }

  /** Throws the fault queued for `op`, if any. */
  check(op: Op): void {
    const fault = this.queued.find((f) => f.op === op && f.left > 0);
    if (!fault) return;
    fault.left -= 1;
    throw fault.error;
  }
}
