/**
 * Walks every operation of the AWS API models of common services (botocore's
 * models, which come with moto) and checks that the event → action mapping
 * turns each into actions the IAM action catalog knows, or that the operation
 * is on the reviewed exception list below with its reason. Locally, without
 * botocore, the suite is skipped loudly; with CI=true that is a failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { eventToActions } from '../../src/evidence/event-action.js';
import { actionCatalog } from '../../src/policy/action-catalog.js';

/** botocore service folder → CloudTrail eventSource, where it is not "<endpointPrefix>.amazonaws.com". */
const EVENT_SOURCE: Record<string, string> = {
  'bedrock-runtime': 'bedrock.amazonaws.com',
  ecr: 'ecr.amazonaws.com',
  'ecr-public': 'ecr-public.amazonaws.com',
};

const SERVICES = [
  'acm',
  'apigateway',
  'appsync',
  'athena',
  'autoscaling',
  'backup',
  'batch',
  'bedrock',
  'bedrock-runtime',
  'cloudformation',
  'cloudfront',
  'cloudwatch',
  'codebuild',
  'codecommit',
  'codepipeline',
  'cognito-identity',
  'cognito-idp',
  'comprehend',
  'config',
  'dynamodb',
  'dynamodbstreams',
  'ec2',
  'ecr',
  'ecr-public',
  'ecs',
  'efs',
  'eks',
  'elasticache',
  'elbv2',
  'emr',
  'es',
  'events',
  'firehose',
  'glue',
  'guardduty',
  'iam',
  'kafka',
  'kinesis',
  'kms',
  'lambda',
  'logs',
  'mq',
  'opensearch',
  'organizations',
  'pinpoint',
  'polly',
  'rds',
  'redshift',
  'redshift-data',
  'rekognition',
  'route53',
  's3',
  'sagemaker-runtime',
  'scheduler',
  'secretsmanager',
  'securityhub',
  'ses',
  'sesv2',
  'sns',
  'sqs',
  'ssm',
  'stepfunctions',
  'sts',
  'textract',
  'transcribe',
  'translate',
  'xray',
];

const NOT_IN_CATALOG =
  'the Service Authorization Reference (the catalog) names no action for this operation yet: a call is listed as an unmapped event for review, never granted silently';
const TOKEN_AUTHORISED = "authorised by the end user's Cognito access token, not by IAM: a role never needs an action for it";

/** Reviewed operations that map to no catalog action, each with why that is right. */
const EXCEPTIONS: Record<string, string> = {
  'sts:GetCallerIdentity': 'needs no permission and cannot be denied: granting it would mean nothing',
  'cognito-idp:CompleteWebAuthnRegistration': TOKEN_AUTHORISED,
  'cognito-idp:DeleteWebAuthnCredential': TOKEN_AUTHORISED,
  'cognito-idp:GetUserAuthFactors': TOKEN_AUTHORISED,
  'cognito-idp:ListWebAuthnCredentials': TOKEN_AUTHORISED,
  'cognito-idp:StartWebAuthnRegistration': TOKEN_AUTHORISED,
  's3:RenameObject': NOT_IN_CATALOG,
  'ecr:ListImageReferrers': NOT_IN_CATALOG,
  'logs:GetLogObject': NOT_IN_CATALOG,
  'cloudwatch:DescribeAlarmContributors': NOT_IN_CATALOG,
  'iam:UpdateDelegationRequest': NOT_IN_CATALOG,
  'bedrock-runtime:InvokeModelWithBidirectionalStream': NOT_IN_CATALOG,
  'glue:BatchGetDataQualityResult': NOT_IN_CATALOG,
  'glue:BatchPutDataQualityStatisticAnnotation': NOT_IN_CATALOG,
  'glue:GetMaterializedViewRefreshTaskRun': NOT_IN_CATALOG,
  'glue:GetUnfilteredPartitionMetadata': NOT_IN_CATALOG,
  'glue:GetUnfilteredPartitionsMetadata': NOT_IN_CATALOG,
  'glue:GetUnfilteredTableMetadata': NOT_IN_CATALOG,
  'glue:ListDataQualityStatisticAnnotations': NOT_IN_CATALOG,
  'glue:ListDataQualityStatistics': NOT_IN_CATALOG,
  'glue:ListMaterializedViewRefreshTaskRuns': NOT_IN_CATALOG,
  'glue:StartMaterializedViewRefreshTaskRun': NOT_IN_CATALOG,
  'glue:StopMaterializedViewRefreshTaskRun': NOT_IN_CATALOG,
  'rds:DescribeServerlessV2PlatformVersions': NOT_IN_CATALOG,
  'cloudfront:ListDistributionsByOwnedResource': NOT_IN_CATALOG,
  'redshift:ModifyLakehouseConfiguration': NOT_IN_CATALOG,
  'securityhub:BatchUpdateFindingsV2': NOT_IN_CATALOG,
  'securityhub:GetFindingStatisticsV2': NOT_IN_CATALOG,
  'securityhub:GetFindingsV2': NOT_IN_CATALOG,
  'securityhub:RegisterConnectorV2': NOT_IN_CATALOG,
};

