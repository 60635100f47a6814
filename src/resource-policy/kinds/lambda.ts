/**
 * Lambda function policies. Lambda has no whole-document put: a policy is
 * edited statement by statement with AddPermission and RemovePermission, so
 * `write` compares the live and desired documents by Sid and makes one call
 * per statement that differs. The step's undo (the original text) is
 * journaled before the first call, and re-running `write` converges.
 */
import type { AddPermissionCommandInput } from '@aws-sdk/client-lambda';
import { collectItems } from '../../aws/call.js';
import { parseResourcePolicy, PolicyEditError } from '../statements.js';
import { statementPerRoleEdits } from '../edits.js';
import { perRegion, readPolicy, type PolicyKindAdapter, type PolicyResource } from './types.js';
import { loadSdk } from '../../aws/sdk-modules.js';

type Statement = Record<string, unknown>;

/** Lambda functions of the regions (the unqualified function's policy). */
export const lambdaFunctions: PolicyKindAdapter = {
  kind: 'lambda-function',
  service: 'Lambda',
  // Function resource-based policy: 20 KB, not adjustable.
  sizeLimit: { max: 20_480, unit: 'bytes', source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' },
  edits: statementPerRoleEdits,
  async list(session, regions) {
    const { paginateListFunctions } = await loadSdk('client-lambda');
    return perRegion(regions, async (region) => {
      const client = await (await session.inRegion(region)).lambda();
      const functions = await collectItems(paginateListFunctions({ client }, {}), (page) => page.Functions ?? []);
      return functions.flatMap((f): PolicyResource[] =>
        f.FunctionName && f.FunctionArn ? [{ kind: 'lambda-function', region, id: f.FunctionName, arn: f.FunctionArn }] : [],
      );
    });
  },
  async read(session, resource) {
    const { GetPolicyCommand } = await loadSdk('client-lambda');
    const client = await (await session.inRegion(resource.region)).lambda();
    return readPolicy(
      'ResourceNotFoundException',
      async () => (await client.send(new GetPolicyCommand({ FunctionName: resource.id }))).Policy ?? undefined,
    );
  },
  async write(session, resource, desired, current) {
    const { AddPermissionCommand, RemovePermissionCommand } = await loadSdk('client-lambda');
    const client = await (await session.inRegion(resource.region)).lambda();
    const want = bySid(desired);
    const have = bySid(current);
    // Validate every addition before the first call: a statement AddPermission cannot express changes nothing.
    const toAdd = [...want]
      .filter(([sid, s]) => JSON.stringify(have.get(sid)) !== JSON.stringify(s))
      .map(([sid, s]) => ({ sid, input: permissionInput(resource.id, sid, s) }));
    for (const [sid, s] of have) {
      if (JSON.stringify(want.get(sid)) === JSON.stringify(s)) continue;
      await client.send(new RemovePermissionCommand({ FunctionName: resource.id, StatementId: sid }));
    }
    for (const { input } of toAdd) await client.send(new AddPermissionCommand(input));
  },
  names: (resource) => [resource.arn, resource.id],
};

function bySid(text: string): Map<string, Statement> {
  if (text.trim() === '') return new Map();
  const statements = parseResourcePolicy(text).Statement;
  const list = (Array.isArray(statements) ? statements : [statements]) as Statement[];
  return new Map(list.map((s, i) => [typeof s.Sid === 'string' ? s.Sid : `#${i}`, s]));
}

/** The AddPermission request that recreates a statement, or PolicyEditError when the API cannot express it. */
function permissionInput(functionName: string, sid: string, statement: Statement): AddPermissionCommandInput {
  const action = statement.Action;
  const principal = statement.Principal as Record<string, unknown> | string | undefined;
  const who = typeof principal === 'object' ? (principal.AWS ?? principal.Service) : principal;
  if (statement.Effect !== 'Allow' || typeof action !== 'string' || typeof who !== 'string') {
    throw new PolicyEditError(`statement ${sid} is not a single-action, single-principal Allow, which AddPermission cannot write`);
  }
  const input: AddPermissionCommandInput = { FunctionName: functionName, StatementId: sid, Action: action, Principal: who };
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, value] of Object.entries(block)) {
      const field = CONDITION_FIELDS[`${operator}:${key.toLowerCase()}`];
      if (!field || typeof value !== 'string')
        throw new PolicyEditError(`statement ${sid} has condition ${operator} ${key}, which AddPermission cannot write`);
      (input as unknown as Record<string, string>)[field] = value;
    }
  }
  return input;
}

const CONDITION_FIELDS: Record<string, string> = {
  'ArnLike:aws:sourcearn': 'SourceArn',
  'StringEquals:aws:sourceaccount': 'SourceAccount',
  'StringEquals:aws:principalorgid': 'PrincipalOrgID',
  'StringEquals:lambda:functionurlauthtype': 'FunctionUrlAuthType',
  'StringEquals:lambda:eventsourcetoken': 'EventSourceToken',
};
