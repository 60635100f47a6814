/** STS adapter: who the caller is. */
import type { STSClient } from '@aws-sdk/client-sts';
import { loadSdk } from './sdk-modules.js';

/** The caller's account and partition, from GetCallerIdentity. */
export interface CallerIdentity {
  account: string;
  arn: string;
  partition: string;
}

/** Asks STS who the credentials belong to. */
export async function getCallerIdentity(sts: STSClient): Promise<CallerIdentity> {
  const { GetCallerIdentityCommand } = await loadSdk('client-sts');
  const out = await sts.send(new GetCallerIdentityCommand({}));
  const arn = out.Arn ?? '';
  return { account: out.Account ?? '', arn, partition: arn.split(':')[1] || 'aws' };
}
