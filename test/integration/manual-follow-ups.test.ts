/**
 * Retire waits for manual follow-ups (issue 10 item 3), the interactive path:
 * apply in-process against moto, with the terminal's question answered by the
 * test. A "no" keeps the shared role; a "yes" is journaled and lets retire go.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/run.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { readPlan, sealPlan } from '../../src/plan/plan-file.js';
import { captureAccountState } from '../support/account-state.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { resetMoto } from '../support/moto-server.js';
import { planScenario, seedOrdersScenario } from '../support/scenario.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { deliverTrailFile } from '../support/trail-files.js';

const endpoint = workerMotoEndpoint();

describe.skipIf(!endpoint)('apply: retire waits for manual follow-ups, asked on a terminal', () => {
  const motoEndpoint = endpoint as string;
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    // The in-process session's credential chain must find fake keys, never a developer's own.
    for (const key of [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_EC2_METADATA_DISABLED',
      'SPLIT_ROLE_FAST_WAITS',
    ])
      saved[key] = process.env[key];
    process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.SPLIT_ROLE_FAST_WAITS = '1';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('a "no" keeps the shared role and says why; a "yes" is journaled and retire goes ahead', { timeout: 180_000 }, async () => {
    await resetMoto(motoEndpoint);
    const workdir = await mkdtemp(join(tmpdir(), 'split-role-manual-'));
    const scenario = await seedOrdersScenario(motoEndpoint);
    const { digest: _old, ...body } = await readPlan(await planScenario(motoEndpoint, scenario, workdir));
    body.followUps.push({
      kind: 'manual-service',
      resource: 'glue.amazonaws.com',
      message: 'move the Glue jobs that use orders to orders-glue',
    });
    const planPath = join(workdir, 'manual.plan.json');
    await writeFile(planPath, `${JSON.stringify(sealPlan(body), null, 2)}\n`);

    const asked: string[] = [];
    // The person at the terminal: yes to going ahead, `answer` to whether the follow-up was done.
    const person = (answer: boolean) =>
      new RecordingIoHost((request) => {
        if (request.code !== 'SR_APPLY_Q4201') return true;
        asked.push(request.message);
        return answer;
      });
    const aws = { region: TEST_REGION, endpointUrl: motoEndpoint };
    // No soak: the gate's no-use check still runs.
    const options = { soakMs: 0 };

    const first = person(false);
    expect((await applyPlan(planPath, aws, first, options)).outcome).toBe('retire-waiting');
    expect(asked).toEqual(['Done by hand? glue.amazonaws.com: move the Glue jobs that use orders to orders-glue']);
    const summary = first.messages.find((m) => m.code === 'SR_APPLY_I4001')?.message;
    expect(summary).toContain('keep orders: retire waits for 1 manual follow-up(s)');
    expect(summary).toContain('glue.amazonaws.com: move the Glue jobs');
    expect((await captureAccountState(motoEndpoint)).roles.map((r) => r.name)).toContain('orders');

    // CloudTrail delivers past cutover (the plan's trail folder): with the margin waived, the gate can hold.
    await deliverTrailFile(String(body.evidence.config?.location), scenario);
    expect((await applyPlan(planPath, aws, person(true), { ...options, deliveryLagMs: 0 })).outcome).toBe('completed');
    expect(asked).toHaveLength(2);
    expect((await captureAccountState(motoEndpoint)).roles.map((r) => r.name)).not.toContain('orders');
    const journal = (await readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; followUp?: string });
    expect(journal.filter((e) => e.event === 'follow-up-confirmed').map((e) => e.followUp)).toEqual(['glue.amazonaws.com']);
  });
});
