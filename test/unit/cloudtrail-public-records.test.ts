/**
 * Attribution on records from trails their owners published (test/fixtures/cloudtrail-public,
 * each file naming its page): the service AssumeRole shapes and Lambda session calls that
 * AWS's documentation prints no example of.
 */
import { describe, expect, it } from 'vitest';
import { serviceForSessionName } from '../../src/evidence/attribution.js';
import { eventToActions } from '../../src/evidence/event-action.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { attribute, hintsOf, loadCorpus, NO_HINTS } from '../support/cloudtrail-corpus.js';

const EC2 = 'ec2.amazonaws.com';
const ECS = 'ecs-tasks.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';
const STATES = 'states.amazonaws.com';

const corpus = loadCorpus(new URL('../fixtures/cloudtrail-public/', import.meta.url).pathname);

const find = (section: RegExp): CloudTrailRecord => {
  const hit = corpus.find((r) => section.test(r.section));
  if (!hit) throw new Error(`no published record for ${section}`);
  return hit.record;
};

describe('the published-trail corpus', () => {
  it('names its page for every record', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(9);
    for (const { page, section } of corpus) {
      expect(page).toMatch(/^https?:\/\/\S+$/);
      expect(section.length).toBeGreaterThan(5);
    }
  });
});

describe('EC2 instance sessions (flaws.cloud)', () => {
  const assume = find(/^EC2 assumes/);

  it('an AssumeRole by EC2 opens a session that is EC2’s', () => {
    const evidence = attribute('arn:aws:iam::811596193553:role/flaws', [assume], [EC2, LAMBDA]);
    expect(evidence.byService.get(EC2)?.sessions).toBe(1);
    expect(evidence.byService.get(LAMBDA)?.sessions).toBe(0);
    expect(evidence.unattributed.sessions).toBe(0);
  });

  it('the instance id the session is named by has the EC2 shape', () => {
    expect(serviceForSessionName(assume.requestParameters?.roleSessionName as string, [EC2, ECS, LAMBDA], NO_HINTS)).toBe(EC2);
  });
});

describe('ECS task sessions (flaws2.cloud)', () => {
  const taskRole = find(/^ECS assumes the task role/);
  const executionRole = find(/^ECS assumes the task execution role/);

  it('an AssumeRole by ECS opens a session that is the task’s; the execution role’s AssumeRole is another role’s', () => {
    const evidence = attribute('arn:aws:iam::653711331788:role/level3', [taskRole, executionRole], [ECS, EC2]);
    expect(evidence.byService.get(ECS)?.sessions).toBe(1);
    expect(evidence.byService.get(EC2)?.sessions).toBe(0);
    expect(evidence.unattributed.sessions).toBe(0);
  });

  it('a task id in its older UUID form has the ECS shape, for sessions whose AssumeRole lies outside the window', () => {
    const sessionName = taskRole.requestParameters?.roleSessionName as string;
    expect(sessionName).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(serviceForSessionName(sessionName, [ECS, EC2], NO_HINTS)).toBe(ECS);
  });
});

