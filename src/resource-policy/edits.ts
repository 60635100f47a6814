/**
 * How a kind's policy is edited: by default the new roles go beside the
 * shared role in the same statement (one PutKeyPolicy / PutBucketPolicy /
 * attribute write). Lambda's API takes one principal per statement, so its
 * edit copies the statement per new role instead.
 */
import {
  addRoles,
  findRoleStatements,
  parseResourcePolicy,
  PolicyEditError,
  removeRole,
  type RoleRef,
  type StatementAddition,
} from './statements.js';

/** The two edits apply and retire make. */
export interface PolicyEdits {
  /** The text with the roles added to the listed statements (by index). */
  add(text: string, shared: RoleRef, additions: readonly StatementAddition[]): string;
  /** The text without the shared role. */
  remove(text: string, shared: RoleRef): string;
}

/** New ARNs beside the shared role's. */
export const besideEdits: PolicyEdits = { add: addRoles, remove: removeRole };

/**
 * Lambda function policies: a copy of each statement per new role, Sid
 * `<sid>-<role name>`, principal swapped; at retire the statements whose only
 * principal is the shared role are dropped (AddPermission cannot hold a list).
 */
export const statementPerRoleEdits: PolicyEdits = {
  add(text, shared, additions) {
    const doc = parseResourcePolicy(text);
    const statements = doc.Statement as Array<Record<string, unknown>>;
    const copies: Array<Record<string, unknown>> = [];
    for (const { index, roles } of additions) {
      const statement = statements[index];
      const match = findRoleStatements(JSON.stringify({ Statement: [statement] }), shared)[0];
      if (!statement || !match) throw new PolicyEditError(`statement #${index} no longer names ${shared.arn}`);
      if (match.mentions.some((m) => m !== 'Principal'))
        throw new PolicyEditError(`statement ${match.sid ?? `#${index}`} names the role in a condition, which AddPermission cannot write`);
      // A copy per role would name the whole new role where the original names one session: wider than the shared role's grant.
      if (match.sessions)
        throw new PolicyEditError(
          `statement ${match.sid ?? `#${index}`} names a session of the role, which a per-role copy cannot keep as narrow`,
        );
      for (const role of roles) {
        const sid = `${match.sid ?? index}-${role.arn.slice(role.arn.lastIndexOf('/') + 1)}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 100);
        if (statements.some((s) => s.Sid === sid)) continue;
        copies.push({ ...statement, Sid: sid, Principal: { AWS: role.arn } });
      }
    }
    return JSON.stringify({ ...doc, Statement: [...statements, ...copies] });
  },
  remove(text, shared) {
    const doc = parseResourcePolicy(text);
    const statements = doc.Statement as Array<Record<string, unknown>>;
    const kept = statements.filter((s) => findRoleStatements(JSON.stringify({ Statement: [s] }), shared).length === 0);
    return JSON.stringify({ ...doc, Statement: kept });
  },
};
