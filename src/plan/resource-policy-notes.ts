/**
 * The review's notes under the resource-policy table: how the new roles are
 * granted (`--grant-by`), each edited policy's size against its quota, the
 * statements that name a session of the shared role, and the warnings a
 * reviewer must see before apply (NotPrincipal exemptions, aws:userid).
 */
import { markdownCode as code, markdownText as text } from '../core/escape.js';
import type { Plan } from './schema.js';

type Policy = Plan['resourcePolicies']['policies'][number];
type Statement = Policy['statements'][number];

const GRANT_BY_TEXT = {
  resource:
    'every statement that names the shared role gets each new role whose service was seen using the resource ' +
    '(every new role when the evidence cannot tell, and always in a Deny)',
  action:
    'an Allow statement gets only the new roles whose used or granted actions it allows; a Deny still gets every new role. ' +
    'Smaller policies; a role whose use of a statement was not seen (S3 data events a trail does not record, say) loses what the shared role had through it',
} as const;

/** Markdown lines for the notes; empty when there is nothing to say. */
export function resourcePolicyNotes(plan: Plan): string[] {
  const { policies, grantBy = 'resource' } = plan.resourcePolicies;
  if (policies.length === 0) return [];
  const lines = [`Granted by ${code(grantBy)} (\`--grant-by\`): ${GRANT_BY_TEXT[grantBy]}.`, ''];
  lines.push(...sizeLines(policies), ...sessionLines(policies), ...notPrincipalLines(plan, policies), ...userIdLines(plan, policies));
  return lines;
}

/** The table's "Why" cell: where the statement's new roles come from, under the plan's strategy. */
export function basisCell(plan: Plan, s: Statement): string {
  const byAction = (plan.resourcePolicies.grantBy ?? 'resource') === 'action' && s.effect !== 'Deny';
  const base =
    s.basis === 'evidence' ? 'seen used' : byAction ? 'evidence cannot tell which service' : '⚠ every new role (evidence cannot tell)';
  return byAction ? `${base}; only roles whose actions it allows (--grant-by action)` : base;
}

function sizeLines(policies: readonly Policy[]): string[] {
  const sized = policies.filter((p) => p.size);
  if (sized.length === 0) return [];
  return [
    'Size once the new roles are added (plan refuses a policy that would pass its service’s quota):',
    '',
    ...sized.map((p) => {
      const size = p.size as NonNullable<Policy['size']>;
      return `- ${p.kind} ${code(p.arn)}: ${n(size.grown)} of ${n(size.max)} ${size.unit} (${Math.round((size.grown / size.max) * 100)}%)`;
    }),
    '',
  ];
}

function sessionLines(policies: readonly Policy[]): string[] {
  const rows = policies.flatMap((p) => p.statements.flatMap((s) => (s.sessions ?? []).map((x) => ({ p, s, x }))));
  if (rows.length === 0) return [];
  return [
    'Statements that name a session of the shared role (`arn:…:sts::…:assumed-role/ROLE/SESSION`): the new role whose workload opens a session of that name gets the same session:',
    '',
    ...rows.map(({ p, s, x }) => {
      const to = x.roles.length > 0 ? x.roles.map(code).join(', ') : '⚠ not carried over: no planned workload opens a session of this name';
      return `- ${p.kind} ${code(p.arn)} ${statementName(s)} (${text(s.effect)}; ${s.mentions.join(', ')}): session ${code(x.name)} → ${to}`;
    }),
    '',
  ];
}

function notPrincipalLines(plan: Plan, policies: readonly Policy[]): string[] {
  const exempting = policies.flatMap((p) =>
    p.statements.filter((s) => s.effect === 'Deny' && s.mentions.includes('NotPrincipal')).map((s) => ({ p, s })),
  );
  if (exempting.length === 0) return [];
  return [
    '> [!IMPORTANT]',
    `> These Deny statements exempt ${code(plan.sharedRole.roleName)} through \`NotPrincipal\`. Apply exempts each new role in the same forms (its ARN where the shared role's ARN is named, its session ARN where a session is), so the Deny never comes to deny a new role. AWS evaluates a role's session against \`NotPrincipal\`: a statement naming the role but none of its sessions may already deny the shared role's sessions, and then denies the new roles' sessions alike (IAM User Guide, "AWS JSON policy elements: NotPrincipal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html).`,
    ...exempting.map(({ p, s }) => `> - ${p.kind} ${code(p.arn)} ${statementName(s)}${s.sessions ? '' : ': names no session of the role'}`),
    '',
  ];
}

function userIdLines(plan: Plan, policies: readonly Policy[]): string[] {
  const matches = policies.flatMap((p) => p.statements.filter((s) => s.mentions.includes('aws:userid')).map((s) => ({ p, s })));
  if (matches.length === 0) return [];
  return [
    '> [!WARNING]',
    `> These statements name ${code(plan.sharedRole.roleName)} by its unique id ${code(plan.sharedRole.roleId)} in an \`aws:userid\` condition. Apply adds each new role's own id (known once the role exists). A role that is deleted and created again gets a new id: after retire and a rollback, the recreated shared role no longer matches these conditions, and a new role recreated by hand would not either.`,
    ...matches.map(({ p, s }) => `> - ${p.kind} ${code(p.arn)} ${statementName(s)} (${text(s.effect)})`),
    '',
  ];
}

function statementName(s: Statement): string {
  return s.sid !== undefined ? `statement ${code(s.sid)}` : `statement #${s.index}`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}
