/**
 * For suites that open sessions in the test process itself (not a child CLI):
 * the SDK's default credential chain must find fake keys, never a
 * developer's own, and the process environment is put back afterwards.
 */
import { afterAll, beforeAll } from 'vitest';
import { TEST_CREDENTIALS } from './aws-clients.js';

const KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED'] as const;

/** Sets fake credentials in process.env for the enclosing describe, and restores what was there after it. */
export function useFakeCredentialsInProcess(): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const key of KEYS) saved[key] = process.env[key];
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}
