/** Questions asked in order, where "back" re-asks the one before. */
import { GoBack } from '../../core/io-host.js';

/**
 * Runs questions in order; GoBack from one re-asks the one before. GoBack
 * from the first goes to the caller, whose previous question it is.
 */
export async function runSteps(steps: ReadonlyArray<() => Promise<void>>): Promise<void> {
  for (let i = 0; i < steps.length;) {
    try {
      await (steps[i] as () => Promise<void>)();
      i += 1;
    } catch (error) {
      if (!(error instanceof GoBack) || i === 0) throw error;
      i -= 1;
    }
  }
}
