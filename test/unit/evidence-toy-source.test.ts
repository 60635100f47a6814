/**
 * Adding an evidence engine is its file plus one registry line: a toy engine,
 * registered here at test time (registerUsageSource stands in for the line
 * in src/evidence/sources.ts), gets its flags on plan and verify, its
 * settings into the plan and back, and those settings to its own reads from
 * plan, verify and the retire gate, untouched. Nothing outside this file
 * names it.
 */
import { Command } from '@commander-js/extra-typings';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openAwsSession, type AwsSession } from '../../src/aws/session.js';
import { renderVerify } from '../../src/cli/commands/verify.js';
import { addEvidenceOptions } from '../../src/cli/evidence-options.js';
import { usageError } from '../../src/core/errors.js';
import { gatherEvidence } from '../../src/evidence/gather.js';
import { roleCalls } from '../../src/evidence/role-records.js';
import { planEvidence, planEvidenceSettings, verifyEvidenceSettings } from '../../src/evidence/settings.js';
import { textOption, optionValue, type EvidenceRequest, type UsageSource } from '../../src/evidence/source.js';
import { registerUsageSource } from '../../src/evidence/sources.js';
import type { UsageEvidence } from '../../src/evidence/types.js';
import { parsePlan, sealPlan } from '../../src/plan/plan-file.js';
import type { PlanBody } from '../../src/plan/schema.js';
import { RecordingIoHost } from '../support/recording-io-host.js';
import { analysis, EC2, evidence, policyDoc, SHARED_ARN, SHARED_NAME, sampleBody, sharedRole, usage } from './fixtures/plan-fixtures.js';
import { NO_HINTS } from '../support/cloudtrail-corpus.js';

const toySchema = z.strictObject({ bucket: z.string().regex(/^[a-z0-9-]{3,63}$/), depth: z.number().int().positive().optional() });
type ToyConfig = z.infer<typeof toySchema>;

/** What the toy's reads were handed, to compare with what plan stored. */
const handed: { usage: ToyConfig[]; roleCalls: ToyConfig[] } = { usage: [], roleCalls: [] };

const WINDOW = { start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-11-02T00:00:00Z') };

/** The toy engine: a whole evidence source in one object, as a new src/evidence/*-source.ts would export it. */
const toySource: UsageSource<ToyConfig> = {
  name: 'toy-engine',
  visibility: {
    managementEvents: true,
    dataEvents: false,
    dataEventsBlindReason: 'the toy engine keeps no data events',
    serverSideFiltering: true,
  },
  flags: [
    { flags: '--toy-bucket <name>', description: 'the bucket the toy engine reads' },
    {
      flags: '--toy-depth <n>',
      description: 'how deep the toy engine looks',
      planOnly: true,
      parse: (value) => {
        if (!/^[1-9]\d*$/.test(value)) throw new Error('expected a whole number above 0');
        return Number(value);
      },
    },
  ],
  configSchema: toySchema,
  fromOptions(options, { base }) {
    const bucket = textOption(options, 'toyBucket') ?? base?.bucket;
    if (!bucket) throw usageError('--evidence toy-engine needs a bucket', 'pass --toy-bucket NAME');
    const given = optionValue(options, 'toyDepth');
    const depth = typeof given === 'number' ? given : base?.depth;
    return { bucket, ...(depth !== undefined ? { depth } : {}) };
  },
  describe: (config) => `toy ${config.bucket}`,
  usage(ctx) {
    handed.usage.push(ctx.request.config);
    const service = ctx.subject.services[0] ?? EC2;
    const evidence: UsageEvidence = {
      source: ctx.request.source,
      window: { start: ctx.request.window.start.toISOString(), end: ctx.request.window.end.toISOString() },
      byService: new Map([[service, usage({ 's3:ListBucket': 2 }, { sessions: 1, events: 2 })]]),
      unattributed: usage(),
      recordsRead: 2,
      warnings: ctx.warnings,
    };
    return Promise.resolve(evidence);
  },
  roleCalls(ctx) {
    handed.roleCalls.push(ctx.request.config);
    const role = ctx.roles[0]!;
    return Promise.resolve([
      {
        roleArn: role.arn,
        sessionName: 'i-0abc',
        eventSource: 's3.amazonaws.com',
        eventName: 'ListBucket',
        errorCode: '',
        count: 4,
        firstSeen: '2026-11-01T01:00:00Z',
        lastSeen: '2026-11-01T02:00:00Z',
      },
    ]);
  },
};

let unregister: () => void;
let session: AwsSession;
beforeAll(async () => {
  unregister = registerUsageSource(toySource);
  // A real session: nothing here calls AWS, the toy reads nothing from it.
  session = await openAwsSession({ region: 'us-east-1' });
});
afterAll(() => unregister());

/** `plan` (or `verify`) as the CLI wires it, parsing `args`. */
function parsed(command: 'plan' | 'verify', args: string[]) {
  // One line per option in help, whatever the terminal's width.
  const program = new Command(command)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined })
    .configureHelp({ helpWidth: 1000 });
  addEvidenceOptions(program, command);
  program.parse(args, { from: 'user' });
  const options: Record<string, unknown> = program.opts();
  return { program, options };
}

/** A plan body made from the toy's evidence with these settings. */
function toyPlanBody(config: ToyConfig): PlanBody {
  const body = sampleBody();
  body.evidence = { ...body.evidence, source: 'toy-engine', config };
  return body;
}

