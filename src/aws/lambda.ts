/** Lambda adapter: functions and their execution roles, pagination hidden. */
import {
  GetFunctionConfigurationCommand,
  paginateListFunctions,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { awsCall, awsPages } from './call.js';

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

/** A function's live role and update state. */
export interface FunctionState {
  role: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
}

/** Reads a function's current configuration. */
export async function getFunctionState(lambda: LambdaClient, functionName: string): Promise<FunctionState> {
  const out = await awsCall('lambda:GetFunctionConfiguration', () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })));
  return { role: out.Role ?? '', lastUpdateStatus: out.LastUpdateStatus, lastUpdateStatusReason: out.LastUpdateStatusReason };
}

/** Points a function at another execution role. */
export async function setFunctionRole(lambda: LambdaClient, functionName: string, roleArn: string): Promise<void> {
  await awsCall('lambda:UpdateFunctionConfiguration', () =>
    lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Role: roleArn })),
  );
}
