import { describe, expect, it } from 'vitest';
import { isServiceLinkedRole } from '../../src/trust/role-scope.js';
import { serviceShortName, workloadKey } from '../../src/trust/service-principals.js';

describe('serviceShortName / workloadKey', () => {
  const cases: Array<[principal: string, short: string, workload: string]> = [
    ['ec2.amazonaws.com', 'ec2', 'ec2'],
    ['EC2.AmazonAWS.com', 'ec2', 'ec2'],
    ['  ec2.amazonaws.com  ', 'ec2', 'ec2'],
    ['ec2.amazonaws.com.cn', 'ec2', 'ec2'],
    ['lambda.amazonaws.com', 'lambda', 'lambda'],
    ['edgelambda.amazonaws.com', 'edgelambda', 'lambda'],
    ['EdgeLambda.amazonaws.com', 'edgelambda', 'lambda'],
    ['ecs-tasks.amazonaws.com', 'ecs-tasks', 'ecs-tasks'],
    ['ecs.amazonaws.com', 'ecs', 'ecs'],
    ['states.amazonaws.com', 'states', 'states'],
    ['states.us-east-1.amazonaws.com', 'states', 'states'],
    ['states.eu-west-1.amazonaws.com', 'states', 'states'],
    ['logs.ap-southeast-5.amazonaws.com', 'logs', 'logs'],
    ['logs.us-gov-west-1.amazonaws.com', 'logs', 'logs'],
    ['logs.cn-north-1.amazonaws.com.cn', 'logs', 'logs'],
    ['logs.us-iso-east-1.c2s.ic.gov', 'logs', 'logs'],
    ['logs.us-isob-east-1.sc2s.sgov.gov', 'logs', 'logs'],
    ['ec2.c2s.ic.gov', 'ec2', 'ec2'],
    ['ec2.sc2s.sgov.gov', 'ec2', 'ec2'],
    ['logs.${AWS::Region}.amazonaws.com', 'logs', 'logs'],
    ['states.${AWS::Region}.amazonaws.com', 'states', 'states'],
    ['logs.${data.aws_region.current.name}.amazonaws.com', 'logs', 'logs'],
    ['logs.${var.region}.amazonaws.com', 'logs', 'logs'],
    // A variable that is not a region is not stripped.
    ['logs.${var.name}.amazonaws.com', 'logs.${var.name}', 'logs.${var.name}'],
    ['delivery.logs.amazonaws.com', 'delivery.logs', 'delivery.logs'],
    ['replication.ecr.amazonaws.com', 'replication.ecr', 'replication.ecr'],
    // The suffix is only stripped at the end: a look-alike host keeps its name.
    ['ec2.amazonaws.com.evil.example', 'ec2.amazonaws.com.evil.example', 'ec2.amazonaws.com.evil.example'],
  ];

  it.each(cases)('%j → short %j, workload %j', (principal, short, workload) => {
    expect(serviceShortName(principal)).toBe(short);
    expect(workloadKey(principal)).toBe(workload);
  });

  it('keeps lambda and edgelambda together but apart from every other service', () => {
    expect(workloadKey('lambda.amazonaws.com')).toBe(workloadKey('edgelambda.amazonaws.com'));
    expect(workloadKey('lambda.amazonaws.com')).not.toBe(workloadKey('ec2.amazonaws.com'));
    expect(workloadKey('ecs.amazonaws.com')).not.toBe(workloadKey('ecs-tasks.amazonaws.com'));
  });
});

describe('isServiceLinkedRole', () => {
  it.each([
    ['/aws-service-role/', true],
    ['/aws-service-role/elasticbeanstalk.amazonaws.com/', true],
    ['/aws-service-role/autoscaling.amazonaws.com/', true],
    ['/', false],
    ['/service-role/', false],
    ['/team/aws-service-role/', false],
    ['/aws-service-roles/', false],
    ['aws-service-role/', false],
    ['', false],
  ] as Array<[string, boolean]>)('path %j → %s', (path, expected) => {
    expect(isServiceLinkedRole(path)).toBe(expected);
  });
});
