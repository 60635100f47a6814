/**
 * The client settings a session provider looks up once per run and hands to
 * every client (src/aws/shared-lookups.ts) still come from the environment
 * and the profile, and each client still applies its own region's rules.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSessionProvider } from '../../src/aws/session.js';

const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
const SET = ['AWS_USE_FIPS_ENDPOINT', 'AWS_USE_DUALSTACK_ENDPOINT', 'AWS_CONFIG_FILE', 'AWS_PROFILE'] as const;
const saved = Object.fromEntries(SET.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of SET) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

/** What one client of `region` resolved for the two shared settings. */
async function endpointFlags(provider: Awaited<ReturnType<typeof openSessionProvider>>, region: string) {
  const ec2 = await (await provider.forTarget({ region })).ec2();
  const lambda = await (await provider.forTarget({ region })).lambda();
  const flags = {
    fips: [await ec2.config.useFipsEndpoint(), await lambda.config.useFipsEndpoint()],
    dualstack: [await ec2.config.useDualstackEndpoint(), await lambda.config.useDualstackEndpoint()],
  };
  provider.destroy();
  return flags;
}

describe('settings shared by every client of a run', () => {
  it('come from the environment, for every region and service', async () => {
    process.env.AWS_USE_FIPS_ENDPOINT = 'true';
    process.env.AWS_USE_DUALSTACK_ENDPOINT = 'true';
    const provider = await openSessionProvider({}, { AWS_REGION: 'us-east-1', ...CREDENTIALS });
    expect(await endpointFlags(provider, 'us-east-1')).toEqual({ fips: [true, true], dualstack: [true, true] });
    expect(await endpointFlags(provider, 'eu-west-1')).toEqual({ fips: [true, true], dualstack: [true, true] });
  });

  it('come from the chosen profile, and a FIPS region still turns FIPS on where the profile does not', async () => {
    delete process.env.AWS_USE_FIPS_ENDPOINT;
    delete process.env.AWS_USE_DUALSTACK_ENDPOINT;
    delete process.env.AWS_PROFILE;
    const dir = await mkdtemp(join(tmpdir(), 'split-role-lookups-'));
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    await writeFile(process.env.AWS_CONFIG_FILE, '[profile dual]\nuse_dualstack_endpoint = true\n');
    const provider = await openSessionProvider({ profile: 'dual' }, { AWS_REGION: 'us-east-1', ...CREDENTIALS });
    expect(await endpointFlags(provider, 'us-west-2')).toEqual({ fips: [false, false], dualstack: [true, true] });
    expect((await endpointFlags(provider, 'fips-us-east-1')).fips).toEqual([true, true]);
    const plain = await openSessionProvider({}, { AWS_REGION: 'us-east-1', ...CREDENTIALS });
    expect(await endpointFlags(plain, 'us-west-2')).toEqual({ fips: [false, false], dualstack: [false, false] });
  });
});
