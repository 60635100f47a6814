/**
 * Attribution and event → action mapping on CloudTrail records copied from
 * AWS documentation (test/fixtures/cloudtrail, each file naming its page),
 * beside the generated corpora the other tests use.
 */
import { describe, expect, it } from 'vitest';
import { eventToActions } from '../../src/evidence/event-action.js';
import type { CloudTrailRecord } from '../../src/evidence/types.js';
import { actionCatalog } from '../../src/policy/action-catalog.js';
import { attribute as attributeWith, loadCorpus } from '../support/cloudtrail-corpus.js';

const corpus = loadCorpus(new URL('../fixtures/cloudtrail/', import.meta.url).pathname);

const find = (eventName: string, section?: RegExp): CloudTrailRecord => {
  const hit = corpus.find((r) => r.record.eventName === eventName && (!section || section.test(r.section)));
  if (!hit) throw new Error(`no documented ${eventName} record`);
  return hit.record;
};

/** Attribution for a role that EC2 and Lambda can assume. */
const attribute = (roleArn: string, records: CloudTrailRecord[], services = ['ec2.amazonaws.com', 'lambda.amazonaws.com']) =>
  attributeWith(roleArn, records, services);

describe('the documentation corpus', () => {
  it('names an AWS documentation page for every record', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    for (const { page, section } of corpus) {
      expect(page).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
      expect(section.length).toBeGreaterThan(5);
    }
  });

  it.each(corpus.filter((r) => r.record.eventType !== 'AwsServiceEvent' && r.record.eventName !== 'AssumeRole'))(
    'maps $section to actions the catalog knows',
    ({ record }) => {
      const actions = eventToActions(record.eventSource, record.eventName, record.requestParameters);
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(actionCatalog().has(action), action).toBe(true);
    },
  );
});

describe('DynamoDB data events (DynamoDB developer guide)', () => {
  const ROLE = 'arn:aws:iam::444455556666:role/admin-role';

  it('a transaction counts as the item actions it carries; PartiQL as the verbs of its statements', () => {
    const evidence = attribute(ROLE, [
      find('PutItem'),
      find('TransactWriteItems', /successful/),
      find('ExecuteStatement'),
      find('BatchExecuteStatement'),
    ]);
    // No AssumeRole for bob's session and no shape to its name: the role's usage, unattributed — never dropped.
    expect([...evidence.unattributed.actions.keys()].sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:PartiQLInsert',
      'dynamodb:PartiQLSelect',
      'dynamodb:PartiQLUpdate',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(evidence.unattributed.actions.get('dynamodb:PutItem')?.count).toBe(2);
    expect(evidence.dataEventSources).toEqual(new Set(['dynamodb.amazonaws.com']));
  });

  it('a call that failed on its condition still needed (and shows) its permission', () => {
    const evidence = attribute(ROLE, [find('UpdateItem'), find('TransactWriteItems', /Canceled/)]);
    expect([...evidence.unattributed.actions.keys()].sort()).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
  });
});

describe('S3 (S3 user guide)', () => {
  it('an IAM user’s object-level data event (PutObject on S3 on Outposts) is no role’s usage', () => {
    const putObject = find('PutObject');
    expect(putObject.eventCategory).toBe('Data');
    expect(putObject.userIdentity?.type).toBe('IAMUser');
    // Outposts objects are authorised under their own prefix, not s3:.
    expect(eventToActions(putObject.eventSource, putObject.eventName, putObject.requestParameters)).toEqual(['s3-outposts:PutObject']);
    const evidence = attribute('arn:aws:iam::111122223333:role/anything', [putObject, find('ListBuckets')]);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.dataEventSources?.size ?? 0).toBe(0);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });

  it('GET Service is logged as ListBuckets and authorised as s3:ListAllMyBuckets; bucket calls keep their names', () => {
    expect(eventToActions('s3.amazonaws.com', find('ListBuckets').eventName)).toEqual(['s3:ListAllMyBuckets']);
    expect(eventToActions('s3.amazonaws.com', find('PutBucketAcl').eventName)).toEqual(['s3:PutBucketAcl']);
    expect(eventToActions('s3.amazonaws.com', find('GetBucketVersioning').eventName)).toEqual(['s3:GetBucketVersioning']);
  });
});

