/** unknownFields against the installed SDK's own schemas: what a read-modify-write through the SDK would drop. */
import { Target$ } from '@aws-sdk/client-eventbridge';
import { GetScheduleOutput$, UpdateScheduleInput$ } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { memberNames, unknownFields } from '../../src/aws/wire-json.js';

describe('unknownFields', () => {
  it('is empty for a target the model knows, nested structures and lists included', () => {
    const target = {
      Id: 't',
      Arn: 'arn:aws:ecs:x',
      RoleArn: 'arn:aws:iam::1:role/r',
      EcsParameters: {
        TaskDefinitionArn: 'td',
        NetworkConfiguration: { awsvpcConfiguration: { Subnets: ['s'] } },
        Tags: [{ Key: 'a', Value: 'b' }],
      },
      HttpParameters: { HeaderParameters: { h: 'v' } },
    };
    expect(unknownFields(target, Target$, 'Target')).toEqual([]);
  });

  it('names fields the model lacks at any depth', () => {
    const target = {
      Id: 't',
      Arn: 'a',
      Future: 1,
      EcsParameters: { TaskDefinitionArn: 'td', Tags: [{ Key: 'a', Value: 'b', Extra: true }] },
    };
    expect(unknownFields(target, Target$, 'Target')).toEqual(['Target.Future', 'Target.EcsParameters.Tags[0].Extra']);
  });

  it('reads GetSchedule and UpdateSchedule members from the SDK', () => {
    expect(unknownFields({ Name: 'n', Target: { Arn: 'a', RoleArn: 'r', NewThing: {} } }, GetScheduleOutput$, 'Schedule')).toEqual([
      'Schedule.Target.NewThing',
    ]);
    expect(memberNames(UpdateScheduleInput$)).toContain('ActionAfterCompletion');
    expect(memberNames(UpdateScheduleInput$)).not.toContain('Arn');
  });
});
