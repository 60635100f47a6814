/**
 * The Step Functions port: state machines and their roles, and the running
 * executions with the role each started with, as the state-machine kind reads
 * and changes them; and its SDK implementation (pagination hidden; the SDK
 * loads on first use).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** A state machine (or one published version of it) and the role its executions start with. */
export interface StateMachineRole {
  name: string;
  arn: string;
  roleArn: string;
  /** The Amazon States Language text: a version published now copies the machine's. */
  definition: string;
}

/** One version an alias sends executions to, and the share of them it gets. */
export interface AliasRoute {
  stateMachineVersionArn: string;
  /** Percent of the alias's executions (the routes of an alias add up to 100). */
  weight: number;
}

/** A state machine alias and its routing (one or two versions). */
export interface StateMachineAlias {
  name: string;
  arn: string;
  routing: AliasRoute[];
}

/** An execution still running, and the role it started with (it keeps that one to the end). */
export interface RunningExecution {
  executionArn: string;
  stateMachineArn: string;
  /** ISO time. */
  startDate: string;
  roleArn: string;
}

/** What the state-machine kind asks of Step Functions in one region. */
export interface StepFunctionsPort {
  /** Every state machine with its role. */
  listStateMachines(): Promise<StateMachineRole[]>;
  /** One state machine or published version (by its version ARN), or undefined when it does not exist. */
  getStateMachine(arn: string): Promise<StateMachineRole | undefined>;
  /** The machine's aliases with their routing. */
  listAliases(stateMachineArn: string): Promise<StateMachineAlias[]>;
  /** One alias, or undefined when it does not exist. */
  getAlias(aliasArn: string): Promise<StateMachineAlias | undefined>;
  /** The ARN of the machine's newest published version, if it has any. */
  latestVersion(stateMachineArn: string): Promise<string | undefined>;
  /** Every published version's ARN, newest first. */
  listVersions(stateMachineArn: string): Promise<string[]>;
  /** Deletes a published version (Step Functions refuses one an alias routes to). */
  deleteVersion(versionArn: string): Promise<void>;
  /** The machine's running executions, each with the role it started with. */
  runningExecutions(stateMachineArn: string): Promise<RunningExecution[]>;
  /**
   * Points the machine's new executions at another role (running ones keep
   * theirs); with `publish`, also publishes the result as a new version and
   * returns its ARN.
   */
  updateRole(arn: string, roleArn: string, publish?: boolean): Promise<string | undefined>;
  /** Replaces an alias's routing. */
  updateAlias(aliasArn: string, routing: readonly AliasRoute[]): Promise<void>;
}

/** An alias's routing from the SDK's shape. */
function routes(config: ReadonlyArray<{ stateMachineVersionArn?: string; weight?: number }> | undefined): AliasRoute[] {
  return (config ?? []).map((r) => ({ stateMachineVersionArn: r.stateMachineVersionArn ?? '', weight: r.weight ?? 0 }));
}

/** The Step Functions port over an SDK client. */
export function sdkStepFunctions(client: SFNClient): StepFunctionsPort {
  const sdk = () => loadSdk('client-sfn');
  const describe = async (arn: string): Promise<StateMachineRole | undefined> => {
    const { DescribeStateMachineCommand } = await sdk();
    try {
      const out = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      return { name: out.name ?? '', arn: out.stateMachineArn ?? arn, roleArn: out.roleArn ?? '', definition: out.definition ?? '' };
    } catch (error) {
      if ((error as Error).name === 'StateMachineDoesNotExist') return undefined;
      throw error;
    }
  };
  const describeAlias = async (aliasArn: string): Promise<StateMachineAlias | undefined> => {
    const { DescribeStateMachineAliasCommand } = await sdk();
    try {
      const out = await client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn }));
      return { name: out.name ?? '', arn: out.stateMachineAliasArn ?? aliasArn, routing: routes(out.routingConfiguration) };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFound') return undefined;
      throw error;
    }
  };
  return {
    async listStateMachines() {
      const { paginateListStateMachines } = await sdk();
      const machines: StateMachineRole[] = [];
      for await (const page of paginateListStateMachines({ client }, {})) {
        for (const m of page.stateMachines ?? []) {
          const described = await describe(m.stateMachineArn ?? '');
          if (described) machines.push(described);
        }
      }
      return machines;
    },
    getStateMachine: describe,
    async listAliases(stateMachineArn) {
      const { ListStateMachineAliasesCommand } = await sdk();
      const aliases: StateMachineAlias[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListStateMachineAliasesCommand({ stateMachineArn, nextToken }));
        for (const a of page.stateMachineAliases ?? []) {
          const alias = await describeAlias(a.stateMachineAliasArn ?? '');
          if (alias) aliases.push(alias);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return aliases;
    },
    getAlias: describeAlias,
    async latestVersion(stateMachineArn) {
      const { ListStateMachineVersionsCommand } = await sdk();
      // Newest first (the API's order), so one result is the latest.
      const out = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn, maxResults: 1 }));
      return out.stateMachineVersions?.[0]?.stateMachineVersionArn;
    },
    async listVersions(stateMachineArn) {
      const { ListStateMachineVersionsCommand } = await sdk();
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListStateMachineVersionsCommand({ stateMachineArn, nextToken }));
        arns.push(...(page.stateMachineVersions ?? []).map((v) => v.stateMachineVersionArn ?? ''));
        nextToken = page.nextToken;
      } while (nextToken);
      return arns;
    },
    async deleteVersion(versionArn) {
      const { DeleteStateMachineVersionCommand } = await sdk();
      await client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: versionArn }));
    },
    async runningExecutions(stateMachineArn) {
      const { paginateListExecutions, GetExecutionHistoryCommand } = await sdk();
      const running: RunningExecution[] = [];
      for await (const page of paginateListExecutions({ client }, { stateMachineArn, statusFilter: 'RUNNING' })) {
        for (const e of page.executions ?? []) {
          // The first history event (ExecutionStarted) names the role the execution runs as to its end.
          const history = await client.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1 }));
          const started = history.events?.[0]?.executionStartedEventDetails;
          running.push({
            executionArn: e.executionArn ?? '',
            stateMachineArn,
            startDate: e.startDate?.toISOString() ?? '',
            roleArn: started?.roleArn ?? '',
          });
        }
      }
      return running;
    },
    async updateRole(arn, roleArn, publish) {
      const { UpdateStateMachineCommand } = await sdk();
      const out = await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, roleArn, ...(publish ? { publish } : {}) }));
      return out.stateMachineVersionArn;
    },
    async updateAlias(aliasArn, routing) {
      const { UpdateStateMachineAliasCommand } = await sdk();
      await client.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn: aliasArn, routingConfiguration: [...routing] }));
    },
  };
}

/** How a session makes the Step Functions port. */
export const stepFunctionsPorts: PortFactory<StepFunctionsPort> = {
  id: 'states',
  async open(sdk) {
    const { SFNClient } = await loadSdk('client-sfn');
    return sdkStepFunctions(await sdk.sdkClient('states', 'SFNClient', (config) => new SFNClient(config)));
  },
};
