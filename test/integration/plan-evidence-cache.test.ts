/**
 * Ctrl-C during plan's evidence read keeps what was read (issue 24 item 5):
 * the built CLI reads LookupEvents from the loopback fake, is interrupted
 * while the fake holds a request, and a second run asks LookupEvents only for
 * what the first did not finish.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_LAG_MS } from '../../src/evidence/cached-lookup.js';
import { readPlan, reviewPathFor } from '../../src/plan/plan-file.js';
import { TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli, spawnCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { resetMoto } from '../support/moto-server.js';
import { scenarioRecords, seedOrdersScenario } from '../support/scenario.js';
import { startCloudTrailFake, type CloudTrailFake, type LookupCall } from '../fakes/cloudtrail-fake.js';

const endpoint = workerMotoEndpoint();
const HOUR = 3_600_000;

/** The attribute a LookupEvents call asked for, as one string. */
const attributeOf = (call: LookupCall) => call.attributes.map((a) => `${a.AttributeKey}=${a.AttributeValue}`).join();

describe.skipIf(!endpoint)('plan keeps the evidence read when interrupted', () => {
  let fake: CloudTrailFake;
  let workdir: string;
  beforeAll(async () => {
    fake = await startCloudTrailFake();
    workdir = await mkdtemp(join(tmpdir(), 'split-role-evidence-cache-'));
  });
  afterAll(async () => {
    await fake.close();
  });

  it('Ctrl-C mid-read exits 130 saying where the cache is; the next run asks only the unread queries and the newest minutes', async () => {
    await resetMoto(endpoint as string);
    const scenario = await seedOrdersScenario(endpoint as string, { publishVersion: true });
    // An hour old: every event lies where a finished query counts as read whole.
    fake.addRecords(scenarioRecords(scenario, { days: 1, end: new Date(Date.now() - HOUR) }));
    const cache = join(workdir, 'cache');
    const env = isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: endpoint, AWS_ENDPOINT_URL_CLOUDTRAIL: fake.endpoint });
    const args = (out: string) => ['plan', '--role', 'orders', '--yes', '--out', out, '--unobservable', 'keep', '--evidence-cache', cache];

    // The role's AssumeRole events and two sessions are read; the third session's request is held, and the run interrupted there.
    const startedAt = Date.now();
    const hold = fake.holdFrom(4);
    const first = spawnCli(args(join(workdir, 'first.plan.json')), env);
    await hold.reached;
    first.child.kill('SIGINT');
    const interrupted = await first.result;
    hold.release();
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain(`interrupted; the evidence read so far is kept in ${cache}: the same command reads only the rest`);
    const finished = new Set(fake.calls.slice(0, 3).map(attributeOf));
    const unanswered = attributeOf(fake.calls[3]!);
    expect(finished.size).toBe(3);

    const callsBefore = fake.calls.length;
    const out = join(workdir, 'second.plan.json');
    const second = await runCli(args(out), env);
    expect(second.stderr).not.toMatch(/Error|W3013/);
    expect(second.code).toBe(0);
    const calls = fake.calls.slice(callsBefore);
    // What the first run finished is asked again only for the minutes too new to be complete then.
    const again = calls.filter((c) => finished.has(attributeOf(c)));
    expect(again.length).toBe(3);
    for (const call of again) expect(call.startTime! * 1000).toBeGreaterThanOrEqual(startedAt - DELIVERY_LAG_MS - 1000);
    // The held query, never answered, is read over the whole window.
    const unread = calls.filter((c) => attributeOf(c) === unanswered);
    expect(unread.length).toBeGreaterThan(0);
    expect(unread[0]!.startTime! * 1000).toBeLessThan(startedAt - 80 * 24 * HOUR);

    const plan = await readPlan(out);
    expect(plan.evidence.recordsFromCache).toBeGreaterThan(0);
    expect(plan.evidence.recordsFromCache).toBeLessThan(plan.evidence.recordsRead);
    expect(second.stderr).toMatch(
      new RegExp(`${plan.evidence.recordsFromCache} of ${plan.evidence.recordsRead} records came from the evidence cache`),
    );
    expect(await readFile(reviewPathFor(out), 'utf8')).toContain(`of them from the evidence cache of an earlier run`);
    // Nothing was lost: every service's sessions were seen, and the EC2 role keeps what its sessions called.
    expect(plan.evidence.services['ec2.amazonaws.com']?.events).toBeGreaterThan(0);
    expect(plan.evidence.services['lambda.amazonaws.com']?.events).toBeGreaterThan(0);
    const ec2 = plan.newRoles.find((r) => r.service === 'ec2.amazonaws.com');
    expect(ec2?.actions.map((a) => a.action)).toEqual(expect.arrayContaining(['kms:Decrypt', 'ssm:GetParameter']));
  });
});
