/**
 * The Step Functions port: state machines and their roles, and the running
 * executions with the role each started with, as the state-machine kind reads
 * and changes them; and its SDK implementation (pagination hidden; the SDK
 * loads on first use).
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { PortFactory } from '../../aws/workload-ports.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** A state machine and the role its executions start with. */
export interface StateMachineRole {
  name: string;
  arn: string;
  roleArn: string;
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
  /** One state machine, or undefined when it does not exist. */
  getStateMachine(arn: string): Promise<StateMachineRole | undefined>;
  /** The machine's running executions, each with the role it started with. */
  runningExecutions(stateMachineArn: string): Promise<RunningExecution[]>;
  /** Points the machine's new executions at another role (running ones keep theirs). */
  updateRole(arn: string, roleArn: string): Promise<void>;
}

/** The Step Functions port over an SDK client. */
export function sdkStepFunctions(client: SFNClient): StepFunctionsPort {
  const sdk = () => loadSdk('client-sfn');
  const describe = async (arn: string): Promise<StateMachineRole | undefined> => {
    const { DescribeStateMachineCommand } = await sdk();
    try {
      const out = await client.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
      return { name: out.name ?? '', arn: out.stateMachineArn ?? arn, roleArn: out.roleArn ?? '' };
    } catch (error) {
      if ((error as Error).name === 'StateMachineDoesNotExist') return undefined;
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
    async updateRole(arn, roleArn) {
      const { UpdateStateMachineCommand } = await sdk();
      await client.send(new UpdateStateMachineCommand({ stateMachineArn: arn, roleArn }));
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