describe('DynamoDB Streams (DynamoDB developer guide)', () => {
  it('a GetRecords data event of a role session is the role’s usage, as dynamodb:GetRecords', () => {
    const getRecords = find('GetRecords');
    const evidence = attribute('arn:aws:iam::444455556666:role/admin-role', [getRecords]);
    // The page's record names the table (in another account than the session's: the page's own inconsistency).
    expect([...evidence.unattributed.actions.entries()]).toEqual([
      [
        'dynamodb:GetRecords',
        {
          count: 1,
          firstSeen: getRecords.eventTime,
          lastSeen: getRecords.eventTime,
          resources: ['arn:aws:dynamodb:us-west-2:123456789012:table/Music'],
        },
      ],
    ]);
    expect(evidence.dataEventSources).toEqual(new Set(['dynamodb.amazonaws.com']));
  });
});

describe('data events (CloudTrail user guide)', () => {
  it('an SNS Publish data event is the role’s usage, and marks SNS as a data-event source', () => {
    const evidence = attribute('arn:aws:iam::123456789012:role/Admin', [find('Publish')]);
    // The page's session ARN names no service's session shape: unattributed, never dropped.
    expect([...evidence.unattributed.actions.keys()]).toEqual(['sns:Publish']);
    expect(evidence.dataEventSources).toEqual(new Set(['sns.amazonaws.com']));
  });

  it('an identity of type Unknown (an unauthenticated Cognito caller) is no role’s usage', () => {
    const evidence = attribute('arn:aws:iam::123456789012:role/Admin', [find('GetCredentialsForIdentity')]);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.dataEventSources?.size ?? 0).toBe(0);
  });
});

describe('refused calls (Lambda developer guide)', () => {
  it('an AccessDenied call is not a permission to keep; the next call is', () => {
    const records = [find('GetFunction'), find('DeleteFunction')];
    expect(records[0]?.errorCode).toBe('AccessDenied');
    expect(eventToActions('lambda.amazonaws.com', 'GetFunction')).toEqual(['lambda:GetFunction']);
    // These are an IAM user's calls: no role session, so no role's usage.
    const evidence = attribute('arn:aws:iam::999999999999:role/any', records);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });
});

describe('sessions and identities (IAM, GuardDuty, Mainframe Modernization and CloudTrail guides)', () => {
  it("a service role's session call counts for the role", () => {
    const evidence = attribute('arn:aws:iam::777788889999:role/AssumeNothing', [find('DeleteBucket')]);
    expect([...evidence.unattributed.actions.keys()]).toEqual(['s3:DeleteBucket']);
    expect(evidence.unattributed.sessions).toBe(1);
  });

  it('an AssumeRole by another account opens a session that is not a service’s', () => {
    const evidence = attribute('arn:aws:iam::111122223333:role/EC2-dev', [find('AssumeRole', /cross-account/)]);
    expect(evidence.nonService?.sessions).toBe(1);
    expect([...evidence.byService.values()].every((u) => u.sessions === 0)).toBe(true);
  });

  it('calls made with the EC2 instance identity (aws:ec2-instance) are never the role’s', () => {
    const record = find('SendSecurityTelemetry');
    const evidence = attribute('arn:aws:iam::111122223333:role/aws:ec2-instance', [record]);
    expect(evidence.unattributed.events).toBe(0);
    expect([...evidence.byService.values()].every((u) => u.events === 0)).toBe(true);
  });

  it('a forward-access call (AssumedRole with invokedBy) is the session’s own usage', () => {
    const role = 'arn:aws:iam::111122223333:role/SupernovaEnvironmentInstanceScopeDownRole';
    const decrypt = find('Decrypt', /forward-access/);
    expect(decrypt.userIdentity?.invokedBy).toBe('m2.us-west-2.amazonaws.com');
    const evidence = attribute(role, [decrypt]);
    expect([...evidence.unattributed.actions.keys()]).toEqual(['kms:Decrypt']);

    // Joined to a service's AssumeRole by its access key, it is that service's.
    const assume: CloudTrailRecord = {
      eventTime: '2022-12-06T23:19:29Z',
      eventSource: 'sts.amazonaws.com',
      eventName: 'AssumeRole',
      userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' },
      requestParameters: { roleArn: role, roleSessionName: 'm2-hm-bqe367dxtfcpdbzmnhfzranisu' },
      responseElements: { credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE3' } },
    };
    const joined = attribute(role, [assume, decrypt]);
    expect([...(joined.byService.get('ec2.amazonaws.com')?.actions.keys() ?? [])]).toEqual(['kms:Decrypt']);
  });

  it('an AWSService identity’s own call (EBS decrypting a volume key) is no role’s usage', () => {
    const record = find('Decrypt', /AWSService/);
    const evidence = attribute('arn:aws:iam::111122223333:role/anything', [record]);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });

  it('a service event with a type-less identity is neither usage nor an unreadable identity', () => {
    const evidence = attribute('arn:aws:iam::123456789012:role/anything', [find('BidFulfilledEvent')]);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });
});
