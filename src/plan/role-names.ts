/** Names for split-out roles: `<shared>-<service>`, at most 64 characters, never taken. */
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