describe('a toy evidence engine registered at test time', () => {
  it('gets --evidence toy-engine and its flags on plan, and only the checks’ flags on verify', () => {
    const { program, options } = parsed('plan', ['--evidence', 'toy-engine', '--toy-bucket', 'trail-copy', '--toy-depth', '3']);
    expect(planEvidenceSettings(String(options.evidence), options, false)).toEqual({
      source: 'toy-engine',
      config: { bucket: 'trail-copy', depth: 3 },
    });
    expect(program.helpInformation()).toMatch(/--toy-bucket <name>\s+the bucket the toy engine reads \(for --evidence toy-engine\)/);

    const verify = parsed('verify', []).program.helpInformation();
    expect(verify).toMatch(/--toy-bucket <name>.*\(for --evidence toy-engine; default: the plan’s\)/);
    expect(verify).not.toContain('--toy-depth');
    expect(() => parsed('plan', ['--evidence', 'toy-engine', '--toy-depth', 'deep'])).toThrow(
      /--toy-depth <n>' argument 'deep' is invalid\. expected a whole number above 0/,
    );
  });

  it('refuses missing settings in its own one-line usage error', () => {
    const { options } = parsed('plan', ['--evidence', 'toy-engine']);
    expect(() => planEvidenceSettings('toy-engine', options, false)).toThrow(/^--evidence toy-engine needs a bucket$/);
  });

  it('has its settings kept in the plan, checked by its schema on read', () => {
    const plan = parsePlan(JSON.stringify(sealPlan(toyPlanBody({ bucket: 'trail-copy', depth: 3 }))), 'the toy plan');
    expect(plan.evidence.config).toEqual({ bucket: 'trail-copy', depth: 3 });
    expect(planEvidence(plan.evidence)).toEqual({ source: 'toy-engine', config: { bucket: 'trail-copy', depth: 3 } });
    const bad = JSON.stringify(sealPlan(toyPlanBody({ bucket: 'Not A Bucket' })));
    expect(() => parsePlan(bad, 'the toy plan')).toThrow(/fails the plan schema at evidence\.config\.bucket/);
  });

  it('is handed its settings untouched by plan’s evidence read and by the retire gate’s and verify’s call count', async () => {
    const config: ToyConfig = { bucket: 'trail-copy', depth: 3 };
    const request: EvidenceRequest = { source: 'toy-engine', window: WINDOW, config };
    const subject = {
      role: { arn: SHARED_ARN, name: SHARED_NAME },
      services: [EC2],
      hints: NO_HINTS,
    };
    const read = await gatherEvidence(session, new RecordingIoHost(), subject, request);
    expect(read.byService.get(EC2)?.events).toBe(2);

    const plan = parsePlan(JSON.stringify(sealPlan(toyPlanBody(config))), 'the toy plan');
    const shared = { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' as const };
    const calls = await roleCalls(
      session,
      new RecordingIoHost(),
      [shared],
      { ...planEvidence(plan.evidence), regions: plan.regions },
      WINDOW,
    );
    expect(calls?.byRole.get(shared.arn)?.map((c) => `${c.eventName} ×${c.count}`)).toEqual(['ListBucket ×4']);

    const verify = verifyEvidenceSettings(planEvidence(plan.evidence), undefined, { toyBucket: 'other-copy' }, false);
    expect(verify).toEqual({ source: 'toy-engine', config: { bucket: 'other-copy', depth: 3 } });

    expect(handed.usage).toEqual([config]);
    expect(handed.roleCalls).toEqual([config]);
  });

  it('tells the blind-spot logic what it cannot see, which names no source', () => {
    const shared = sharedRole({
      inlinePolicies: [{ name: 'app', document: policyDoc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }) }],
      attachedPolicies: [],
    });
    const split = analysis(
      shared,
      evidence({ [EC2]: usage({ 's3:ListBucket': 2 }) }, { source: 'toy-engine', dataEventSources: new Set() }),
    );
    const ec2 = split.units.find((u) => u.key === 'ec2');
    expect(ec2?.unobservable.find((u) => u.action === 's3:GetObject')?.reason).toMatch(/the toy engine keeps no data events/);
  });

  it('lets verify say which registered sources can list single calls when the plan’s cannot', async () => {
    // The toy without roleCalls: it reads usage, but cannot count calls after cutover.
    const remove = registerUsageSource<ToyConfig>({
      name: 'toy-blind',
      visibility: toySource.visibility,
      flags: [],
      configSchema: toySchema,
      fromOptions: (options, context) => toySource.fromOptions(options, context),
      describe: (config) => `toy ${config.bucket}`,
      usage: (ctx) => toySource.usage(ctx),
    });
    try {
      const plan = parsePlan(JSON.stringify(sealPlan(toyPlanBody({ bucket: 'trail-copy' }))), 'the toy plan');
      const shared = { arn: plan.sharedRole.arn, name: plan.sharedRole.roleName, calls: 'all' as const };
      expect(
        await roleCalls(session, new RecordingIoHost(), [shared], { source: 'toy-blind', config: { bucket: 'trail-copy' } }, WINDOW),
      ).toBeUndefined();
      const report = {
        planId: plan.planId,
        roleName: SHARED_NAME,
        window: { start: WINDOW.start.toISOString(), end: WINDOW.end.toISOString() },
        evidence: 'toy trail-copy',
        callsVisible: false,
        enoughEvidence: true,
        denied: [],
        sharedCalls: [],
        workloadProblems: [],
        granted: [],
        notGranted: [],
        problems: 0,
      };
      expect(renderVerify(report)).toContain(
        'cannot list single calls: pass --evidence lookup-events|logs|access-analyzer|athena|cloudtrail-lake|toy-engine to check',
      );
    } finally {
      remove();
    }
  });
});
