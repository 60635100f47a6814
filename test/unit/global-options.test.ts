/** Bad global AWS flags are one usage line naming the value (issue 10 item 11). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAwsFlags } from '../../src/cli/global-options.js';
import { SplitRoleError } from '../../src/core/errors.js';

describe('checkAwsFlags', () => {
  let dir: string;
  const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'split-role-flags-'));
    await writeFile(join(dir, 'config'), '[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-west-1\n');
    await writeFile(join(dir, 'credentials'), '[ci]\naws_access_key_id = x\naws_secret_access_key = y\n');
    // The SDK's loader reads the files these name.
    process.env.AWS_CONFIG_FILE = join(dir, 'config');
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  });
  afterAll(async () => {
    for (const [key, value] of [
      ['AWS_CONFIG_FILE', saved.config],
      ['AWS_SHARED_CREDENTIALS_FILE', saved.credentials],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(dir, { recursive: true, force: true });
  });

  const refused: Array<{ name: string; flags: Parameters<typeof checkAwsFlags>[0]; env?: NodeJS.ProcessEnv; line: string }> = [
    {
      name: '--endpoint-url notaurl',
      flags: { endpointUrl: 'notaurl' },
      line: "UsageError: --endpoint-url 'notaurl' is not an http(s) URL — pass a URL such as https://iam.example.internal or http://127.0.0.1:5000",
    },
    {
      name: '--endpoint-url ftp://x',
      flags: { endpointUrl: 'ftp://x' },
      line: "UsageError: --endpoint-url 'ftp://x' is not an http(s) URL — pass a URL such as https://iam.example.internal or http://127.0.0.1:5000",
    },
    {
      name: "--region 'not a region!'",
      flags: { region: 'not a region!' },
      line: "UsageError: --region 'not a region!' is not an AWS region name — use a region such as eu-west-1",
    },
    {
      name: 'AWS_REGION with an escape',
      flags: {},
      env: { AWS_REGION: 'eu\u001b[2J' },
      line: "UsageError: AWS_REGION 'eu\\u001B[2J' is not an AWS region name — use a region such as eu-west-1",
    },
    {
      name: '--region us-east-7 (well formed, but no such region)',
      flags: { region: 'us-east-7' },
      line: "UsageError: --region 'us-east-7' is not a region AWS has — did you mean us-east-1? `aws ec2 describe-regions --all-regions` lists them",
    },
    {
      name: 'AWS_DEFAULT_REGION eu-west-9',
      flags: {},
      env: { AWS_DEFAULT_REGION: 'eu-west-9' },
      line: "UsageError: AWS_DEFAULT_REGION 'eu-west-9' is not a region AWS has — did you mean eu-west-1? `aws ec2 describe-regions --all-regions` lists them",
    },
    {
      name: '--profile nope',
      flags: { profile: 'nope' },
      line: "UsageError: --profile names profile 'nope', which is in neither the shared config nor the credentials file — check the name with `aws configure list-profiles`",
    },
    {
      name: 'AWS_PROFILE=nope',
      flags: {},
      env: { AWS_PROFILE: 'nope' },
      line: "UsageError: AWS_PROFILE names profile 'nope', which is in neither the shared config nor the credentials file — check the name with `aws configure list-profiles`",
    },
  ];
  it.each(refused)('refuses $name in one line', async ({ flags, env = {}, line }) => {
    const error = await checkAwsFlags(flags, env).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SplitRoleError);
    expect((error as SplitRoleError).oneLine()).toBe(line);
  });

  it('accepts real values: profiles from either file, regions, http(s) endpoints', async () => {
    for (const flags of [
      { profile: 'dev' },
      { profile: 'ci' },
      { profile: 'default' },
      { region: 'us-gov-west-1' },
      { endpointUrl: 'http://127.0.0.1:5000' },
    ]) {
      await expect(checkAwsFlags(flags, {})).resolves.toBeUndefined();
    }
  });
});
