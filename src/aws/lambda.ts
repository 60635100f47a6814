/**
 * The Lambda port: functions and their execution roles, as the Lambda
 * workload adapter reads and changes them, and its SDK implementation
 * (pagination hidden; command classes load on first use; the
 * session client's middleware translates errors).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { loadSdk } from './sdk-modules.js';

/** A function (or published version) and the role it runs as. */
export interface FunctionRole {
  functionName: string;
  functionArn: string;
  version: string;
  role: string;
}

/** A function's live role and update state. */
export interface FunctionState {
  role: string;
  lastUpdateStatus?: string;
  lastUpdateStatusReason?: string;
}

/** What the Lambda workload adapter asks of Lambda in one region. */
export interface LambdaPort {
  /** Every function with its published versions ("$LATEST" is the live configuration). */
  listFunctions(): Promise<FunctionRole[]>;
  /** A function's current configuration; ResourceNotFoundException when it does not exist. */
  getFunctionConfiguration(functionName: string): Promise<FunctionState>;
  /**
   * Points a function at another execution role. Lambda refuses with
   * ResourceConflictException while an update is in progress, and applies it
   * asynchronously: getFunctionConfiguration shows when it is done.
   */
  updateFunctionRole(functionName: string, roleArn: string): Promise<void>;
}

/** The Lambda port over an SDK client. */
export function sdkLambda(lambda: LambdaClient): LambdaPort {
  const sdk = () => loadSdk('client-lambda');
  return {
    async listFunctions() {
      const { paginateListFunctions } = await sdk();
      const functions: FunctionRole[] = [];
      const pages = paginateListFunctions({ client: lambda, pageSize: 50 }, { FunctionVersion: 'ALL' });
      for await (const page of pages) {
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
    },
    async getFunctionConfiguration(functionName) {
      const { GetFunctionConfigurationCommand } = await sdk();
      const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
      return { role: out.Role ?? '', lastUpdateStatus: out.LastUpdateStatus, lastUpdateStatusReason: out.LastUpdateStatusReason };
    },
    async updateFunctionRole(functionName, roleArn) {
      const { UpdateFunctionConfigurationCommand } = await sdk();
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Role: roleArn }));
    },
  };
}
