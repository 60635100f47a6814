/** An IoHost for tests: it keeps every message, question and result instead of printing them. */
import { BaseIoHost, type IoHostSettings, type IoMessage, type IoRequest } from '../../src/core/io-host.js';

/** An IoHost that keeps everything, for tests; `answer` plays the person (otherwise defaults answer). */
export class RecordingIoHost extends BaseIoHost {
  readonly messages: IoMessage[] = [];
  readonly requests: Array<IoRequest<unknown>> = [];
  readonly results: string[] = [];

  constructor(
    private readonly answer?: (request: IoRequest<unknown>) => unknown,
    settings: IoHostSettings = {},
  ) {
    super({ interactive: answer !== undefined, ...settings });
  }

  notify(message: IoMessage): void {
    this.messages.push(message);
  }
  result(text: string): void {
    this.results.push(text);
  }
  override async requestResponse<T>(request: IoRequest<T>): Promise<T> {
    this.requests.push(request);
    return super.requestResponse(request);
  }
  protected ask<T>(request: IoRequest<T>): Promise<T> {
    // A throwing answer rejects, as a person's refusal would.
    return Promise.resolve().then(() => (this.answer as (r: IoRequest<T>) => T)(request));
  }
}
