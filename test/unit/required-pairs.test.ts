/**
 * Services AWS requires together in one trust policy count as one workload in
 * the trust analysis that scan, check and the guardrail share (issue 23 item 3).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RoleSummary } from '../../src/aws/iam.js';
import { checkPaths } from '../../src/check/check-paths.js';
import { judgeLiveRole } from '../../src/guardrail/alert.js';
import { buildScanReport } from '../../src/scan/report.js';
import { analyseTrustPolicy } from '../../src/trust/analyse.js';
import { workloadGroups, workloadKey, workloadsOf } from '../../src/trust/service-principals.js';

const ACCOUNT = '111122223333';
const svc = (name: string) => `${name}.amazonaws.com`;
const trust = (...services: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: services.map(svc) }, Action: 'sts:AssumeRole' }],
});

const PAIRS: Array<[label: string, services: string[], key: string]> = [
  ['MWAA', ['airflow', 'airflow-env'], 'airflow'],
  ['EMR automatic scaling', ['elasticmapreduce', 'application-autoscaling'], 'elasticmapreduce'],
  ['Data Pipeline', ['datapipeline', 'elasticmapreduce'], 'datapipeline'],
  ['SageMaker Canvas', ['sagemaker', 'forecast'], 'sagemaker'],
  ['Migration Hub Orchestrator', ['ssm', 'migrationhub-orchestrator'], 'migrationhub-orchestrator'],
  ['Lambda@Edge', ['lambda', 'edgelambda'], 'lambda'],
];

const role = (name: string, ...services: string[]): RoleSummary => ({
  roleName: name,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  roleId: `AROA${name.toUpperCase()}`,
  path: '/',
  trustPolicy: encodeURIComponent(JSON.stringify(trust(...services))),
});

describe('required service pairs', () => {
  it.each(PAIRS)('%s is one workload, not a finding', (_label, services, key) => {
    const analysis = analyseTrustPolicy(trust(...services), ACCOUNT);
    expect(analysis.workloads).toEqual([key]);
    expect(analysis.kinds).toEqual([]);
  });

  it.each(PAIRS)('%s plus a third service is two workloads and a finding', (_label, services) => {
    const analysis = analyseTrustPolicy(trust(...services, 'ec2'), ACCOUNT);
    expect(analysis.workloads).toHaveLength(2);
    expect(analysis.kinds).toEqual(['multi-service']);
  });

  it('a pair member on its own is its own service, so it still shares with any other service', () => {
    // ssm + ec2 is a real share: only ssm with the orchestrator is one workload.
    expect(analyseTrustPolicy(trust('ssm', 'ec2'), ACCOUNT).kinds).toEqual(['multi-service']);
    expect(workloadKey(svc('ssm'))).toBe('ssm');
    expect(workloadKey(svc('ssm'), [svc('ssm'), svc('ec2')])).toBe('ssm');
    expect(workloadKey(svc('ssm'), [svc('ssm'), svc('migrationhub-orchestrator')])).toBe('migrationhub-orchestrator');
    expect(workloadKey(svc('airflow-env'))).toBe('airflow-env');
    // Lambda@Edge keeps its old meaning: edgelambda alone is a Lambda function.
    expect(workloadKey(svc('edgelambda'))).toBe('lambda');
  });

  it('one member cannot complete two groups: EMR + Application Auto Scaling + Data Pipeline is two workloads', () => {
    expect(workloadsOf(['elasticmapreduce', 'application-autoscaling', 'datapipeline'].map(svc))).toEqual([
      'datapipeline',
      'elasticmapreduce',
    ]);
    expect(analyseTrustPolicy(trust('elasticmapreduce', 'application-autoscaling', 'datapipeline'), ACCOUNT).kinds).toEqual([
      'multi-service',
    ]);
  });

  it('regional and partition spellings still pair', () => {
    expect(workloadsOf(['airflow.amazonaws.com.cn', 'airflow-env.cn-north-1.amazonaws.com.cn'])).toEqual(['airflow']);
  });

  it('cites an AWS documentation page for every group', () => {
    for (const group of workloadGroups()) expect(group.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(workloadGroups().length).toBeGreaterThanOrEqual(PAIRS.length);
  });
});

describe('scan, check and the guardrail agree on an MWAA role', () => {
  it('scan: the MWAA role is in scope and compliant; with EC2 it is a finding', () => {
    const report = buildScanReport([role('mwaa', 'airflow', 'airflow-env'), role('mwaa-ec2', 'airflow', 'airflow-env', 'ec2')], {
      account: ACCOUNT,
      partition: 'aws',
      region: 'us-east-1',
    });
    expect(report.findings.map((f) => f.roleName)).toEqual(['mwaa-ec2']);
    expect(report.serviceRoles.map((r) => r.roleName).sort()).toEqual(['mwaa', 'mwaa-ec2']);
  });

  it('the guardrail verdict: compliant for MWAA, non-compliant with a third service', () => {
    expect(judgeLiveRole(role('mwaa', 'airflow', 'airflow-env'), ACCOUNT, 'owner')).toEqual({ status: 'compliant' });
    expect(judgeLiveRole(role('mwaa-ec2', 'airflow', 'airflow-env', 'ec2'), ACCOUNT, 'owner').status).toBe('non-compliant');
  });

  it('check: a CloudFormation MWAA role is not a finding; one that EC2 can assume too is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'split-role-pairs-'));
    const resource = (...services: string[]) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust(...services) } });
    const template = {
      Resources: { MwaaRole: resource('airflow', 'airflow-env'), MwaaAndEc2Role: resource('airflow', 'airflow-env', 'ec2') },
    };
    await writeFile(join(dir, 'template.json'), JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', ...template }));
    const report = await checkPaths([dir], { cwd: dir });
    expect(report.summary.rolesChecked).toBe(2);
    expect(report.findings.map((f) => f.resource)).toEqual(['MwaaAndEc2Role']);
  });
});
