// Module hooks for loaded-modules.mjs: records each resolved ES module URL as it is resolved.
import { appendFileSync } from 'node:fs';

let log;

/** Receives the log file's path from register(). */
export function initialize(data) {
  log = data.log;
}

/** Passes resolution on unchanged, writing down what it resolved to. */
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (log) appendFileSync(log, resolved.url + '\n');
  return resolved;
}
