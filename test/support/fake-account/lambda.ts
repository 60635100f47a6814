/**
 * Lambda in memory, behind the LambdaPort: functions with their execution
 * role and published versions. An update is asynchronous, as on AWS: the
 * function shows InProgress for a read or two, then Successful (or Failed
 * when told to), and a second update while one runs is a
 * ResourceConflictException. One region.
 */
import type { FunctionRole, FunctionState, LambdaPort } from '../../../src/aws/lambda.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

interface FakeFunction {
  name: string;
  arn: string;
  role: string;
  versions: Array<{ version: string; role: string }>;
  status?: 'InProgress' | 'Successful' | 'Failed';
  reason?: string;
  /** Reads left before an InProgress update settles. */
  settlesIn: number;
  /** The reason the next update fails with, when told to fail. */
  failWith?: string;
}

/** Knows which roles exist and trust Lambda (the IAM fake), so an update to another fails as Lambda's does. */
export interface FakeLambdaOptions {
  account?: string;
  region?: string;
  /** Reads of an updating function that still show InProgress (default 1). */
  updateReads?: number;
  knowsRole?: (arn: string) => boolean;
}

/** Lambda of one region, in memory. */
export class FakeLambda implements LambdaPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof LambdaPort>();
  /** The mutating calls made, in order ("updateFunctionRole:orders"). */
  readonly writes: string[] = [];
  private readonly functions = new Map<string, FakeFunction>();

  constructor(private readonly options: FakeLambdaOptions = {}) {}

  /** Adds a function running as `role`; `publishedRoles` publishes versions 1, 2, … with those roles. */
  addFunction(name: string, role: string, publishedRoles: readonly string[] = []): string {
    const arn = `arn:aws:lambda:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:function:${name}`;
    this.functions.set(name, {
      name,
      arn,
      role,
      versions: publishedRoles.map((r, i) => ({ version: String(i + 1), role: r })),
      status: 'Successful',
      settlesIn: 0,
    });
    return arn;
  }

  /** Deletes a function. */
  deleteFunction(name: string): void {
    this.functions.delete(name);
  }

  /** The role a function runs as now. */
  roleOf(name: string): string | undefined {
    return this.functions.get(name)?.role;
  }

  /** Changes a function's role behind the tool's back (someone else's change). */
  setRoleBehindTheBack(name: string, role: string): void {
    this.mustGet(name).role = role;
  }

  /** Makes the function's next update end Failed with this reason. */
  failNextUpdate(name: string, reason: string): void {
    this.mustGet(name).failWith = reason;
  }

  async listFunctions(): Promise<FunctionRole[]> {
    this.faults.check('listFunctions');
    return [...this.functions.values()].flatMap((fn) => [
      { functionName: fn.name, functionArn: fn.arn, version: '$LATEST', role: fn.role },
      ...fn.versions.map((v) => ({ functionName: fn.name, functionArn: `${fn.arn}:${v.version}`, version: v.version, role: v.role })),
    ]);
  }

  async getFunctionConfiguration(functionName: string): Promise<FunctionState> {
    this.faults.check('getFunctionConfiguration');
    const fn = this.mustGet(functionName);
    const state: FunctionState = {
      role: fn.role,
      ...(fn.status ? { lastUpdateStatus: fn.status } : {}),
      ...(fn.reason ? { lastUpdateStatusReason: fn.reason } : {}),
    };
    if (fn.status === 'InProgress' && --fn.settlesIn <= 0) {
      fn.status = fn.failWith ? 'Failed' : 'Successful';
      if (fn.failWith) fn.reason = fn.failWith;
      delete fn.failWith;
    }
    return state;
  }

  async updateFunctionRole(functionName: string, roleArn: string): Promise<void> {
    this.faults.check('updateFunctionRole');
    this.writes.push(`updateFunctionRole:${functionName}`);
    const fn = this.mustGet(functionName);
    if (fn.status === 'InProgress') {
      throw new FakeServiceError(
        'ResourceConflictException',
        `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`,
        { status: 409 },
      );
    }
    if (this.options.knowsRole && !this.options.knowsRole(roleArn)) {
      throw new FakeServiceError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
    }
    fn.role = roleArn;
    fn.status = 'InProgress';
    delete fn.reason;
    fn.settlesIn = this.options.updateReads ?? 1;
  }

  private mustGet(nameOrArn: string): FakeFunction {
    const fn = this.functions.get(nameOrArn) ?? [...this.functions.values()].find((f) => f.arn === nameOrArn);
    if (!fn) throw new FakeServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, { status: 404 });
    return fn;
  }
}
