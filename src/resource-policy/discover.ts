/**
 * Finds the resource policies that name the shared role, in the plan's
 * regions: every resource of each kind (sweep), or only those the evidence
 * saw the role's sessions touch. A policy that cannot be read or parsed is
 * kept as a problem with its reason; it blocks retirement.
 */
import { POLICY_ADAPTERS } from './kinds/index.js';
import type { PolicyResource } from './kinds/types.js';
import type { PolicyPort } from './port.js';
import { mapLimit } from '../core/concurrency.js';
import type { IoHost } from '../core/io-host.js';
import { findRoleStatements, type RoleRef, type StatementMatch } from './statements.js';

/** How widely to look. */
export type ResourcePolicyMode = 'sweep' | 'evidence' | 'off';

/** A policy naming the role, as read. */
export interface FoundPolicy extends PolicyResource {
  text: string;
  statements: StatementMatch[];
}

/** What a search found. */
export interface PolicySearch {
  policies: FoundPolicy[];
  problems: Array<PolicyResource & { reason: string }>;
}

const READ_CONCURRENCY = 8;

/**
 * Lists each kind in the regions, reads the policies (`touched` limits the
 * reads to resources whose names it holds) and keeps those naming the role.
 * With `exact`, wildcard patterns that merely cover the role do not count.
 */
export async function searchResourcePolicies(
  policies: PolicyPort,
  io: IoHost,
  request: { regions: readonly string[]; role: RoleRef; touched?: ReadonlySet<string>; exact?: boolean },
): Promise<PolicySearch> {
  const search: PolicySearch = { policies: [], problems: [] };
  // The kinds are listed side by side (each over its regions): listing dominates a sweep of many regions.
  const listed = await Promise.all(
    POLICY_ADAPTERS.map(async (adapter) => {
      try {
        const found = await policies.list(adapter.kind, request.regions);
        return request.touched ? found.filter((r) => adapter.names(r).some((n) => request.touched?.has(n))) : found;
      } catch (error) {
        // A kind we cannot list may hide a policy naming the role: that must block retirement, not pass silently.
        for (const region of request.regions)
          search.problems.push({ kind: adapter.kind, region, id: '*', arn: '*', reason: `cannot list: ${(error as Error).message}` });
        return [];
      }
    }),
  );
  const resources: PolicyResource[] = listed.flat();
  io.progress('SR_PLAN_P2012', `reading ${resources.length} resource policies in ${request.regions.join(', ')}…`, {
    resources: resources.length,
    regions: request.regions,
  });
  const read = await mapLimit(resources, READ_CONCURRENCY, async (resource) => readOne(policies, resource, request.role, request.exact));
  for (const outcome of read) {
    if (!outcome) continue;
    if ('reason' in outcome) search.problems.push(outcome);
    else search.policies.push(outcome);
  }
  return search;
}

/** Reads one resource's policy: the match, a problem, or undefined when it does not name the role. */
export async function readOne(
  policies: PolicyPort,
  resource: PolicyResource,
  role: RoleRef,
  exact = false,
): Promise<FoundPolicy | (PolicyResource & { reason: string }) | undefined> {
  let text: string | undefined;
  try {
    text = await policies.read(resource);
  } catch (error) {
    return { ...resource, reason: `cannot read: ${(error as Error).message}` };
  }
  if (text === undefined) return undefined;
  try {
    const statements = findRoleStatements(text, role, { exact });
    return statements.length > 0 ? { ...resource, text, statements } : undefined;
  } catch (error) {
    return { ...resource, reason: `cannot parse: ${(error as Error).message}` };
  }
}
