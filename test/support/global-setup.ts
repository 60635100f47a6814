/**
 * Starts one moto_server per test worker for the integration suites and
 * hands their endpoints to tests through provide/inject: files run side by
 * side, each on the moto of its worker (see moto-endpoint.ts), so a reset in
 * one never wipes another's account. Without moto a local run skips them
 * loudly; under CI=true that is a failure.
 */
import type { TestProject } from 'vitest/node';
import { MOTO_INSTALL, motoAvailable, startMoto } from './moto-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One endpoint per worker, indexed by VITEST_POOL_ID - 1; empty without moto. */
    motoEndpoints: string[];
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!motoAvailable()) {
    const message = `moto_server is not installed: the integration suites need it. Install it with: ${MOTO_INSTALL}`;
    if (process.env.CI === 'true') throw new Error(message);
    process.stderr.write(`\n${'!'.repeat(78)}\n!! ${message}\n!! SKIPPING every integration test.\n${'!'.repeat(78)}\n\n`);
    project.provide('motoEndpoints', []);
    return undefined;
  }
  // maxWorkers is set once for the whole run (vitest.config.ts), not per project.
  const workers = project.config.maxWorkers ?? project.globalConfig.maxWorkers ?? 1;
  const motos = await Promise.all(Array.from({ length: workers }, () => startMoto()));
  project.provide(
    'motoEndpoints',
    motos.map((moto) => moto.endpoint),
  );
  return async () => {
    await Promise.all(motos.map((moto) => moto.stop()));
  };
}
