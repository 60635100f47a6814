/** An ApplyContext over an in-memory region, for driving workload adapters in-process. */
import type { Timings } from '../../../src/core/waits.js';
import type { ApplyContext } from '../../../src/workloads/adapter.js';
import { RecordingIoHost } from '../recording-io-host.js';
import type { FakeWorkloads } from './workloads.js';

/** No pauses, a short consistency budget: fakes settle within a few reads. */
export const FAKE_TIMINGS: Timings = { iamSettleMs: 0, pollIntervalMs: 0, workloadTimeoutMs: 5_000, consistencyBudgetMs: 200 };

/** The context a repoint, undo, drift or verify gets, with a recording IoHost to read warnings from. */
export function fakeApplyContext(region: FakeWorkloads, planId: string): ApplyContext & { io: RecordingIoHost } {
  return { clients: region, region: region.region, io: new RecordingIoHost(), timings: FAKE_TIMINGS, planId };
}
