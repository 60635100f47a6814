/** Apply's confirmation lists the follow-ups split-role does not do itself, so the person agreeing knows (issue 24 item 6). */
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/apply/run.js';
import { planned, yes } from './fixtures/in-process.js';
import { sampleBody } from './fixtures/plan-fixtures.js';

describe("apply's confirmation", () => {
  it('lists the open follow-ups before asking', async () => {
    const body = sampleBody();
    body.followUps.push(
      { kind: 'launch-template', resource: 'lt-1', message: 'launch template web version 2 names the shared role' },
      { kind: 'auto-scaling-group', resource: 'asg-1', message: 'Auto Scaling group asg-1 launches with the shared profile' },
    );
    const { planPath, account } = await planned(body);
    const io = yes();
    await applyPlan(planPath, account.opener(), io, { soakMs: 0, keepSharedRole: true });
    const summary = io.messages.find((m) => m.code === 'SR_APPLY_I4001')?.message ?? '';
    expect(summary.split('\n').slice(-3)).toEqual([
      '  open follow-ups split-role does not do (2):',
      '    launch-template: launch template web version 2 names the shared role',
      '    auto-scaling-group: Auto Scaling group asg-1 launches with the shared profile',
    ]);
  });

  it('says nothing about follow-ups when there are none', async () => {
    const { planPath, account } = await planned();
    const io = yes();
    await applyPlan(planPath, account.opener(), io, { soakMs: 0, keepSharedRole: true });
    expect(io.messages.find((m) => m.code === 'SR_APPLY_I4001')?.message).not.toContain('follow-up');
  });
});
