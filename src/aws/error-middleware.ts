/**
 * One SDK middleware on every client turns a failed call into a SplitRoleError
 * that names the IAM action to grant, derived from the client and command
 * names, so no call site has to name its action by hand. Paginators send
 * through the same client and are covered too.
 */
import { translateAwsError } from './errors.js';

/** IAM's service prefix per SDK client name (the SDK's own names do not always match it). */
const SERVICE_PREFIXES: Readonly<Record<string, string>> = {
  AccessAnalyzerClient: 'access-analyzer',
  AthenaClient: 'athena',
  AutoScalingClient: 'autoscaling',
  CloudTrailClient: 'cloudtrail',
  ConfigServiceClient: 'config',
  EC2Client: 'ec2',
  ECRClient: 'ecr',
  ECSClient: 'ecs',
  IAMClient: 'iam',
  KMSClient: 'kms',
  LambdaClient: 'lambda',
  OrganizationsClient: 'organizations',
  S3Client: 's3',
  SecretsManagerClient: 'secretsmanager',
  SNSClient: 'sns',
  SQSClient: 'sqs',
  STSClient: 'sts',
};

/** Operations whose IAM action has another name than the API call (the Service Authorization Reference's). */
const ACTION_OF_OPERATION: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  s3: {
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    ListObjectVersions: 'ListBucketVersions',
    HeadObject: 'GetObject',
    HeadBucket: 'ListBucket',
    ListBuckets: 'ListAllMyBuckets',
    DeleteObjects: 'DeleteObject',
  },
  lambda: { Invoke: 'InvokeFunction' },
};

/**
 * The IAM action an SDK command needs, e.g. (IAMClient, GetRoleCommand) →
 * iam:GetRole and (S3Client, ListObjectsV2Command) → s3:ListBucket; undefined
 * when the context does not name both.
 */
export function iamActionOf(clientName: string | undefined, commandName: string | undefined): string | undefined {
  if (!clientName || !commandName) return undefined;
  const prefix = SERVICE_PREFIXES[clientName] ?? clientName.replace(/Client$/, '').toLowerCase();
  const operation = commandName.replace(/Command$/, '');
  return `${prefix}:${ACTION_OF_OPERATION[prefix]?.[operation] ?? operation}`;
}

/** What the SDK tells a middleware about the command it runs. */
export interface CommandContext {
  clientName?: string;
  commandName?: string;
}

type Handler<In, Out> = (args: In) => Promise<Out>;

/** The part of an SDK client's middleware stack this needs. */
export interface TranslatableStack {
  add<In, Out>(
    middleware: (next: Handler<In, Out>, context: CommandContext) => Handler<In, Out>,
    options: { step: 'initialize'; priority: 'high'; name: string; override: boolean },
  ): void;
}

/**
 * Adds the translating middleware to a client's stack. It sits at the top of
 * the initialize step, outside the retry loop, so the SDK's retries still see
 * AWS's own errors and only the final failure is translated.
 */
export function translateErrors(stack: TranslatableStack): void {
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw translateAwsError(error, iamActionOf(context.clientName, context.commandName));
      }
    },
    { step: 'initialize', priority: 'high', name: 'splitRoleTranslateErrors', override: true },
  );
}
