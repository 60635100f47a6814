/** Names for split-out roles: `<shared>-<service>`, at most 64 characters, never taken. */
import { createHash } from 'node:crypto';
import { serviceShortName } from '../trust/service-principals.js';

const MAX_ROLE_NAME = 64;

/** Short, readable suffixes for the services users meet most. */
const SUFFIXES: Record<string, string> = { 'ecs-tasks': 'ecs', edgelambda: 'lambda' };

/** The suffix naming a service in role names: "ec2", "lambda", "ecs", "codebuild". */
export function serviceSuffix(principal: string): string {
  const short = serviceShortName(principal);
  return SUFFIXES[short] ?? short.replace(/[^A-Za-z0-9+=,.@_-]/g, '-');
}

/**
 * Proposes a free name for the role split out of `shared` for `principal`.
 * `taken` holds existing role names (compared case-insensitively, as IAM does).
 */
export function proposeRoleName(shared: string, principal: string, taken: ReadonlySet<string>): string {
  const suffix = serviceSuffix(principal);
  const lowerTaken = new Set([...taken].map((n) => n.toLowerCase()));
  for (let attempt = 1; attempt < 100; attempt++) {
    const tail = attempt === 1 ? `-${suffix}` : `-${suffix}-${attempt}`;
    const name = `${shared.slice(0, MAX_ROLE_NAME - tail.length)}${tail}`;
    if (!lowerTaken.has(name.toLowerCase())) return name;
  }
  throw new Error(`no free role name for ${shared} / ${principal}`);
}

/** Why a role name is invalid, or undefined when IAM would accept it. */
export function roleNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > MAX_ROLE_NAME) return `must be 1-${MAX_ROLE_NAME} characters`;
  if (!/^[\w+=,.@-]+$/.test(name)) return 'may contain only letters, digits and +=,.@_-';
  return undefined;
}

/**
 * Proposes a free name for one workload's role (`plan --per-workload`):
 * `<shared>-<service>-<workload>`, or, when that is over IAM's 64 characters or
 * taken, its first characters and a short hash of the whole, so two long
 * workload names that share a beginning still get different names.
 */
export function proposeWorkloadRoleName(shared: string, principal: string, workload: string, taken: ReadonlySet<string>): string {
  const lowerTaken = new Set([...taken].map((n) => n.toLowerCase()));
  const full = `${shared}-${serviceSuffix(principal)}-${workload.replace(/[^A-Za-z0-9+=,.@_-]/g, '-')}`;
  if (full.length <= MAX_ROLE_NAME && !lowerTaken.has(full.toLowerCase())) return full;
  for (let attempt = 0; attempt < 100; attempt++) {
    const hash = createHash('sha256')
      .update(attempt === 0 ? full : `${full}#${attempt}`)
      .digest('hex')
      .slice(0, 8);
    const name = `${full.slice(0, MAX_ROLE_NAME - hash.length - 1)}-${hash}`;
    if (!lowerTaken.has(name.toLowerCase())) return name;
  }
  throw new Error(`no free role name for ${shared} / ${principal} / ${workload}`);
}
