/**
 * The Step Functions part of the crash matrix's Lambda + Step Functions
 * account: a state machine on the shared role with a published version and an
 * alias routing to it (so repoint is UpdateStateMachine publish, then
 * UpdateStateMachineAlias, and undo routes back, restores the role and deletes
 * the published version), and what the matrix compares of it.
 */
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachineVersionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { seedClients, serviceTrust, TEST_CREDENTIALS, TEST_REGION } from './aws-clients.js';
import type { OrdersScenario } from './scenario.js';

const MACHINE = 'orders-flow';
const ALIAS = 'live';

/** What the matrix compares: the machine's role, the alias's routing, and every version with its role. */
export interface StateMachineState {
  roleArn: string | undefined;
  routing: string[];
  versions: Record<string, string | undefined>;
}

/**
 * Makes the shared role trusted by Lambda and Step Functions only (the account
 * has one function and this machine), then adds the machine, published once,
 * with an alias sending all executions to that version.
 */
export async function seedStateMachine(endpoint: string, scenario: OrdersScenario): Promise<void> {
  const { iam } = seedClients(endpoint);
  const trust = serviceTrust('lambda.amazonaws.com', 'states.amazonaws.com');
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: scenario.roleName, PolicyDocument: trust }));
  const sfn = new SFNClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  try {
    const definition = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const created = await sfn.send(new CreateStateMachineCommand({ name: MACHINE, definition, roleArn: scenario.roleArn, publish: true }));
    await sfn.send(
      new CreateStateMachineAliasCommand({
        name: ALIAS,
        routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }],
      }),
    );
  } finally {
    sfn.destroy();
  }
}

/** Reads the machine, its alias and its versions. */
export async function captureStateMachine(endpoint: string, account: string): Promise<StateMachineState> {
  const sfn = new SFNClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
  const stateMachineArn = `arn:aws:states:${TEST_REGION}:${account}:stateMachine:${MACHINE}`;
  try {
    const roleOf = async (arn: string | undefined) => (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }))).roleArn;
    const alias = await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${stateMachineArn}:${ALIAS}` }));
    const listed = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn }));
    const versions: Record<string, string | undefined> = {};
    for (const v of listed.stateMachineVersions ?? []) versions[v.stateMachineVersionArn ?? ''] = await roleOf(v.stateMachineVersionArn);
    return {
      roleArn: await roleOf(stateMachineArn),
      routing: (alias.routingConfiguration ?? []).map((r) => `${r.stateMachineVersionArn}=${r.weight}`),
      versions,
    };
  } finally {
    sfn.destroy();
  }
}
