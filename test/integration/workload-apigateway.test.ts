/**
 * API Gateway + Lambda end to end on moto (issue 23: "API Gateway +
 * Lambda"): one role trusted by apigateway.amazonaws.com and
 * lambda.amazonaws.com is a Lambda function's role, a REST API's integration
 * and authorizer credentials, and an HTTP API's integration credentials. The
 * first test reads moto's answers through the kinds' own ports (the wire
 * shapes); the second plans from trail files, applies through retirement,
 * verifies and rolls back, each a CLI run, and checks the REST stages serve a
 * new deployment after the move and the old one after rollback, everything
 * else as it was. REST UpdateIntegration and v2 GetAuthorizers come from the
 * moto patches (test/support/moto-patches).
 */
import {
  APIGatewayClient,
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  GetAuthorizersCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetResourcesCommand,
  GetStagesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateAccountCommand,
} from '@aws-sdk/client-api-gateway';
import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateAuthorizerCommand as CreateV2AuthorizerCommand,
  CreateIntegrationCommand,
  CreateStageCommand as CreateV2StageCommand,
  GetAuthorizersCommand as GetV2AuthorizersCommand,
  GetIntegrationsCommand,
  GetStagesCommand as GetV2StagesCommand,
} from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sdkApiGatewayV2 } from '../../src/workloads/apigateway-http/port.js';
import { sdkApiGatewayRest } from '../../src/workloads/apigateway-rest/port.js';
import { MOTO_ACCOUNT, seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION, seedSharedRole } from '../support/aws-clients.js';
import { isolatedAwsEnv, runCli } from '../support/cli.js';
import { workerMotoEndpoint } from '../support/moto-endpoint.js';
import { EMPTY_ZIP, planArgs } from '../support/scenario.js';
import { resetMoto } from '../support/moto-server.js';
import { applyThroughRetire } from '../support/retire.js';
import { writeTrailFiles } from '../support/trail-files.js';
import { serviceSessionRecords } from '../support/trail-records.js';

