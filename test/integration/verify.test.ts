/**
 * The cutover flow against moto: apply stops at the soak gate with one line,
 * status shows it, `verify` reads trail files holding AccessDenied records of
 * a new role and calls still made with the shared role, --grant-missing
 * gives back what the shared role granted (rollback removes it), and apply
 * --soak 0 resumes and retires.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPlan } from '../../src/plan/plan-file.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { resetMoto } from '../support/moto-server.js';
import { planScenario, seedOrdersScenario } from '../support/scenario.js';
import { deliverTrailFile, writeTrailFiles } from '../support/trail-files.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';

const endpoint = workerMotoEndpoint();

/**
 * A call by a role session, shaped like the AccessDenied example in
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
function call(
  account: string,
  role: string,
  session: string,
  eventSource: string,
  eventName: string,
  eventTime: string,
  errorCode?: string,
): CloudTrailRecord {
  return {
    eventTime,
    eventSource,
    eventName,
    ...(errorCode ? { errorCode } : {}),
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
      accessKeyId: `ASIA${session
        .replace(/[^A-Z0-9]/gi, '')
        .toUpperCase()
        .slice(0, 16)}`,
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${role}`, userName: role } },
    },
  };
}

describe.skipIf(!endpoint)('soak gate and verify against moto', () => {
  const motoEndpoint = endpoint as string;
  const cli = (args: string[]) =>
    runCli(args, isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' }));
  let workdir: string;
  beforeAll(async () => {
    workdir = await mkdtemp(join(tmpdir(), 'split-role-verify-'));
  });

  it('apply stops at the gate, verify reports and grants, apply --soak 0 retires, rollback undoes the grant', async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint);
    const planPath = await planScenario(motoEndpoint, scenario, workdir);
    const plan = await readPlan(planPath);
    const lambdaRole = plan.newRoles.find((r) => r.service === 'lambda.amazonaws.com')?.roleName as string;

    const bad = await cli(['apply', planPath, '--yes', '--soak', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/UsageError: --soak soon is not a duration/);
    expect((await cli(['status', planPath, '--json'])).stdout).not.toContain('"done"');

    const first = await cli(['apply', planPath, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    const status = JSON.parse((await cli(['status', planPath, '--json'])).stdout) as {
      cutoverAt: string;
      retireGate: string;
      steps: Array<{ stage: string; status: string }>;
    };
    const until = new Date(Date.parse(status.cutoverAt) + 6 * 3_600_000).toISOString();
    expect(first.stdout.trim()).toBe(`retire pending until ${until}`);
    expect(status.retireGate).toBe(`retire pending until ${until}`);
    expect(status.steps.filter((s) => s.stage === 'retire').every((s) => s.status === 'pending')).toBe(true);
    // Re-running before the soak has passed changes nothing and says the same.
    expect((await cli(['apply', planPath, '--yes'])).stdout.trim()).toBe(`retire pending until ${until}`);

    // Just after cutover, so already in the past when verify runs: no clock to wait for.
    const after = (ms: number) => new Date(Date.parse(status.cutoverAt) + ms).toISOString();
    const trail = await mkdtemp(join(workdir, 'after-'));
    const fn = scenario.functionNames[0] as string;
    await writeTrailFiles(
      trail,
      [
        call(scenario.account, lambdaRole, fn, 's3.amazonaws.com', 'PutObject', after(1), 'AccessDenied'),
        call(scenario.account, lambdaRole, fn, 's3.amazonaws.com', 'PutObject', after(2), 'AccessDenied'),
        call(scenario.account, lambdaRole, fn, 'iam.amazonaws.com', 'CreateUser', after(2), 'AccessDenied'),
        call(scenario.account, 'orders', scenario.instanceIds[0] as string, 'dynamodb.amazonaws.com', 'GetItem', after(3)),
      ],
      scenario,
    );
    const verified = await cli(['verify', planPath, '--cloudtrail-logs', trail, '--json']);
    expect(verified.code, verified.stderr).toBe(1);
    const report = JSON.parse(verified.stdout) as {
      denied: Array<{ roleName: string; action: string; count: number; sharedGranted: boolean }>;
      sharedCalls: Array<{ workload?: string; sessionName: string; count: number }>;
      problems: number;
      workloadProblems: string[];
    };
    expect(report.workloadProblems).toEqual([]);
    expect(report.denied).toEqual([
      expect.objectContaining({ roleName: lambdaRole, action: 'iam:CreateUser', count: 1, sharedGranted: false }),
      expect.objectContaining({ roleName: lambdaRole, action: 's3:PutObject', count: 2, sharedGranted: true }),
    ]);
    expect(report.sharedCalls).toEqual([expect.objectContaining({ workload: `EC2 instance ${scenario.instanceIds[0]}`, count: 1 })]);
    expect(report.problems).toBe(2);
    const text = await cli(['verify', planPath, '--cloudtrail-logs', trail]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/s3:PutObject .* yes: the split dropped it/);

    // Lambda never used s3:PutObject before cutover (EC2 did): --grant-missing alone withholds it, --grant-any grants it.
    const withheld = await cli(['verify', planPath, '--cloudtrail-logs', trail, '--grant-missing', '--json']);
    expect(JSON.parse(withheld.stdout)).toMatchObject({ granted: [], notGranted: [{ roleName: lambdaRole, actions: ['s3:PutObject'] }] });
    const granted = await cli(['verify', planPath, '--cloudtrail-logs', trail, '--grant-missing', '--grant-any', '--json']);
    expect(JSON.parse(granted.stdout)).toHaveProperty('granted', [{ roleName: lambdaRole, actions: ['s3:PutObject'] }]);
    const iam = new IAMClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const policy = await iam.send(new GetRolePolicyCommand({ RoleName: lambdaRole, PolicyName: 'split-role-granted-after-verify' }));
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toContain('s3:PutObject');
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).not.toContain('iam:CreateUser');

    // Right after cutover the plan's trail holds nothing past it: even with --soak 0 retirement waits for delivery.
    const early = await cli(['apply', planPath, '--yes', '--soak', '0']);
    expect(early.code, early.stderr).toBe(0);
    expect(early.stdout.trim()).toBe(`retire pending until ${new Date(Date.parse(status.cutoverAt) + 15 * 60_000).toISOString()}`);
    expect(early.stderr).toMatch(/retire gate: \d+ record\(s\) read from .* since cutover, latest event (none|\S+)/);
    // CloudTrail delivers a file past cutover; moto never records RoleLastUsed, and the trail shows no call with the shared role.
    await deliverTrailFile(dirname(planPath), scenario);
    const second = await cli(['apply', planPath, '--yes', '--soak', '0', '--delivery-lag', '0']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Done.');
    const journal = await readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8');
    expect(journal).toContain('"step":"retire:role"');

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stderr).toContain(`take back the actions verify granted ${lambdaRole}`);
    // One flow of ten CLI runs: on a loaded machine it outlasts the default minute.
  }, 600_000);

  it('a trail file after cutover that cannot be read refuses retirement, and verify says so with a non-zero exit', async () => {
    await resetMoto(motoEndpoint);
    const scenario = await seedOrdersScenario(motoEndpoint);
    const planPath = await planScenario(motoEndpoint, scenario, workdir);
    const first = await cli(['apply', planPath, '--yes']);
    expect(first.code, first.stderr).toBe(0);
    const { cutoverAt } = JSON.parse((await cli(['status', planPath, '--json'])).stdout) as { cutoverAt: string };
    const after = (ms: number) => new Date(Date.parse(cutoverAt) + ms).toISOString();
    // A delivered file holding a call with the shared role, its gzip cut short, in the trail the plan read.
    const staging = await mkdtemp(join(workdir, 'staging-'));
    const [written] = await writeTrailFiles(
      staging,
      [call(scenario.account, 'orders', scenario.instanceIds[0] as string, 'dynamodb.amazonaws.com', 'GetItem', after(1))],
      scenario,
    );
    // Beside, not over, the plan's own files of that day.
    const cut = join(dirname(planPath), (written as string).replace(/_0000\.json\.gz$/, '_9999.json.gz'));
    await mkdir(dirname(cut), { recursive: true });
    const whole = await readFile(join(staging, written as string));
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length / 2)));

    const verified = await cli(['verify', planPath]);
    expect(verified.code, verified.stderr).toBe(2);
    expect(verified.stderr).toMatch(/TooManySkippedFiles: 1 of \d+ trail files .* could not be read/);
    const retire = await cli(['apply', planPath, '--yes', '--soak', '0']);
    expect(retire.code, retire.stderr).toBe(2);
    expect(retire.stderr).toMatch(/TooManySkippedFiles/);
    const iam = new IAMClient({ endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
    expect((await iam.send(new GetRoleCommand({ RoleName: 'orders' }))).Role?.RoleName).toBe('orders');
    const journal = await readFile(planPath.replace(/\.json$/, '.journal.jsonl'), 'utf8');
    expect(journal).not.toContain('"event":"step-begin","step":"retire:');
  }, 300_000);
});
