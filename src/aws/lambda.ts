/** Lambda adapter: functions and their execution roles, pagination hidden. */
import { paginateListFunctions, type LambdaClient } from '@aws-sdk/client-lambda';
import { awsPages } from './call.js';

/** A function (or published version) and the role it runs as. */
export interface FunctionRole {
  functionName: string;
  functionArn: string;
  version: string;
  role: string;
}

/** Every function in the region, with published versions ("$LATEST" is the live configuration). */
export async function listFunctionRoles(lambda: LambdaClient): Promise<FunctionRole[]> {
  const functions: FunctionRole[] = [];
  const pages = paginateListFunctions({ client: lambda, pageSize: 50 }, { FunctionVersion: 'ALL' });
  for await (const page of awsPages('lambda:ListFunctions', pages)) {
    for (const fn of page.Functions ?? []) {
      functions.push({
        functionName: fn.FunctionName ?? '',
        functionArn: fn.FunctionArn ?? '',
        version: fn.Version ?? '$LATEST',
        role: fn.Role ?? '',
      });
    }
  }
  return functions;
}