function botocoreData(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const dir = join(probe.stdout.trim(), 'data');
  return existsSync(dir) ? dir : undefined;
}

/** The newest API model of a service: its operation names and metadata. */
function readModel(data: string, service: string): { endpointPrefix: string; operations: string[] } {
  const dir = join(data, service);
  const version = readdirSync(dir)
    .filter((v) => existsSync(join(dir, v, 'service-2.json.gz')) || existsSync(join(dir, v, 'service-2.json')))
    .sort()
    .pop();
  if (!version) throw new Error(`no API model for ${service} in ${dir}`);
  const gz = join(dir, version, 'service-2.json.gz');
  const text = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : readFileSync(join(dir, version, 'service-2.json'), 'utf8');
  const model = JSON.parse(text) as { metadata: { endpointPrefix: string }; operations: Record<string, unknown> };
  return { endpointPrefix: model.metadata.endpointPrefix, operations: Object.keys(model.operations) };
}

const data = botocoreData();
if (!data) {
  const message = 'botocore (installed with moto: pip install "moto[server]") not found: the API-model walk of event → action is skipped';
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\n*** ${message} ***\n\n`);
}

describe.skipIf(!data)('event → action over the AWS API models of common services', () => {
  const catalog = actionCatalog();

  it(`covers at least 50 services`, () => {
    expect(SERVICES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(SERVICES)('%s: every operation maps to catalog actions or is a reviewed exception', (service) => {
    const model = readModel(data as string, service);
    const source = EVENT_SOURCE[service] ?? `${model.endpointPrefix}.amazonaws.com`;
    const wrong: string[] = [];
    const stale: string[] = [];
    for (const operation of model.operations) {
      const actions = eventToActions(source, operation);
      const exception = EXCEPTIONS[`${service}:${operation}`];
      const maps = actions.length > 0 && actions.every((action) => catalog.has(action));
      if (exception !== undefined) {
        expect(exception.length, `reason for ${service}:${operation}`).toBeGreaterThan(20);
        // An exception that now maps is stale: remove it so the list stays honest.
        if (maps) stale.push(operation);
      } else if (!maps) {
        wrong.push(`${operation} → ${JSON.stringify(actions)}`);
      }
    }
    expect(wrong, `${service} operations that map to no catalog action`).toEqual([]);
    expect(stale, `${service} exceptions that now map`).toEqual([]);
  });
});

describe('mapping fixes the catalog showed', () => {
  const catalog = actionCatalog();
  const cases: Array<[source: string, name: string, expected: string[]]> = [
    [
      'dynamodb.amazonaws.com',
      'TransactWriteItems',
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    ],
    ['dynamodb.amazonaws.com', 'TransactGetItems', ['dynamodb:GetItem']],
    ['bedrock.amazonaws.com', 'Converse', ['bedrock:InvokeModel']],
    ['bedrock.amazonaws.com', 'ConverseStream', ['bedrock:InvokeModelWithResponseStream']],
    ['lambda.amazonaws.com', 'GetLayerVersionByArn', ['lambda:GetLayerVersion']],
    ['s3.amazonaws.com', 'GetPublicAccessBlock', ['s3:GetBucketPublicAccessBlock']],
    ['s3.amazonaws.com', 'CreateSession', ['s3express:CreateSession']],
    ['pinpoint.amazonaws.com', 'GetApp', ['mobiletargeting:GetApp']],
  ];
  it.each(cases)('%s %s → %j', (source, name, expected) => {
    const actions = eventToActions(source, name);
    expect(actions).toEqual(expected);
    for (const action of actions) expect(catalog.has(action), action).toBe(true);
  });

  it('PartiQL: the verb of each statement when the record carries it, all four when it does not', () => {
    const all = ['dynamodb:PartiQLSelect', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];
    const src = 'dynamodb.amazonaws.com';
    expect(eventToActions(src, 'ExecuteStatement', { statement: 'SELECT * FROM "orders"' })).toEqual(['dynamodb:PartiQLSelect']);
    expect(eventToActions(src, 'ExecuteStatement', { statement: '  update "orders" SET a=1' })).toEqual(['dynamodb:PartiQLUpdate']);
    expect(eventToActions(src, 'ExecuteStatement')).toEqual(all);
    expect(eventToActions(src, 'ExecuteStatement', { statement: 'HIDDEN_DUE_TO_SECURITY_REASONS' })).toEqual(all);
    expect(
      eventToActions(src, 'BatchExecuteStatement', {
        statements: [{ statement: 'INSERT INTO t VALUE {}' }, { statement: 'DELETE FROM t WHERE k=1' }],
      }),
    ).toEqual(['dynamodb:PartiQLInsert', 'dynamodb:PartiQLDelete']);
    expect(eventToActions(src, 'ExecuteTransaction', { transactStatements: [{ statement: 'SELECT a FROM t' }, {}] })).toEqual(all);
    expect(eventToActions(src, 'ExecuteTransaction', {})).toEqual(all);
    for (const action of all) expect(catalog.has(action)).toBe(true);
  });
});
