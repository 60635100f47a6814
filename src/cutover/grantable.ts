/**
 * Pure: which refused actions `verify --grant-missing` may give a new role.
 * Only those its own service was seen using before cutover (the plan's
 * evidence, origin "used"): a refusal is what a compromised workload
 * probing for more looks like, and the shared role granting an action that
 * only another service ever used is no reason to hand it over. `--grant-any`
 * grants every refused action the shared role granted, as before.
 */
import type { PlannedRole } from '../plan/schema.js';
import { anyActionMatches } from '../policy/actions.js';

/** The refused actions split into those to grant and those withheld. */
export function grantable(
  role: Pick<PlannedRole, 'actions'>,
  refused: readonly string[],
  grantAny: boolean,
): { grant: string[]; withheld: string[] } {
  if (grantAny) return { grant: [...refused], withheld: [] };
  // Evidence at service level (Access Analyzer's for some services) comes as a pattern such as dynamodb:*.
  const used = role.actions.filter((a) => a.origin === 'used' && a.count > 0).map((a) => a.action);
  const wasUsed = (action: string) => anyActionMatches(used, action);
  return { grant: refused.filter(wasUsed), withheld: refused.filter((action) => !wasUsed(action)) };
}
