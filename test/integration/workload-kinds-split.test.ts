/**
 * The new workload kinds end to end on moto (issue 23: "Lambda + Step
 * Functions" and "CodeBuild + CodePipeline", here in one role): one role shared
 * by a Lambda function, a state machine, a CodeBuild project and a pipeline is planned from trail
 * files, applied, and rolled back, each a CLI run. CodeBuild's UpdateProject
 * and an execution keeping its starting role come from the moto patches
 * (test/support/moto-patches). An execution started before cutover holds
 * apply at verify until it ends. The state machine has a published version
 * and an alias on it: apply routes the alias to a version published with the
 * new role, rollback routes it back and deletes that version.
 */
import { CreateProjectCommand, BatchGetProjectsCommand, CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient, CreatePipelineCommand, GetPipelineCommand, type ActionCategory } from '@aws-sdk/client-codepipeline';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION, seedSharedRole } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { EMPTY_ZIP, planArgs } from '../support/scenario.js';
import { resetMoto } from '../support/moto-server.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { serviceSessionRecords } from '../support/trail-records.js';

const endpoint = workerMotoEndpoint();
const ROLE = 'pipeline';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE}`;
const SERVICES = ['lambda.amazonaws.com', 'states.amazonaws.com', 'codebuild.amazonaws.com', 'codepipeline.amazonaws.com'];

/** One session per service, each making its own calls (what the plan narrows each new role to). */
const records = () =>
  serviceSessionRecords({ arn: ROLE_ARN, name: ROLE }, [
    { principal: 'lambda.amazonaws.com', name: 'worker', calls: [['sqs.amazonaws.com', 'SendMessage']] },
    { principal: 'states.amazonaws.com', name: 'a1b2c3d4-flow', calls: [['lambda.amazonaws.com', 'Invoke']] },
    {
      principal: 'codebuild.amazonaws.com',
      name: 'AWSCodeBuild-0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      calls: [['ecr.amazonaws.com', 'GetAuthorizationToken']],
    },
    { principal: 'codepipeline.amazonaws.com', name: '1700000000000', calls: [['codebuild.amazonaws.com', 'StartBuild']] },
  ]);

describe.skipIf(!endpoint)('Lambda + Step Functions + CodeBuild + CodePipeline sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const lambda = new LambdaClient(config);
  const sfn = new SFNClient(config);
  const codebuild = new CodeBuildClient(config);
  const codepipeline = new CodePipelineClient(config);
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  let dir: string;
  let machineArn: string;
  let aliasArn: string;

  /** The role each workload runs as now. */
  async function roles(): Promise<Record<string, string | undefined>> {
    return {
      lambda: (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'worker' }))).Role,
      states: (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn }))).roleArn,
      ...(await aliasRoute()),
      codebuild: (await codebuild.send(new BatchGetProjectsCommand({ names: ['build'] }))).projects?.[0]?.serviceRole,
      pipeline: (await codepipeline.send(new GetPipelineCommand({ name: 'release' }))).pipeline?.roleArn,
    };
  }

  /** Where the alias sends executions, the role that version runs as, and the machine's versions (newest first). */
  async function aliasRoute(): Promise<Record<string, string | undefined>> {
    const routing = (await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }))).routingConfiguration ?? [];
    const version = routing.map((r) => `${r.stateMachineVersionArn}=${r.weight}`).join(',');
    const stateMachineArn = routing[0]?.stateMachineVersionArn;
    const versions = (await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machineArn }))).stateMachineVersions ?? [];
    return {
      alias: version,
      aliasRole: (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).roleArn,
      versions: versions.map((v) => v.stateMachineVersionArn).join(','),
    };
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    dir = await mkdtemp(join(tmpdir(), 'split-role-kinds-'));
    const { iam } = seedClients(motoEndpoint);
    // One statement per service: moto's CreatePipeline looks for a statement naming CodePipeline alone.
    const trust = SERVICES.map((service) => JSON.parse(serviceTrust(service)) as { Statement: unknown[] }).flatMap((t) => t.Statement);
    const document = JSON.stringify({ Version: '2012-10-17', Statement: trust });
    await seedSharedRole(iam, ROLE, document, [
      'sqs:SendMessage',
      'lambda:InvokeFunction',
      'ecr:GetAuthorizationToken',
      'codebuild:StartBuild',
      's3:DeleteBucket',
    ]);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'worker',
        Role: ROLE_ARN,
        Runtime: 'python3.12',
        Handler: 'a.h',
        Code: { ZipFile: EMPTY_ZIP },
      }),
    );
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'flow', definition, roleArn: ROLE_ARN, publish: true }));
    machineArn = created.stateMachineArn ?? '';
    const routingConfiguration = [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }];
    aliasArn = (await sfn.send(new CreateStateMachineAliasCommand({ name: 'live', routingConfiguration }))).stateMachineAliasArn ?? '';
    await codebuild.send(
      new CreateProjectCommand({
        name: 'build',
        source: { type: 'S3', location: 'bucket/src.zip' },
        artifacts: { type: 'NO_ARTIFACTS' },
        environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' },
        serviceRole: ROLE_ARN,
      }),
    );
    const action = (category: ActionCategory, provider: string, name: string) => ({
      name,
      actionTypeId: { category, owner: 'AWS' as const, provider, version: '1' },
    });
    await codepipeline.send(
      new CreatePipelineCommand({
        pipeline: {
          name: 'release',
          roleArn: ROLE_ARN,
          artifactStore: { type: 'S3', location: 'artifacts' },
          stages: [
            { name: 'Source', actions: [{ ...action('Source', 'S3', 'Fetch'), configuration: { S3Bucket: 'src', S3ObjectKey: 'a.zip' } }] },
            { name: 'Build', actions: [{ ...action('Build', 'CodeBuild', 'Compile'), configuration: { ProjectName: 'build' } }] },
          ],
        },
      }),
    );
    await writeTrailFiles(join(dir, 'trail'), records(), { account: MOTO_ACCOUNT, region: TEST_REGION });
  });

  it(
    'plans a move per kind, holds apply at verify while an older execution runs, then moves and rolls back',
    { timeout: 240_000 },
    async () => {
      const planPath = join(dir, 'pipeline.plan.json');
      const planned = await runCli(planArgs(ROLE, planPath, join(dir, 'trail'), '--regions', TEST_REGION), env());
      expect(planned.stderr).not.toMatch(/split-role: /);
      expect(planned.code).toBe(0);
      const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
        workloads: Array<{ kind: string; takesEffect?: string; target: { roleArn?: string } }>;
        followUps: Array<{ kind: string }>;
      };
      expect(plan.workloads.map((w) => [w.kind, w.takesEffect]).sort()).toEqual([
        ['codebuild-project', 'next-run'],
        ['lambda-function', undefined],
        ['pipeline', 'next-run'],
        ['state-machine', 'next-run'],
      ]);
      expect(plan.followUps.filter((f) => f.kind === 'manual-service')).toEqual([]);
      const review = await readFile(planPath.replace(/\.json$/, '.md'), 'utf8');
      expect(review).toContain('Step Functions state machine (from its next execution; a new version for `live`)');
      expect(review).toContain('CodeBuild project (from its next build)');

      // Started before cutover: it keeps the shared role until it ends, so apply stops at verify and says so.
      const older = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: 'nightly' }));
      const before = await roles();
      const held = await runCli(['apply', planPath, '--yes', '--keep-shared-role'], env());
      expect(held.code).not.toBe(0);
      expect(held.stderr).toMatch(/execution nightly started .* still runs as pipeline/);
      const moved = await roles();
      expect(moved).toEqual({
        lambda: `${ROLE_ARN}-lambda`,
        states: `${ROLE_ARN}-states`,
        alias: `${machineArn}:2=100`,
        aliasRole: `${ROLE_ARN}-states`,
        versions: `${machineArn}:2,${machineArn}:1`,
        codebuild: `${ROLE_ARN}-codebuild`,
        pipeline: `${ROLE_ARN}-codepipeline`,
      });

      await sfn.send(new StopExecutionCommand({ executionArn: older.executionArn }));
      const done = await runCli(['apply', planPath, '--yes', '--keep-shared-role'], env());
      expect(done.stderr).not.toMatch(/split-role: /);
      expect(done.code).toBe(0);

      const rolledBack = await runCli(['rollback', planPath, '--yes'], env());
      expect(rolledBack.stderr).not.toMatch(/split-role: /);
      expect(rolledBack.code).toBe(0);
      expect(await roles()).toEqual(before);
    },
  );
});