describe('a stolen ECS task role session (flaws2.cloud)', () => {
  const taskRole = find(/^ECS assumes the task role/);
  const listBuckets = find(/^The stolen ECS task role session's ListBuckets/);

  it('a call made with the task role’s key is joined to ECS’s AssumeRole by that key', () => {
    expect(listBuckets.userIdentity?.accessKeyId).toBe((taskRole.responseElements?.credentials as { accessKeyId: string }).accessKeyId);
    const evidence = attribute('arn:aws:iam::653711331788:role/level3', [listBuckets, taskRole], [ECS, EC2]);
    // CloudTrail cannot tell a stolen key from the task's own use: the call counts for ECS.
    expect([...(evidence.byService.get(ECS)?.actions.keys() ?? [])]).toEqual(['s3:ListAllMyBuckets']);
    expect(evidence.unattributed.events).toBe(0);
  });
});

describe('an anonymous S3 data event (flaws2.cloud)', () => {
  const getObject = find(/^An anonymous GetObject data event/);

  it('is no role’s usage and no unreadable identity, though it maps to s3:GetObject', () => {
    expect((getObject as { resources?: Array<{ type: string }> }).resources?.map((r) => r.type)).toEqual([
      'AWS::S3::Object',
      'AWS::S3::Bucket',
    ]);
    expect(eventToActions(getObject.eventSource, getObject.eventName)).toEqual(['s3:GetObject']);
    const evidence = attribute('arn:aws:iam::653711331788:role/level3', [getObject], [ECS, EC2]);
    expect(evidence.unattributed.events).toBe(0);
    expect([...evidence.byService.values()].every((u) => u.events === 0)).toBe(true);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });
});

describe('Lambda Invoke data events (awsteele.com)', () => {
  const ROLE = 'arn:aws:iam::012345679012:role/My-RoleName-1746R4C1N6UFS';
  const bySession = find(/^A synchronous Invoke by a Step Functions state machine's role session/);
  const byEventBridge = find(/^An asynchronous Invoke by an EventBridge rule/);
  const execution = find(/^The InvokeExecution that Lambda itself logs/);

  it('a role session’s Invoke is the role’s usage as lambda:InvokeFunction, and marks Lambda as a data-event source', () => {
    expect(bySession.userIdentity?.invokedBy).toBe(STATES);
    const evidence = attribute(ROLE, [bySession], [STATES, LAMBDA]);
    // Without the session's AssumeRole, and with a name of no service's shape, the use is the role's but no service's.
    expect([...evidence.unattributed.actions.entries()]).toEqual([
      [
        'lambda:InvokeFunction',
        {
          count: 1,
          firstSeen: bySession.eventTime,
          lastSeen: bySession.eventTime,
          resources: ['arn:aws:lambda:us-east-1:012345679012:function:my-function-name'],
        },
      ],
    ]);
    expect(evidence.byService.get(STATES)?.events).toBe(0);
    expect(evidence.byService.get(LAMBDA)?.events).toBe(0);
    expect(evidence.dataEventSources).toEqual(new Set([LAMBDA]));
  });

  it('Invoke and InvokeExecution by AWSService identities (EventBridge, Lambda itself) are no role’s usage', () => {
    const evidence = attribute(ROLE, [byEventBridge, execution], [STATES, LAMBDA]);
    expect(evidence.unattributed.events).toBe(0);
    expect([...evidence.byService.values()].every((u) => u.events === 0)).toBe(true);
    expect(evidence.unreadableIdentities).toBeUndefined();
    expect(evidence.dataEventSources?.size ?? 0).toBe(0);
  });
});

describe('Lambda execution-role sessions (flaws2.cloud)', () => {
  const refused = find(/^A Lambda execution role's session/);
  const ROLE = 'arn:aws:iam::653711331788:role/service-role/level1';
  const hints: SessionHints = hintsOf({ lambda: ['level1'] });

  it('a refused call is no permission to keep, and is no unreadable identity either', () => {
    const evidence = attribute(ROLE, [refused], [LAMBDA, EC2], hints);
    expect(evidence.byService.get(LAMBDA)?.actions.size).toBe(0);
    expect(evidence.unattributed.events).toBe(0);
    expect(evidence.unreadableIdentities).toBeUndefined();
  });

  it('the session of a role under a path is the role’s, named by the function', () => {
    // The same call had it succeeded: the session ARN drops the role's service-role/ path.
    const { errorCode: _refusal, ...succeeded } = refused;
    const evidence = attribute(ROLE, [succeeded], [LAMBDA, EC2], hints);
    expect([...(evidence.byService.get(LAMBDA)?.actions.keys() ?? [])]).toEqual(['logs:CreateLogStream']);
  });
});
