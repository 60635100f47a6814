/** Every resource-policy kind, registered in one list. */
import { ecrRepositories } from './ecr.js';
import { kmsKeys } from './kms.js';
import { lambdaFunctions } from './lambda.js';
import { s3Buckets } from './s3.js';
import { secrets } from './secrets.js';
import { snsTopics } from './sns.js';
import { sqsQueues } from './sqs.js';
import type { PolicyKind, PolicyKindAdapter } from './types.js';

/** The adapters, in the order the plan lists their policies. */
export const POLICY_ADAPTERS: readonly PolicyKindAdapter[] = [
  kmsKeys,
  s3Buckets,
  sqsQueues,
  snsTopics,
  secrets,
  ecrRepositories,
  lambdaFunctions,
];

/** The adapter of a kind. */
export function policyAdapter(kind: PolicyKind): PolicyKindAdapter {
  return POLICY_ADAPTERS.find((a) => a.kind === kind) as PolicyKindAdapter;
}
