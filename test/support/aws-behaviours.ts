/**
 * Real AWS's documented behaviours that moto lacks, as one fault-proxy rule,
 * in each service's own wire format, timed by a clock the test shares with
 * the CLI (SPLIT_ROLE_TEST_CLOCK, see testClock below), so windows of many
 * seconds pass without the suite sleeping through them:
 *  1. a new role cannot be assumed by Lambda for a while: InvalidParameterValueException
 *     "The role defined for the function cannot be assumed by Lambda.";
 *  2. a new instance profile (or a role just added to one) is unknown to EC2 for a while:
 *     InvalidParameterValue "Invalid IAM Instance Profile name";
 *  3. a Lambda update stays InProgress for a while (LastUpdateStatus), and a second
 *     update meanwhile gets 409 ResourceConflictException;
 *  4. throttling that outlasts the SDK's three attempts: every Nth call of each
 *     service, and its next re-sends, answered with the service's throttling error;
 *  5. DeleteRole / DeleteInstanceProfile right after detaching or removing: 409 DeleteConflict.
 */
import { readFileSync } from 'node:fs';
import { ec2Error, jsonError, queryError, throttlingFor, type FaultRule, type ProxiedRequest } from './fault-proxy.js';

/** How long each behaviour lasts, in the shared clock's milliseconds. */
export interface BehaviourWindows {
  /** A new role is not assumable by Lambda (Terraform's provider waits up to 15 min; seconds are usual). */
  roleMs: number;
  /** A new or changed instance profile is unknown to EC2 (about 10 s). */
  profileMs: number;
  /** A Lambda configuration update is InProgress. */
  lambdaUpdateMs: number;
  /** DeleteRole / DeleteInstanceProfile still conflict after detaching. */
  deleteConflictMs: number;
  /** Every `throttleEvery`-th call of a service starts a run of `throttleStreak` throttled answers. */
  throttleEvery: number;
  throttleStreak: number;
}

/** The windows the issue measured: roles 15 s, profiles 12 s, Lambda updates 6 s; DeleteConflict 5 s; every 10th call throttled 4 times. */
export const REALISTIC_WINDOWS: BehaviourWindows = {
  roleMs: 15_000,
  profileMs: 12_000,
  lambdaUpdateMs: 6_000,
  deleteConflictMs: 5_000,
  throttleEvery: 10,
  throttleStreak: 4,
};

/**
 * The clock the CLI's waits move on under SPLIT_ROLE_TEST_CLOCK=`file`: real
 * time plus how far the CLI has skipped ahead (src/core/timing.ts writes it).
 */