const endpoint = workerMotoEndpoint();
const ROLE = 'edge';
const ROLE_ARN = `arn:aws:iam::${MOTO_ACCOUNT}:role/${ROLE}`;
const FUNCTION_ARN = `arn:aws:lambda:${TEST_REGION}:${MOTO_ACCOUNT}:function:worker`;
const INVOKE_URI = `arn:aws:apigateway:${TEST_REGION}:lambda:path/2015-03-31/functions/${FUNCTION_ARN}/invocations`;
const LOGS_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/apigateway-logs`;

/** One session per service, each making its own call (what the plan narrows each new role to). */
const records = () =>
  serviceSessionRecords({ arn: ROLE_ARN, name: ROLE }, [
    { principal: 'lambda.amazonaws.com', name: 'worker', calls: [['sqs.amazonaws.com', 'SendMessage']] },
    { principal: 'apigateway.amazonaws.com', name: '7c9e6679f2a1', calls: [['lambda.amazonaws.com', 'Invoke']] },
  ]);

describe.skipIf(!endpoint)('API Gateway + Lambda sharing one role', () => {
  const motoEndpoint = endpoint as string;
  const config = { endpoint: motoEndpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS };
  const rest = new APIGatewayClient(config);
  const v2 = new ApiGatewayV2Client(config);
  const lambda = new LambdaClient(config);
  const env = () => isolatedAwsEnv({ AWS_REGION: TEST_REGION, AWS_ENDPOINT_URL: motoEndpoint, SPLIT_ROLE_FAST_WAITS: '1' });
  const cli = (args: string[]) => runCli(args, env());
  let dir: string;
  let restId: string;
  let resourceId: string;
  let httpId: string;

  /** Everything of the account the split may touch, as AWS answers it now (v2 stage timestamps left out). */
  async function live(): Promise<Record<string, unknown>> {
    const strip = <T extends { $metadata?: unknown }>({ $metadata: _m, ...rest }: T) => rest;
    const v2Stages = (await v2.send(new GetV2StagesCommand({ ApiId: httpId }))).Items ?? [];
    return {
      lambda: (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'worker' }))).Role,
      integration: strip(await rest.send(new GetIntegrationCommand({ restApiId: restId, resourceId, httpMethod: 'POST' }))),
      authorizers: (await rest.send(new GetAuthorizersCommand({ restApiId: restId }))).items,
      stages: (await rest.send(new GetStagesCommand({ restApiId: restId }))).item,
      deployments: (await rest.send(new GetDeploymentsCommand({ restApiId: restId }))).items?.map((d) => d.id),
      httpIntegrations: (await v2.send(new GetIntegrationsCommand({ ApiId: httpId }))).Items,
      httpAuthorizers: (await v2.send(new GetV2AuthorizersCommand({ ApiId: httpId }))).Items,
      httpStages: v2Stages.map(({ CreatedDate: _c, LastUpdatedDate: _l, ...s }) => s),
    };
  }

  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    dir = await mkdtemp(join(tmpdir(), 'split-role-apigateway-'));
    const { iam } = seedClients(motoEndpoint);
    await seedSharedRole(iam, ROLE, serviceTrust('apigateway.amazonaws.com', 'lambda.amazonaws.com'), [
      'sqs:SendMessage',
      'lambda:InvokeFunction',
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

    restId = (await rest.send(new CreateRestApiCommand({ name: 'orders' }))).id ?? '';
    const root = (await rest.send(new GetResourcesCommand({ restApiId: restId }))).items?.[0]?.id ?? '';
    resourceId = (await rest.send(new CreateResourceCommand({ restApiId: restId, parentId: root, pathPart: 'orders' }))).id ?? '';
    await rest.send(new PutMethodCommand({ restApiId: restId, resourceId, httpMethod: 'POST', authorizationType: 'CUSTOM' }));
    await rest.send(
      new PutIntegrationCommand({
        restApiId: restId,
        resourceId,
        httpMethod: 'POST',
        type: 'AWS_PROXY',
        integrationHttpMethod: 'POST',
        uri: INVOKE_URI,
        credentials: ROLE_ARN,
        timeoutInMillis: 9000,
      }),
    );
    await rest.send(
      new CreateAuthorizerCommand({
        restApiId: restId,
        name: 'token-check',
        type: 'TOKEN',
        authorizerUri: INVOKE_URI,
        authorizerCredentials: ROLE_ARN,
        identitySource: 'method.request.header.Authorization',
      }),
    );
    const first = await rest.send(new CreateDeploymentCommand({ restApiId: restId, stageName: 'prod', description: 'release 1' }));
    await rest.send(new CreateStageCommand({ restApiId: restId, stageName: 'dev', deploymentId: first.id, description: 'dev stage' }));

    httpId = (await v2.send(new CreateApiCommand({ Name: 'events', ProtocolType: 'HTTP' }))).ApiId ?? '';
    await v2.send(
      new CreateIntegrationCommand({
        ApiId: httpId,
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: FUNCTION_ARN,
        PayloadFormatVersion: '2.0',
        CredentialsArn: ROLE_ARN,
      }),
    );
    await v2.send(
      new CreateV2AuthorizerCommand({
        ApiId: httpId,
        Name: 'http-check',
        AuthorizerType: 'REQUEST',
        AuthorizerUri: INVOKE_URI,
        AuthorizerCredentialsArn: ROLE_ARN,
        AuthorizerPayloadFormatVersion: '2.0',
        IdentitySource: ['$request.header.Authorization'],
      }),
    );
    await v2.send(new CreateV2StageCommand({ ApiId: httpId, StageName: '$default', AutoDeploy: true }));
    // The region's logging role is another role: read by discovery, nothing of the shared role's.
    await rest.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: LOGS_ROLE }] }));
    await writeTrailFiles(join(dir, 'trail'), records(), { account: MOTO_ACCOUNT, region: TEST_REGION });
  });

  it("the kinds' ports read moto's REST and HTTP APIs: every slot naming the role, and the stages", async () => {
    const restApi = await sdkApiGatewayRest(rest).getApi(restId);
    const stageOf = (await rest.send(new GetStagesCommand({ restApiId: restId }))).item?.[0]?.deploymentId;
    expect(restApi).toEqual({
      apiId: restId,
      name: 'orders',
      slots: [
        { kind: 'integration', id: `${resourceId}/POST`, label: 'integration POST /orders', credentials: ROLE_ARN },
        { kind: 'authorizer', id: expect.any(String), label: 'authorizer token-check', credentials: ROLE_ARN },
      ],
      stages: [
        { stageName: 'prod', deploymentId: stageOf, autoDeploy: false },
        { stageName: 'dev', deploymentId: stageOf, autoDeploy: false },
      ],
    });
    const httpApis = await sdkApiGatewayV2(v2).listApis();
    expect(httpApis).toEqual([
      {
        apiId: httpId,
        name: 'events',
        slots: [
          { kind: 'integration', id: expect.any(String), label: expect.stringMatching(/^integration /), credentials: ROLE_ARN },
          { kind: 'authorizer', id: expect.any(String), label: 'authorizer http-check', credentials: ROLE_ARN },
        ],
        stages: [{ stageName: '$default', autoDeploy: true }],
      },
    ]);
    expect(await sdkApiGatewayRest(rest).getApi('missing0000')).toBeUndefined();
    expect(await sdkApiGatewayRest(rest).accountLogRole?.()).toBe(LOGS_ROLE);
  });

  it('plans each kind, applies through retirement, verifies, and rolls back to the exact account', { timeout: 240_000 }, async () => {
    const planPath = join(dir, 'edge.plan.json');
    const planned = await cli(planArgs(ROLE, planPath, join(dir, 'trail'), '--regions', TEST_REGION));
    expect(planned.stderr).not.toMatch(/split-role: /);
    expect(planned.code).toBe(0);
    const plan = JSON.parse(await readFile(planPath, 'utf8')) as {
      workloads: Array<{ kind: string; takesEffect?: string; stages?: Array<{ stageName: string }> }>;
      followUps: Array<{ kind: string }>;
    };
    expect(plan.workloads.map((w) => [w.kind, w.takesEffect, w.stages?.map((s) => s.stageName)]).sort()).toEqual([
      ['apigateway-http', 'at-once', []],
      ['apigateway-rest', 'at-once', ['prod', 'dev']],
      ['lambda-function', undefined, undefined],
    ]);
    expect(plan.followUps.filter((f) => f.kind === 'manual-service')).toEqual([]);
    const review = await readFile(planPath.replace(/\.json$/, '.md'), 'utf8');
    expect(review).toContain('API Gateway REST API (at once: apply redeploys stages `prod`, `dev`, undeployed edits included)');

    const before = await live();
    const applied = await applyThroughRetire(cli, planPath);
    expect(applied.stderr).not.toMatch(/split-role: /);
    expect(applied.code).toBe(0);
    expect(applied.stderr).toMatch(/Done\./);
    const moved = await live();
    const NEW = `${ROLE_ARN}-apigateway`;
    const stages = moved.stages as Array<{ stageName: string; deploymentId: string }>;
    const added = (moved.deployments as string[]).filter((d) => !(before.deployments as string[]).includes(d));
    // One new deployment, served by both stages: the redeploy is what takes the new role live.
    expect(added).toHaveLength(1);
    expect(stages.map((s) => s.deploymentId)).toEqual([added[0], added[0]]);
    expect(moved).toEqual({
      ...before,
      lambda: `${ROLE_ARN}-lambda`,
      integration: { ...(before.integration as object), credentials: NEW },
      authorizers: (before.authorizers as object[]).map((a) => ({ ...a, authorizerCredentials: NEW })),
      stages: (before.stages as object[]).map((s) => ({ ...s, deploymentId: added[0] })),
      deployments: [...(before.deployments as string[]), added[0]],
      httpIntegrations: (before.httpIntegrations as object[]).map((i) => ({ ...i, CredentialsArn: NEW })),
      httpAuthorizers: (before.httpAuthorizers as object[]).map((a) => ({ ...a, AuthorizerCredentialsArn: NEW })),
    });

    const verified = await cli(['verify', planPath, '--delivery-lag', '0', '--json']);
    expect(verified.stderr).not.toMatch(/split-role: /);
    expect(verified.code, verified.stdout).toBe(0);
    expect((JSON.parse(verified.stdout) as { workloadProblems: string[] }).workloadProblems).toEqual([]);

    const rolledBack = await cli(['rollback', planPath, '--yes']);
    expect(rolledBack.stderr).not.toMatch(/split-role: /);
    expect(rolledBack.code).toBe(0);
    expect(await live()).toEqual(before);
  });
});
