/**
 * The plan prompt a person can steer (issue 24 item 5): back to the previous
 * question, workloads left on the shared role, and the command that repeats
 * the run without prompts.
 */
import { describe, expect, it } from 'vitest';
import { equivalentCommand } from '../../src/cli/prompts/equivalent-command.js';
import { askDecisions, groupName, pickWorkloads, runSteps } from '../../src/cli/prompts/plan-prompts.js';
import { GoBack, type IoRequest, type Question } from '../../src/core/io-host.js';
import { buildPlan } from '../../src/plan/builder.js';
import { context, DROP_ALL, sampleAnalysis } from './fixtures/plan-fixtures.js';
import { RecordingIoHost } from '../support/recording-io-host.js';

describe('back', () => {
  it('GoBack re-asks the question before; from the first it goes to the caller', async () => {
    const asked: string[] = [];
    let backs = 1;
    const step = (name: string) => async () => {
      asked.push(name);
      if (name === 'b' && backs-- > 0) throw new GoBack();
    };
    await runSteps([step('a'), step('b'), step('c')]);
    expect(asked).toEqual(['a', 'b', 'a', 'b', 'c']);
    await expect(runSteps([() => Promise.reject(new GoBack())])).rejects.toBeInstanceOf(GoBack);
  });

  it('a name question answered "back" asks the previous name again, and its new answer is kept', async () => {
    const answers: Array<string | GoBack> = ['first-ec2', new GoBack(), 'second-ec2', 'the-lambda'];
    const io = new RecordingIoHost((request: IoRequest<unknown>) => {
      if (request.code !== 'SR_PLAN_Q2106') return request.defaultResponse;
      const next = answers.shift();
      if (next instanceof GoBack) throw next;
      return next;
    });
    const decisions = await askDecisions(io, sampleAnalysis(), { unattributed: 'drop', unobservable: 'drop' }, new Set());
    expect(decisions.roleNames).toEqual({ ec2: 'second-ec2', lambda: 'the-lambda' });
    // Every question of the run offers the way back.
    expect(io.requests.every((r) => r.back === true)).toBe(true);
  });
});

describe('workloads left on the shared role', () => {
  it('the prompt returns the unticked ones; the plan does not move them and keeps the shared role', async () => {
    const analysis = sampleAnalysis();
    const io = new RecordingIoHost((request) =>
      request.code === 'SR_PLAN_Q2102'
        ? (request.defaultResponse as string[]).filter((id) => !id.includes('orders-fn'))
        : request.defaultResponse,
    );
    const stay = await pickWorkloads(io, analysis);
    expect(stay).toEqual(['repoint-lambda:orders-fn']);
    const question = io.requests[0]?.question as Question<string[]> | undefined;
    const labels = question?.choices.map((c) => c.name);
    expect(labels).toEqual(['EC2 instance i-0abc → ec2', 'Lambda function orders-fn → lambda']);

    const moved = buildPlan(analysis, DROP_ALL, context());
    const kept = buildPlan(analysis, { ...DROP_ALL, stayOnShared: stay }, context());
    expect(moved.retireSharedRole).toBe(true);
    expect(kept.workloads.map((w) => w.kind)).toEqual(['ec2-instance']);
    expect(kept.retireSharedRole).toBe(false);
    expect(kept.warnings).toContainEqual(
      expect.stringMatching(/^1 workload\(s\) stay on the shared role by choice \(repoint-lambda:orders-fn\)/),
    );
  });

  it('unticking every workload skips the role', async () => {
    const io = new RecordingIoHost((request) => (request.code === 'SR_PLAN_Q2102' ? [] : request.defaultResponse));
    await expect(pickWorkloads(io, sampleAnalysis())).resolves.toBeUndefined();
  });
});

describe('group labels', () => {
  it('fit an 80-column line with the checkbox marks', () => {
    const long = `data event (DynamoDB item reads and writes, dynamodb.amazonaws.com): ${'the evidence source does not see data events '.repeat(3)}`;
    expect(groupName(long, 15)).toBe('data events: DynamoDB item reads and writes (15)');
    expect(groupName(`never logged: ${'x'.repeat(200)}`, 2).length).toBeLessThanOrEqual(70);
  });
});

describe('equivalentCommand', () => {
  const analysis = sampleAnalysis();
  it('adds one flag per answer after the flags typed, and names what no flag repeats', () => {
    const { command, notRepeated } = equivalentCommand(
      ['--evidence', 'logs', '--cloudtrail-logs', '/tmp/my trail', '--role', 'other'],
      'app-shared',
      analysis,
      {
        unattributed: 'drop',
        unobservable: 'keep',
        roleNames: { ec2: 'hosts', lambda: 'app-shared-lambda' },
        addedTags: { owner: 'team-a' },
        stayOnShared: ['repoint-lambda:orders-fn'],
      },
    );
    expect(command).toBe(
      "split-role plan --evidence logs --cloudtrail-logs '/tmp/my trail' --role app-shared --yes --unattributed drop --unobservable keep " +
        '--name ec2=hosts --name lambda=app-shared-lambda --tag owner=team-a',
    );
    expect(notRepeated).toEqual([expect.stringContaining('repoint-lambda:orders-fn')]);
  });
});
