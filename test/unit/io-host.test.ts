/** The IoHost contract: typed messages with registered codes, and questions answered through requestResponse. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SplitRoleError } from '../../src/core/errors.js';
import type { IoRequest } from '../../src/core/io-host.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { LEVEL_LETTER, MESSAGE_CODES } from '../../src/core/message-codes.js';
import { askDecisions, askTags, pickRoles, pickWorkloads } from '../../src/cli/prompts/plan-prompts.js';
import { writeAnswer } from '../../src/cli/prompts/plan-write-prompt.js';
import { sampleAnalysis, samplePlan } from './fixtures/plan-fixtures.js';
import type { SplitAnalysis } from '../../src/plan/split-analysis.js';
import type { ScanFinding } from '../../src/scan/report.js';

const at = new Date('2026-11-29T12:00:00.000Z');

describe('message codes', () => {
  it('are SR_<AREA>_<letter><4 digits>, the letter matching the registered level', () => {
    for (const [code, info] of Object.entries(MESSAGE_CODES)) {
      expect(code).toMatch(/^SR_(SCAN|PLAN|EVID|APPLY|CHECK|EXPORT|REWRITE|CLI)_[DPIWEQ]\d{4}$/);
      expect(code.split('_')[2]?.[0], code).toBe(LEVEL_LETTER[info.level]);
      expect(info.description.length, code).toBeGreaterThan(5);
    }
  });

  it('are unique by number, and every code the source emits is registered', () => {
    const numbers = Object.keys(MESSAGE_CODES).map((c) => c.slice(-4));
    expect(new Set(numbers).size).toBe(numbers.length);
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
    const used = new Set(
      files('src')
        .flatMap((file) => readFileSync(file, 'utf8').match(/'SR_[A-Z]+_[A-Z]\d{4}'/g) ?? [])
        .map((c) => c.slice(1, -1)),
    );
    for (const code of used) expect(MESSAGE_CODES, code).toHaveProperty(code);
  });
});

describe('IoHost level helpers', () => {
  it('stamp the level, code, message, data and the injected time', () => {
    const io = new RecordingIoHost(undefined, { now: () => at });
    io.progress('SR_EVID_P3001', 'read 3 log files, 12 records…', { files: 3, records: 12 });
    io.warn('SR_EVID_W3002', 'skipped 1 corrupt log file');
    expect(io.messages).toEqual([
      { time: at, level: 'progress', code: 'SR_EVID_P3001', message: 'read 3 log files, 12 records…', data: { files: 3, records: 12 } },
      { time: at, level: 'warn', code: 'SR_EVID_W3002', message: 'skipped 1 corrupt log file' },
    ]);
  });
});

describe('requestResponse', () => {
  const consent: IoRequest<boolean> = {
    code: 'SR_APPLY_Q4002',
    message: 'Go ahead?',
    defaultResponse: true,
    question: { type: 'confirm', initial: false },
    needsConsent: 'refusing to change the account without confirmation',
  };

  it('answers with the default when nobody can be asked', async () => {
    const io = new RecordingIoHost();
    expect(io.interactive).toBe(false);
    await expect(writeAnswer(io, samplePlan(), 'plans/x.plan.json')).resolves.toBe(true);
    expect(io.requests.map((r) => r.code)).toEqual(['SR_PLAN_Q2107']);
  });

  it('refuses a consent question without a person and without --yes', async () => {
    const io = new RecordingIoHost();
    const refused = await io.requestResponse(consent).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SplitRoleError);
    expect((refused as SplitRoleError).oneLine()).toBe('UsageError: refusing to change the account without confirmation — pass --yes');
  });

  it('with --yes answers every question with its default, even on a terminal', async () => {
    const io = new RecordingIoHost(() => false, { assumeYes: true });
    expect(io.interactive).toBe(false);
    await expect(io.requestResponse(consent)).resolves.toBe(true);
  });

  it('asks the person when there is one', async () => {
    const io = new RecordingIoHost((request) => (request.code === 'SR_APPLY_Q4002' ? false : undefined));
    expect(io.interactive).toBe(true);
    await expect(io.requestResponse(consent)).resolves.toBe(false);
  });
});

describe('plan prompts through requestResponse', () => {
  const analysis = {
    shared: { roleName: 'orders' },
    units: [
      {
        key: 'ec2',
        service: 'ec2.amazonaws.com',
        unobservable: [
          { action: 's3:GetObject', reason: 'data event' },
          { action: 'ssm:UpdateInstanceInformation', reason: 'baseline: the SSM Agent; never logged', baseline: true },
        ],
        noEvidence: false,
      },
      { key: 'lambda', service: 'lambda.amazonaws.com', unobservable: [], noEvidence: true },
    ],
    unattributed: { actions: new Map([['kms:GenerateDataKey', { count: 3, lastSeen: '' }]]) },
    unmapped: [
      { eventSource: 'example.amazonaws.com', eventName: 'DoThing', prefix: 'example', count: 2, services: ['ec2.amazonaws.com'] },
    ],
    workloads: [
      { region: 'us-east-1', found: { ec2: { instances: [{ instanceId: 'i-0abc' }] }, lambda: { functions: [] }, ecs: { services: [] } } },
    ],
  } as unknown as SplitAnalysis;

  it('take the defaults without a person: grant nothing unasked but baselines, no unmapped grants, idle services as empty roles, proposed names', async () => {
    const io = new RecordingIoHost();
    const decisions = await askDecisions(io, analysis, {}, new Set(['orders-ec2']));
    expect(decisions).toEqual({
      unattributed: { 'kms:GenerateDataKey': [] },
      unobservable: { ec2: ['ssm:UpdateInstanceInformation'] },
      unmapped: 'drop',
      noEvidence: 'empty',
      roleNames: { ec2: 'orders-ec2-2', lambda: 'orders-lambda' },
    });
    expect(io.requests.map((r) => r.code)).toEqual([
      'SR_PLAN_Q2103',
      'SR_PLAN_Q2104',
      'SR_PLAN_Q2109',
      'SR_PLAN_Q2108',
      'SR_PLAN_Q2105',
      'SR_PLAN_Q2106',
      'SR_PLAN_Q2106',
    ]);
    // The unobservable question offers one choice per reason, the baseline's pre-selected.
    const groups = io.requests[1]?.question as unknown as { choices: Array<{ value: string; checked?: boolean }> };
    expect(groups.choices).toEqual([
      expect.objectContaining({ value: 'data event', checked: false }),
      expect.objectContaining({ value: 'baseline: the SSM Agent', checked: true }),
    ]);
    // The unmapped events are shown as a message before their question.
    expect(io.messages).toEqual([
      expect.objectContaining({
        code: 'SR_PLAN_I2009',
        message: expect.stringContaining('example.amazonaws.com DoThing (2× by ec2.amazonaws.com)'),
      }),
    ]);
  });

  it('ask single actions within the groups when the person wants to pick them', async () => {
    const io = new RecordingIoHost((request) => {
      if (request.code === 'SR_PLAN_Q2104') return ['data event'];
      if (request.code === 'SR_PLAN_Q2109') return true;
      if (request.code === 'SR_PLAN_Q2110') return (request.data as { reason: string }).reason === 'data event' ? ['s3:GetObject'] : [];
      return request.defaultResponse;
    });
    const decisions = await askDecisions(io, analysis, { unattributed: 'drop', unmapped: 'keep', withoutEvidence: 'exclude' }, new Set());
    expect(decisions.unobservable).toEqual({ ec2: ['s3:GetObject'] });
    expect(decisions.unmapped).toBe('keep');
    // Single actions are asked only within the ticked group, not the unticked baseline group.
    expect(io.requests.filter((r) => r.code === 'SR_PLAN_Q2110').map((r) => (r.data as { reason: string }).reason)).toEqual(['data event']);
    expect(io.requests.map((r) => r.code)).not.toContain('SR_PLAN_Q2108');
  });

  it('use what the person answers, and flags pre-empt their questions', async () => {
    const io = new RecordingIoHost((request) => {
      if (request.code === 'SR_PLAN_Q2104') return ['data event'];
      if (request.code === 'SR_PLAN_Q2109') return false;
      if (request.code === 'SR_PLAN_Q2106') return `${(request.data as { service: string }).service.split('.')[0]}-new`;
      throw new Error(`unexpected question ${request.code}`);
    });
    const decisions = await askDecisions(io, analysis, { unattributed: 'drop', unmapped: 'keep', withoutEvidence: 'exclude' }, new Set());
    expect(decisions).toEqual({
      unattributed: 'drop',
      unobservable: { ec2: ['s3:GetObject'] },
      unmapped: 'keep',
      noEvidence: 'exclude',
      roleNames: { ec2: 'ec2-new', lambda: 'lambda-new' },
    });
  });

  it('show the workloads as a message before asking to move them', async () => {
    const io = new RecordingIoHost((request) => request.defaultResponse, { now: () => at });
    // Every workload ticked: none stays on the shared role.
    await expect(pickWorkloads(io, sampleAnalysis())).resolves.toEqual([]);
    expect(io.messages).toEqual([
      expect.objectContaining({
        code: 'SR_PLAN_I2008',
        message: expect.stringContaining('EC2 instances: i-0abc'),
        data: expect.objectContaining({ role: 'app-shared' }),
      }),
    ]);
  });

  it('ask each missing required tag on the IoHost, and refuse a run that leaves one empty', async () => {
    const io = new RecordingIoHost((request) => `team-${(request.data as { key: string }).key}`, { now: () => at });
    await expect(askTags(io, 'orders', ['owner', 'application'])).resolves.toEqual({
      owner: 'team-owner',
      application: 'team-application',
    });
    expect(io.requests.map((r) => [r.code, (r.data as { key: string }).key])).toEqual([
      ['SR_PLAN_Q2111', 'owner'],
      ['SR_PLAN_Q2111', 'application'],
    ]);
    expect(io.messages).toEqual([
      expect.objectContaining({ code: 'SR_PLAN_I2010', data: { role: 'orders', missing: ['owner', 'application'] } }),
    ]);
    const validate = (io.requests[0]?.question as unknown as { validate: (value: string) => true | string }).validate;
    expect(validate(' ')).toBe('a required tag needs a value');
    expect(validate('team-orders')).toBe(true);
    const refused = await askTags(new RecordingIoHost(), 'orders', ['owner']).catch((error: unknown) => error);
    expect((refused as SplitRoleError).oneLine()).toBe(
      'UsageError: the required tag owner has no value for the new roles of orders — pass --tag owner=VALUE',
    );
  });

  it('offer only multi-service roles to pick', async () => {
    const findings = [
      { roleName: 'orders', kinds: ['multi-service'], services: ['ec2.amazonaws.com', 'lambda.amazonaws.com'] },
      { roleName: 'batch', kinds: ['service-and-cross-account'], services: ['batch.amazonaws.com'] },
    ] as unknown as ScanFinding[];
    const io = new RecordingIoHost((request) => (request.question as { choices: Array<{ value: string }> }).choices.map((c) => c.value));
    await expect(pickRoles(io, findings)).resolves.toEqual(['orders']);
  });
});
