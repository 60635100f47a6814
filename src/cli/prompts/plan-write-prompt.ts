/** The last question of the interactive `plan`: what each role changes, folded, then write, show a diff, go back or skip. */
import type { IoHost } from '../../core/io-host.js';
import { policyDiff } from '../../plan/markdown.js';
import type { Plan } from '../../plan/schema.js';

/**
 * Step 6: each role's change in one line, then write it, show one role's
 * diff (folded until asked), go back, or skip. True means write.
 */
export async function writeAnswer(io: IoHost, plan: Plan, path: string): Promise<boolean> {
  const summary = plan.newRoles.map((role) => {
    const diff = policyDiff(plan, role).split('\n');
    const removed = diff.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
    const added = diff.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
    const unseen = role.unobservable.filter((u) => u.kept).length;
    return `  ${role.roleName}: ${role.actions.length} action(s)${unseen > 0 ? ` (${unseen} unseen, kept)` : ''}; diff -${removed} +${added} lines`;
  });
  const moving = `${plan.workloads.length} workload(s) move${plan.followUps.length > 0 ? `; ${plan.followUps.length} follow-up(s)` : ''}`;
  for (;;) {
    const answer = await io.requestResponse<string>({
      code: 'SR_PLAN_Q2107',
      message: `${moving}:\n${summary.join('\n')}\nWrite the plan to ${path}?`,
      data: { path },
      defaultResponse: 'write',
      question: {
        type: 'select',
        choices: [
          { name: `Write the plan to ${path}`, value: 'write' },
          ...plan.newRoles.map((role) => ({ name: `Show the policy diff of ${role.roleName}`, value: `diff:${role.roleName}` })),
          { name: 'Do not write this plan', value: 'skip' },
        ],
      },
      back: true,
    });
    if (answer === 'write') return true;
    if (answer === 'skip') return false;
    const role = plan.newRoles.find((r) => `diff:${r.roleName}` === answer);
    if (role) io.info('SR_PLAN_I2006', policyDiff(plan, role), { role: role.roleName });
  }
}