export function testClock(file: string): () => number {
  return () => {
    let ahead = 0;
    try {
      ahead = Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch {
      // the CLI has not paused yet
    }
    return Date.now() + ahead;
  };
}

/** What the behaviours did, for a test to check that each one happened. */
export interface BehaviourLog {
  /** Counts by behaviour: lambda-role, ec2-profile, lambda-in-progress, lambda-conflict, throttle, delete-conflict. */
  readonly counts: Map<string, number>;
}

const LAMBDA_CONFIG = /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/;
const LAMBDA_FUNCTION = /^\/2015-03-31\/functions\/([^/?]+)\/?(?:\?.*)?$/;

/** The rule, and the log of what it did. */
export function realAwsBehaviours(
  now: () => number,
  windows: BehaviourWindows = REALISTIC_WINDOWS,
): { rule: FaultRule; log: BehaviourLog } {
  const counts = new Map<string, number>();
  const note = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  const roleMade = new Map<string, number>();
  const profileChanged = new Map<string, number>();
  const lambdaUpdated = new Map<string, number>();
  const detached = new Map<string, number>();
  const throttleCalls = new Map<string, number>();
  const throttleLeft = new Map<string, number>();
  const within = (since: number | undefined, ms: number) => since !== undefined && now() - since < ms;
  // A change is unsettled for its window on the shared clock, and always for the first request that meets it:
  // on a loaded machine real time alone can outrun a window, and each behaviour must still happen once.
  const metOnce = new Set<string>();
  const unsettled = (key: string, since: number | undefined, ms: number) => {
    if (since === undefined) return false;
    const first = `${key}@${since}`;
    if (!metOnce.has(first)) {
      metOnce.add(first);
      return true;
    }
    return within(since, ms);
  };

  const throttle = (req: ProxiedRequest) => {
    const id = `${req.service} ${req.method} ${req.path} ${req.operation} ${req.body}`;
    const left = throttleLeft.get(id);
    if (left === undefined) {
      const count = (throttleCalls.get(req.service) ?? 0) + 1;
      throttleCalls.set(req.service, count);
      if (count % windows.throttleEvery !== 0) return undefined;
      throttleLeft.set(id, windows.throttleStreak - 1);
    } else if (left <= 1) throttleLeft.delete(id);
    else throttleLeft.set(id, left - 1);
    note('throttle');
    return { ...throttlingFor(req), label: 'throttle' };
  };

  const iam = (req: ProxiedRequest) => {
    const p = new URLSearchParams(req.body);
    const role = p.get('RoleName') ?? '';
    const profile = p.get('InstanceProfileName') ?? '';
    switch (req.operation) {
      case 'CreateRole':
        roleMade.set(role, now());
        return undefined;
      case 'CreateInstanceProfile':
      case 'AddRoleToInstanceProfile':
        profileChanged.set(profile, now());
        return undefined;
      case 'DetachRolePolicy':
      case 'DeleteRolePolicy':
        detached.set(`role/${role}`, now());
        return undefined;
      case 'RemoveRoleFromInstanceProfile':
        detached.set(`role/${role}`, now());
        detached.set(`profile/${profile}`, now());
        return undefined;
      case 'DeleteRole':
      case 'DeleteInstanceProfile': {
        const key = req.operation === 'DeleteRole' ? `role/${role}` : `profile/${profile}`;
        if (!unsettled(key, detached.get(key), windows.deleteConflictMs)) return undefined;
        note('delete-conflict');
        return queryError(409, 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
      }
      default:
        return undefined;
    }
  };

  const ec2 = (req: ProxiedRequest) => {
    if (req.operation !== 'AssociateIamInstanceProfile' && req.operation !== 'ReplaceIamInstanceProfileAssociation') return undefined;
    const p = new URLSearchParams(req.body);
    const profile = p.get('IamInstanceProfile.Name') ?? (p.get('IamInstanceProfile.Arn') ?? '').split('/').pop() ?? '';
    if (!unsettled(`profile/${profile}`, profileChanged.get(profile), windows.profileMs)) return undefined;
    note('ec2-profile');
    return ec2Error(
      400,
      'InvalidParameterValue',
      `Value (${profile}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
    );
  };

  const lambda = (req: ProxiedRequest) => {
    const update = req.method === 'PUT' ? LAMBDA_CONFIG.exec(req.path.split('?')[0] ?? '') : null;
    if (update) {
      const name = decodeURIComponent(update[1] ?? '');
      if (within(lambdaUpdated.get(name), windows.lambdaUpdateMs)) {
        note('lambda-conflict');
        return jsonError(
          409,
          'ResourceConflictException',
          `The operation cannot be performed at this time. An update is in progress for resource: ${name}`,
          'application/json',
        );
      }
      const roleArn = (JSON.parse(req.body || '{}') as { Role?: string }).Role ?? '';
      const role = roleArn.split('/').pop() ?? '';
      if (unsettled(`role/${role}`, roleMade.get(role), windows.roleMs)) {
        note('lambda-role');
        return jsonError(
          400,
          'InvalidParameterValueException',
          'The role defined for the function cannot be assumed by Lambda.',
          'application/json',
        );
      }
      lambdaUpdated.set(name, now());
      return undefined;
    }
    const read = req.method === 'GET' ? (LAMBDA_CONFIG.exec(req.path.split('?')[0] ?? '') ?? LAMBDA_FUNCTION.exec(req.path)) : null;
    const name = read ? decodeURIComponent(read[1] ?? '') : '';
    if (!read || !within(lambdaUpdated.get(name), windows.lambdaUpdateMs)) return undefined;
    note('lambda-in-progress');
    return {
      label: 'lambda-in-progress',
      rewrite: (body: string, status: number) => {
        if (status !== 200) return body;
        const answer = JSON.parse(body) as { LastUpdateStatus?: string; Configuration?: { LastUpdateStatus?: string } };
        if (answer.Configuration) answer.Configuration.LastUpdateStatus = 'InProgress';
        else answer.LastUpdateStatus = 'InProgress';
        return JSON.stringify(answer);
      },
    };
  };

  const rule: FaultRule = (req) => {
    const throttled = throttle(req);
    if (throttled) return throttled;
    if (req.service === 'iam') return iam(req);
    if (req.service === 'ec2') return ec2(req);
    if (req.service === 'lambda') return lambda(req);
    return undefined;
  };
  return { rule, log: { counts } };
}
