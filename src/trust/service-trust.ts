/**
 * The trust policy of a split-out role: only the original statements that
 * concern its service, with their conditions, and only that service as
 * principal. Pure.
 */
import { parsePolicy, principalEntries } from '../policy/document.js';
import type { NormalisedStatement } from '../policy/document.js';

/** A trust statement as IAM JSON. */
export interface TrustStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/**
 * Narrows a trust policy to `principals` (the service principals of one
 * workload, e.g. lambda + edgelambda). Statements that name none of them are
 * dropped; those that do keep their Sid, Action and Condition.
 */
export function trustPolicyForService(
  trustPolicy: unknown,
  principals: readonly string[],
): { Version: string; Statement: TrustStatement[] } {
  const wanted = new Set(principals.map((p) => p.toLowerCase()));
  const statements: TrustStatement[] = [];
  for (const statement of parsePolicy(trustPolicy).statements) {
    if (!statement.principal) continue;
    if (isDenyForEveryone(statement)) {
      // A Deny on everyone (a confused-deputy guard, say) also guards the service: keep it.
      statements.push(toJson(statement, '*'));
      continue;
    }
    if (statement.principal === '*') continue;
    const services = principalEntries(statement.principal)
      .filter(([type, id]) => type === 'Service' && wanted.has(id.trim().toLowerCase()))
      .map(([, id]) => id.trim().toLowerCase());
    if (services.length === 0) continue;
    statements.push(toJson(statement, { Service: single([...new Set(services)].sort()) }));
  }
  return { Version: '2012-10-17', Statement: statements };
}

function isDenyForEveryone(statement: NormalisedStatement): boolean {
  if (statement.effect !== 'Deny' || !statement.principal) return false;
  return statement.principal === '*' || principalEntries(statement.principal).some(([type, id]) => type === 'AWS' && id === '*');
}

function toJson(statement: NormalisedStatement, principal: TrustStatement['Principal']): TrustStatement {
  const out: TrustStatement = { Effect: statement.effect, Principal: principal };
  if (statement.sid) out.Sid = statement.sid;
  if (statement.actions) out.Action = single(statement.actions);
  if (statement.notActions) out.NotAction = single(statement.notActions);
  if (statement.condition) out.Condition = statement.condition;
  return out;
}

function single(list: string[]): string | string[] {
  return list.length === 1 ? (list[0] as string) : list;
}
