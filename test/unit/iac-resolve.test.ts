/** The intrinsic resolver: what a template alone determines, and what it reports as unresolved. */
import { describe, expect, it } from 'vitest';
import { resolveTrustPolicy, THIS_ACCOUNT } from '../../src/iac/resolve.js';

type Json = Record<string, unknown>;
const doc = (...Statement: Json[]): Json => ({ Version: '2012-10-17', Statement });
const allow = (Principal: unknown): Json => ({ Effect: 'Allow', Principal, Action: 'sts:AssumeRole' });
const cfn = (policy: unknown, mappings?: Record<string, unknown>) =>
  resolveTrustPolicy(policy, { dialect: 'cloudformation', ...(mappings ? { mappings } : {}) });
const principalOf = (resolved: { document?: unknown }, index = 0) =>
  ((resolved.document as { Statement: Json[] }).Statement[index] as Json).Principal;

interface Case {
  name: string;
  principal: unknown;
  mappings?: Record<string, unknown>;
  expect: unknown;
  unresolved?: string[];
  notes?: RegExp[];
}

const cases: Case[] = [
  { name: 'literal principal unchanged', principal: { Service: 'ec2.amazonaws.com' }, expect: { Service: 'ec2.amazonaws.com' } },
  {
    name: 'Fn::Sub with AWS::URLSuffix',
    principal: { Service: { 'Fn::Sub': 'ec2.${AWS::URLSuffix}' } },
    expect: { Service: 'ec2.amazonaws.com' },
  },
  {
    name: 'Fn::Sub with no variables',
    principal: { Service: { 'Fn::Sub': 'lambda.amazonaws.com' } },
    expect: { Service: 'lambda.amazonaws.com' },
  },
  {
    name: 'Fn::Sub keeps AWS::Region as text (a regional principal is still one service)',
    principal: { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } },
    expect: { Service: 'logs.${AWS::Region}.amazonaws.com' },
  },
  {
    name: 'Fn::Sub with a literal variable map',
    principal: { Service: { 'Fn::Sub': ['${Svc}.${AWS::URLSuffix}', { Svc: 'states' }] } },
    expect: { Service: 'states.amazonaws.com' },
  },
  {
    name: 'Fn::Sub escape ${!Literal}',
    principal: { AWS: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/${!Name}' } },
    expect: { AWS: `arn:aws:iam::${THIS_ACCOUNT}:role/\${Name}` },
  },
  {
    name: 'CDK Fn::Join of literals and AWS::URLSuffix',
    principal: { Service: [{ 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::URLSuffix' }]] }, 'ecs-tasks.amazonaws.com'] },
    expect: { Service: ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com'] },
  },
  {
    name: 'Ref AWS::AccountId is this account',
    principal: { AWS: { Ref: 'AWS::AccountId' } },
    expect: { AWS: THIS_ACCOUNT },
  },
  {
    name: 'Fn::Sub ARN with partition and account',
    principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } },
    expect: { AWS: `arn:aws:iam::${THIS_ACCOUNT}:root` },
  },
  {
    name: 'a parameter Ref is unresolved and dropped',
    principal: { Service: 'batch.amazonaws.com', AWS: { Ref: 'PartnerAccount' } },
    expect: { Service: 'batch.amazonaws.com' },
    unresolved: ['Statement[0].Principal.AWS: {"Ref":"PartnerAccount"}'],
  },
  {
    name: 'an unresolved list element keeps the others',
    principal: { Service: ['ec2.amazonaws.com', { 'Fn::ImportValue': 'SharedPrincipal' }] },
    expect: { Service: ['ec2.amazonaws.com'] },
    unresolved: ['Statement[0].Principal.Service[1]: {"Fn::ImportValue":"SharedPrincipal"}'],
  },
  {
    name: 'Fn::Sub of a resource attribute is unresolved',
    principal: { AWS: { 'Fn::Sub': '${DeployRole.Arn}' } },
    expect: {},
    unresolved: ['Statement[0].Principal.AWS: {"Fn::Sub":"${DeployRole.Arn}"}'],
  },
  {
    name: 'Fn::GetAtt is unresolved',
    principal: { AWS: { 'Fn::GetAtt': ['Deployer', 'Arn'] } },
    expect: {},
    unresolved: ['Statement[0].Principal.AWS: {"Fn::GetAtt":["Deployer","Arn"]}'],
  },
  {
    name: 'Fn::Join over an unresolved part is unresolved as a whole',
    principal: { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'Partner' }, ':root']] } },
    expect: {},
    unresolved: ['Statement[0].Principal.AWS: {"Fn::Join":["",["arn:aws:iam::",{"Ref":"Partner"},":root"]]}'],
  },
  {
    name: 'Fn::If in a scalar position: both branches count',
    principal: { Service: { 'Fn::If': ['IsProd', 'ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] } },
    expect: { Service: ['ecs-tasks.amazonaws.com', 'lambda.amazonaws.com'] },
    notes: [/Statement\[0\]\.Principal\.Service depends on condition "IsProd"; both branches are counted/],
  },
  {
    name: 'Fn::If with AWS::NoValue contributes one branch',
    principal: { Service: ['ec2.amazonaws.com', { 'Fn::If': ['Edge', 'edgelambda.amazonaws.com', { Ref: 'AWS::NoValue' }] }] },
    expect: { Service: ['ec2.amazonaws.com', 'edgelambda.amazonaws.com'] },
    notes: [/depends on condition "Edge"/],
  },
  {
    name: 'Fn::If between principal objects merges them',
    principal: { 'Fn::If': ['Cond', { Service: 'ec2.amazonaws.com' }, { Service: 'lambda.amazonaws.com', AWS: '111122223333' }] },
    expect: { Service: ['ec2.amazonaws.com', 'lambda.amazonaws.com'], AWS: '111122223333' },
    notes: [/Cond/],
  },
  {
    name: 'Fn::FindInMap from the template Mappings',
    principal: { Service: { 'Fn::FindInMap': ['Svc', 'eu', 'name'] } },
    mappings: { Svc: { eu: { name: 'scheduler.amazonaws.com' } } },
    expect: { Service: 'scheduler.amazonaws.com' },
  },
  {
    name: 'Fn::Select over Fn::Split of literals',
    principal: { Service: { 'Fn::Select': [1, { 'Fn::Split': [',', 'ec2.amazonaws.com,pipes.amazonaws.com'] }] } },
    expect: { Service: 'pipes.amazonaws.com' },
  },
  { name: 'YAML numbers become text (an unquoted account id)', principal: { AWS: 210987654321 }, expect: { AWS: '210987654321' } },
];

describe('resolveTrustPolicy (CloudFormation)', () => {
  it.each(cases)('$name', (c) => {
    const resolved = cfn(doc(allow(c.principal)), c.mappings);
    expect(principalOf(resolved)).toEqual(c.expect);
    expect(resolved.unresolved).toEqual(c.unresolved ?? []);
    expect(resolved.notes).toHaveLength(c.notes?.length ?? 0);
    c.notes?.forEach((pattern, i) => expect(resolved.notes[i]).toMatch(pattern));
  });

  it('Fn::If between whole statements keeps both as statements', () => {
    const resolved = cfn(doc({ 'Fn::If': ['C', allow({ Service: 'ec2.amazonaws.com' }), allow({ Service: 'lambda.amazonaws.com' })] }));
    expect((resolved.document as { Statement: unknown[] }).Statement).toHaveLength(2);
  });

  it('a whole policy from a parameter is unresolved, with no document', () => {
    const resolved = cfn({ Ref: 'TrustPolicy' });
    expect(resolved.document).toBeUndefined();
    expect(resolved.unresolved).toEqual(['(policy): {"Ref":"TrustPolicy"}']);
  });

  it('a statement whose Action is unresolved is skipped, not fatal', () => {
    const resolved = cfn(
      doc(
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: { Ref: 'Actions' } },
        allow({ Service: 'lambda.amazonaws.com' }),
      ),
    );
    expect((resolved.document as { Statement: unknown[] }).Statement).toEqual([allow({ Service: 'lambda.amazonaws.com' })]);
    expect(resolved.unresolved).toEqual([
      'Statement[0].Action: {"Ref":"Actions"}',
      'Statement[0]: skipped, its Effect or Action could not be resolved',
    ]);
  });

  it('a policy given as JSON text is parsed first', () => {
    const resolved = cfn(JSON.stringify(doc(allow({ Service: 'ec2.amazonaws.com' }))));
    expect(principalOf(resolved)).toEqual({ Service: 'ec2.amazonaws.com' });
  });

  it('a statement Condition block is not mistaken for the Condition intrinsic', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };
    const resolved = cfn(doc({ ...allow({ Service: 'ec2.amazonaws.com' }), Condition: condition }));
    expect(((resolved.document as { Statement: Json[] }).Statement[0] as Json).Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': THIS_ACCOUNT },
    });
  });

  it('Terraform values are taken literally: a "Ref" key there is just a key', () => {
    const resolved = resolveTrustPolicy(doc(allow({ Service: 'ec2.amazonaws.com' })), { dialect: 'terraform' });
    expect(resolved.unresolved).toEqual([]);
    expect(principalOf(resolved)).toEqual({ Service: 'ec2.amazonaws.com' });
  });
});

describe('resolveTrustPolicy with the template around it', () => {
  it('Fn::GetAtt Arn of a role in the same template is a same-account principal', () => {
    const localArns = { Deployer: `arn:aws:iam::${THIS_ACCOUNT}:role/Deployer` };
    const resolved = resolveTrustPolicy(
      doc(allow({ AWS: { 'Fn::GetAtt': ['Deployer', 'Arn'] } }), allow({ AWS: { 'Fn::GetAtt': ['Elsewhere', 'Arn'] } })),
      {
        dialect: 'cloudformation',
        localArns,
      },
    );
    expect(principalOf(resolved, 0)).toEqual({ AWS: localArns.Deployer });
    expect(resolved.unresolved).toEqual(['Statement[1].Principal.AWS: {"Fn::GetAtt":["Elsewhere","Arn"]}']);
  });
});
