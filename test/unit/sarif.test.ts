import { describe, expect, it } from 'vitest';
import { buildSarif } from '../../src/cli/format/sarif.js';
import type { Finding } from '../../src/trust/finding.js';

const body = {
  kinds: ['multi-service' as const],
  services: ['ec2.amazonaws.com', 'lambda.amazonaws.com'],
  otherPrincipals: [],
  conditional: false,
  notes: [],
  unresolved: [],
};
const live: Finding = { roleName: 'orders', roleArn: 'arn:aws:iam::111111111111:role/orders', path: '/', ...body };
const code: Finding = {
  file: 'infra/a b.yaml',
  line: 7,
  format: 'cloudformation',
  resource: 'OrdersRole',
  roleName: 'OrdersRole',
  ...body,
  unresolved: ['Principal: !Ref X'],
};

interface Log {
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } };
    invocations: Array<{
      executionSuccessful: boolean;
      toolExecutionNotifications: Array<{ message: { text: string }; locations?: unknown[] }>;
    }>;
    results: Array<{
      ruleId: string;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }>;
      partialFingerprints: Record<string, string>;
      properties?: { account: string };
    }>;
  }>;
}

describe('buildSarif', () => {
  it('locates live roles by ARN and code roles by file and line, with rule metadata from the registry', () => {
    const log = buildSarif({ findings: [live, code] }) as Log;
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => [r.id, r.defaultConfiguration.level])).toEqual([
      ['SR001', 'error'],
      ['SR002', 'error'],
    ]);
    expect(run.results.map((r) => r.locations[0]!.physicalLocation)).toEqual([
      { artifactLocation: { uri: 'arn:aws:iam::111111111111:role/orders' } },
      { artifactLocation: { uri: 'infra/a%20b.yaml' }, region: { startLine: 7 } },
    ]);
    expect(run.results[1]!.message.text).toBe(
      'Role OrdersRole can be assumed by ec2.amazonaws.com, lambda.amazonaws.com. Unresolved: Principal: !Ref X.',
    );
    expect(run.invocations[0]!.executionSuccessful).toBe(true);
  });

  it('keeps a code fingerprint when the line moves', () => {
    const a = buildSarif({ findings: [code] }) as Log;
    const b = buildSarif({ findings: [{ ...code, line: 70 }] }) as Log;
    expect(a.runs[0]!.results[0]!.partialFingerprints).toEqual(b.runs[0]!.results[0]!.partialFingerprints);
  });

  it('reports notifications as an unsuccessful run, and the account when asked', () => {
    const log = buildSarif({
      findings: [live],
      notifications: [{ message: 'could not read x.yaml: bad', file: 'x.yaml' }],
      accountOf: () => '111111111111',
    }) as Log;
    const run = log.runs[0]!;
    expect(run.invocations[0]!.executionSuccessful).toBe(false);
    expect(run.invocations[0]!.toolExecutionNotifications[0]!.message.text).toBe('could not read x.yaml: bad');
    expect(run.results[0]!.properties).toEqual({ account: '111111111111' });
  });
});
