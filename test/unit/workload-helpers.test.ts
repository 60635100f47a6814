import { describe, expect, it } from 'vitest';
import { roleMoveProblems } from '../../src/workloads/helpers.js';

const NEW_ROLE = 'arn:aws:iam::123456789012:role/app-codebuild';
const move = { service: 'codebuild.amazonaws.com', target: { roleArn: NEW_ROLE } };

describe('roleMoveProblems (the invariants every single-role kind checks)', () => {
  it('is empty for a workload on the shared role moving to the plan’s role for its service', () => {
    expect(roleMoveProblems('CodeBuild project build-app', move, { roleArn: NEW_ROLE }, { usesShared: true, verb: 'build' })).toEqual([]);
  });

  it('names a workload that is not on the shared role, with the kind’s verb', () => {
    expect(roleMoveProblems('CodeBuild project build-app', move, { roleArn: NEW_ROLE }, { usesShared: false, verb: 'build' })).toEqual([
      'CodeBuild project build-app does not build as the shared role',
    ]);
  });

  it('names a target that is not the plan’s role for the service, or a service the plan makes no role for', () => {
    const elsewhere =
      "CodeBuild project build-app would move to arn:aws:iam::123456789012:role/app-codebuild, which is not this plan's role for codebuild.amazonaws.com";
    expect(
      roleMoveProblems(
        'CodeBuild project build-app',
        move,
        { roleArn: 'arn:aws:iam::123456789012:role/admin' },
        { usesShared: true, verb: 'build' },
      ),
    ).toEqual([elsewhere]);
    expect(roleMoveProblems('CodeBuild project build-app', move, undefined, { usesShared: false, verb: 'build' })).toEqual([
      'CodeBuild project build-app does not build as the shared role',
      elsewhere,
    ]);
  });
});
