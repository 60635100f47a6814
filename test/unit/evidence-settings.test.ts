/**
 * Each source's flags become its settings (plan), one-line usage errors
 * refuse missing or bad ones, and a plan's settings read back, from plans
 * written before `evidence.config` too.
 */
import { resolve } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { describe, expect, it } from 'vitest';
import { addEvidenceOptions } from '../../src/cli/evidence-options.js';
import { evidenceFlags, flagKey, planEvidence, planEvidenceProblem, planEvidenceSettings } from '../../src/evidence/settings.js';
import { usageSources } from '../../src/evidence/sources.js';

/** `plan`'s evidence settings from command-line words, as the CLI parses them. */
function planFrom(args: string[], terminal = false) {
  const command = new Command('plan').exitOverride().configureOutput({ writeErr: () => undefined });
  addEvidenceOptions(command, 'plan');
  command.parse(args, { from: 'user' });
  const options: Record<string, unknown> = command.opts();
  return planEvidenceSettings(String(options.evidence), options, terminal);
}

const TRAIL = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org';
const AA_ROLE = 'arn:aws:iam::123456789012:role/access-analyzer-trail';

describe('plan’s flags to a source’s settings', () => {
  it('lookup-events, the default, takes nothing', () => {
    expect(planFrom([])).toEqual({ source: 'lookup-events', config: {} });
  });

  it('logs: the files, local ones as an absolute path, and the corrupt-file limit (0 unattended, none at a terminal unless given)', () => {
    expect(planFrom(['--evidence', 'logs', '--cloudtrail-logs', 'trail'])).toEqual({
      source: 'logs',
      config: { location: resolve('trail'), maxSkippedFiles: 0 },
    });
    expect(planFrom(['--evidence', 'logs', '--cloudtrail-logs', 's3://bucket/AWSLogs/'], true)).toEqual({
      source: 'logs',
      config: { location: 's3://bucket/AWSLogs/' },
    });
    expect(planFrom(['--evidence', 'logs', '--cloudtrail-logs', '/t', '--max-skipped-files', '5'], true)).toEqual({
      source: 'logs',
      config: { location: '/t', maxSkippedFiles: 5 },
    });
    expect(() => planFrom(['--evidence', 'logs'])).toThrow(/^--evidence logs needs the trail’s files$/);
    expect(() => planFrom(['--evidence', 'logs', '--cloudtrail-logs', '/t', '--max-skipped-files', 'many'])).toThrow(
      /option '--max-skipped-files <n>' argument 'many' is invalid\. expected a whole number such as 0 or 5/,
    );
  });

  it('access-analyzer: the trail and the role, and the trail files when given', () => {
    expect(planFrom(['--evidence', 'access-analyzer', '--trail-arn', TRAIL, '--access-role-arn', AA_ROLE])).toEqual({
      source: 'access-analyzer',
      config: { trailArn: TRAIL, accessRoleArn: AA_ROLE },
    });
    expect(
      planFrom(['--evidence', 'access-analyzer', '--trail-arn', TRAIL, '--access-role-arn', AA_ROLE, '--cloudtrail-logs', '/t']),
    ).toEqual({
      source: 'access-analyzer',
      config: { trailArn: TRAIL, accessRoleArn: AA_ROLE, files: { location: '/t', maxSkippedFiles: 0 } },
    });
    expect(() => planFrom(['--evidence', 'access-analyzer', '--trail-arn', TRAIL])).toThrow(
      /^--evidence access-analyzer needs a trail and a role for Access Analyzer$/,
    );
  });

  it('athena: the table, with the workgroup and output when given, each checked', () => {
    expect(planFrom(['--evidence', 'athena', '--athena-table', 'cloudtrail.logs', '--athena-output', 's3://results/q/'])).toEqual({
      source: 'athena',
      config: { table: 'cloudtrail.logs', output: 's3://results/q/' },
    });
    expect(() => planFrom(['--evidence', 'athena'])).toThrow(/^--evidence athena needs the trail’s Athena table$/);
    expect(() => planFrom(['--evidence', 'athena', '--athena-table', 'logs; DROP TABLE x'])).toThrow(
      /^--athena-table must be DATABASE\.TABLE/,
    );
    expect(() => planFrom(['--evidence', 'athena', '--athena-table', 'a.b', '--athena-workgroup', "wg'"])).toThrow(
      /^--athena-workgroup must be/,
    );
  });

  it('cloudtrail-lake: the event data store, as an id or an ARN', () => {
    expect(planFrom(['--evidence', 'cloudtrail-lake', '--event-data-store', 'EXAMPLE-f852-4e8f-8bd1'])).toEqual({
      source: 'cloudtrail-lake',
      config: { eventDataStore: 'EXAMPLE-f852-4e8f-8bd1' },
    });
    const arn = 'arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1';
    expect(planFrom(['--evidence', 'cloudtrail-lake', '--event-data-store', arn])).toEqual({
      source: 'cloudtrail-lake',
      config: { eventDataStore: arn },
    });
    expect(() => planFrom(['--evidence', 'cloudtrail-lake'])).toThrow(/^--evidence cloudtrail-lake needs an event data store$/);
    expect(() => planFrom(['--evidence', 'cloudtrail-lake', '--event-data-store', "x' OR 1=1"])).toThrow(
      /^--event-data-store must be an event data store id or ARN/,
    );
  });

  it('refuses a source that is not registered, naming the ones that are', () => {
    expect(() => planFrom(['--evidence', 'splunk'])).toThrow(
      /argument 'splunk' is invalid\. Allowed choices are lookup-events, logs, access-analyzer, athena, cloudtrail-lake/,
    );
    expect(() => planEvidenceSettings('splunk', {}, false)).toThrow(/^--evidence splunk is not a source$/);
  });
});

