/** Plan-file fields every kind's move variant shares. Only zod here. */
import { z } from 'zod';

/** The region the workload lives in: repoint, verify, drift and undo use a client there. */
export const moveRegion = z.string().min(1);

/**
 * When a repoint takes effect, as the review tells it: at once (the next call
 * the workload makes), at the workload's next run (a build, an execution), or
 * only after the owner redeploys something.
 */
export const takesEffect = z.enum(['at-once', 'next-run', 'after-redeploy']);

/** One of the takesEffect values. */
export type TakesEffect = z.infer<typeof takesEffect>;
