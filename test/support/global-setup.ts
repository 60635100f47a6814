/**
 * Starts one moto_server for the integration suites and hands its endpoint to
 * tests through provide/inject. Without moto a local run skips them loudly;
 * under CI=true that is a failure.
 */
import type { TestProject } from 'vitest/node';
import { MOTO_INSTALL, motoAvailable, startMoto } from './moto-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string | undefined;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!motoAvailable()) {
    const message = `moto_server is not installed: the integration suites need it. Install it with: ${MOTO_INSTALL}`;
    if (process.env.CI === 'true') throw new Error(message);
    process.stderr.write(`\n${'!'.repeat(78)}\n!! ${message}\n!! SKIPPING every integration test.\n${'!'.repeat(78)}\n\n`);
    project.provide('motoEndpoint', undefined);
    return undefined;
  }
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