describe('the sources’ flags', () => {
  it('lists a flag two sources read once, with both; verify gets only the flags checks after cutover read', () => {
    const plan = evidenceFlags('plan');
    expect(plan.filter((f) => f.flags.startsWith('--cloudtrail-logs'))).toEqual([
      expect.objectContaining({ key: 'cloudtrailLogs', sources: ['logs', 'access-analyzer'] }),
    ]);
    expect(new Set(plan.map((f) => f.key)).size).toBe(plan.length);
    expect(evidenceFlags('verify').map((f) => f.key)).toEqual([
      'cloudtrailLogs',
      'athenaTable',
      'athenaWorkgroup',
      'athenaOutput',
      'eventDataStore',
    ]);
  });

  it('finds commander’s attribute name for a flag', () => {
    expect(flagKey('--athena-table <db.table>')).toBe('athenaTable');
    expect(flagKey('-x, --max-skipped-files <n>')).toBe('maxSkippedFiles');
  });
});

describe('a plan’s evidence settings', () => {
  it('reads them from `config`', () => {
    expect(planEvidence({ source: 'athena', config: { table: 'cloudtrail.logs', workgroup: 'audit' } })).toEqual({
      source: 'athena',
      config: { table: 'cloudtrail.logs', workgroup: 'audit' },
    });
  });

  it('reads the fields plans kept before `config`', () => {
    expect(planEvidence({ source: 'logs', location: '/var/trail' })).toEqual({ source: 'logs', config: { location: '/var/trail' } });
    expect(planEvidence({ source: 'access-analyzer', location: 's3://b/p/' })).toEqual({
      source: 'access-analyzer',
      config: { files: { location: 's3://b/p/' } },
    });
    expect(planEvidence({ source: 'access-analyzer' })).toEqual({ source: 'access-analyzer', config: {} });
    expect(planEvidence({ source: 'athena', athena: { table: 'cloudtrail.logs', output: 's3://results/' } })).toEqual({
      source: 'athena',
      config: { table: 'cloudtrail.logs', output: 's3://results/' },
    });
    expect(planEvidence({ source: 'cloudtrail-lake', eventDataStore: 'EXAMPLE-store-1' })).toEqual({
      source: 'cloudtrail-lake',
      config: { eventDataStore: 'EXAMPLE-store-1' },
    });
    expect(planEvidence({ source: 'lookup-events' })).toEqual({ source: 'lookup-events', config: {} });
  });

  it('says where settings fail their source’s schema, for the plan schema', () => {
    expect(planEvidenceProblem({ source: 'logs', config: {} })).toEqual({ path: ['config', 'location'], message: expect.any(String) });
    expect(planEvidenceProblem({ source: 'lookup-events', config: { table: 'x.y' } })).toEqual({
      path: ['config'],
      message: expect.stringMatching(/table/),
    });
    expect(planEvidenceProblem({ source: 'logs' })).toEqual({ path: ['config', 'location'], message: expect.any(String) });
    expect(planEvidenceProblem({ source: 'splunk', config: {} })).toEqual({
      path: ['source'],
      message: expect.stringMatching(/no evidence source is called "splunk"/),
    });
    for (const source of usageSources()) expect(source.configSchema.safeParse({ unknownField: 1 }).success).toBe(false);
  });
});
