/**
 * Attribution on records from trails their owners published (test/fixtures/cloudtrail-public,
 * each file naming its page): the service AssumeRole shapes and Lambda session calls that
 * AWS's documentation prints no example of.
 */
import { describe, expect, it } from 'vitest';
import { serviceForSessionName } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { attribute, loadCorpus, NO_HINTS } from '../support/cloudtrail-corpus.js';

const EC2 = 'ec2.amazonaws.com';
const ECS = 'ecs-tasks.amazonaws.com';
const LAMBDA = 'lambda.amazonaws.com';

const corpus = loadCorpus(new URL('../fixtures/cloudtrail-public/', import.meta.url).pathname);

const find = (section: RegExp): CloudTrailRecord => {
  const hit = corpus.find((r) => section.test(r.section));
  if (!hit) throw new Error(`no published record for ${section}`);
  return hit.record;
};

describe('the published-trail corpus', () => {
  it('names its page for every record', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(4);
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

describe('Lambda execution-role sessions (flaws2.cloud)', () => {
  const refused = find(/^A Lambda execution role's session/);
  const ROLE = 'arn:aws:iam::653711331788:role/service-role/level1';
  const hints: SessionHints = { ec2InstanceIds: new Set(), lambdaFunctionNames: new Set(['level1']) };

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
