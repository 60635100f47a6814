/** The moto_server of the worker running this test file (global-setup.ts starts one per worker). */
import { inject } from 'vitest';

/**
 * This worker's moto endpoint, or undefined when moto is not installed (the
 * suites then skip). VITEST_POOL_ID is unique among the workers running at
 * one time, so two files never share a moto.
 */
export function workerMotoEndpoint(): string | undefined {
  const endpoints = inject('motoEndpoints');
  if (endpoints.length === 0) return undefined;
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const endpoint = endpoints[(pool - 1) % endpoints.length];
  if (!endpoint) throw new Error(`no moto endpoint for worker ${pool} of ${endpoints.length}`);
  return endpoint;
}
