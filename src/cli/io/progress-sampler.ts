/**
 * Samples progress for output that cannot redraw a line (CI logs, json-lines):
 * at most one progress message per interval, plus the final figure, so a
 * trail of 10,000 log files does not print 10,000 lines.
 */
import type { IoMessage } from '../../core/io-host.js';

/** How often plain output shows progress, at most. */
export const PROGRESS_INTERVAL_MS = 2000;

/**
 * One series of progress messages: everything between two other messages,
 * like the one updating line a terminal shows. Time comes from the messages,
 * so tests drive it with an injected clock.
 */
export class ProgressSampler {
  private firstAt: number | undefined;
  private shownAt: number | undefined;
  private pending: IoMessage | undefined;

  constructor(private readonly intervalMs = PROGRESS_INTERVAL_MS) {}

  /** Offers a progress message; returns it when it is due to be shown. */
  offer(message: IoMessage): IoMessage | undefined {
    const at = message.time.getTime();
    if (this.firstAt === undefined) {
      // A series that ends quickly shows nothing: it is noise in a log.
      this.firstAt = at;
      this.pending = message;
      return undefined;
    }
    if (at - (this.shownAt ?? this.firstAt) >= this.intervalMs) {
      this.shownAt = at;
      this.pending = undefined;
      return message;
    }
    this.pending = message;
    return undefined;
  }

  /** Ends the series: returns its final figure when the series was long enough to be shown. */
  settle(now: Date): IoMessage | undefined {
    const last = this.pending;
    const show = last !== undefined && (this.shownAt !== undefined || now.getTime() - (this.firstAt as number) >= this.intervalMs);
    this.firstAt = this.shownAt = this.pending = undefined;
    return show ? last : undefined;
  }
}
