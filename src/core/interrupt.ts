/**
 * What a command keeps when Ctrl-C stops it. The CLI's SIGINT handler exits
 * at once (process.exit: no finally block runs), so a command that holds work
 * worth keeping (the evidence read so far) registers a hook here; the handler
 * runs the hooks synchronously and adds what they say to its one line.
 */

/** Writes what it keeps and says so in a few words; undefined when it kept nothing. Must be synchronous. */
export type InterruptHook = () => string | undefined;

const hooks = new Set<InterruptHook>();

/** Registers a hook; returns the function that removes it again. */
export function onInterrupt(hook: InterruptHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Runs every hook once (a failing one is skipped: the run is stopping anyway) and returns what they said. */
export function runInterruptHooks(): string[] {
  const notes: string[] = [];
  for (const hook of [...hooks]) {
    hooks.delete(hook);
    try {
      const note = hook();
      if (note) notes.push(note);
    } catch {
      // Nothing to add: the interrupt line still goes out.
    }
  }
  return notes;
}
