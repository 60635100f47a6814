/**
 * The EventBridge port: rule targets and the role each invokes with, as the
 * event-target kind reads and changes them, and its SDK implementation. Every
 * event bus (default and custom) is read. A target is read whole, with the
 * fields this SDK's model does not know (PutTargets through the SDK would
 * drop those), so a read-modify-write never loses a field silently.
 */
import type { EventBridgeClient, Target } from '@aws-sdk/client-eventbridge';
import type { PortFactory } from '../../aws/workload-ports.js';
import { sendKeepingWire, unknownFields } from '../../aws/wire-json.js';
import { loadSdk } from '../../aws/sdk-modules.js';

/** A target as EventBridge stores it: every field the SDK reads (Id and Arn always set). */
export type EventTarget = Target & { Id: string; Arn: string };

/** One target of one rule, and the role it invokes with. */
export interface RuleTarget {
  eventBusName: string;
  ruleName: string;
  ruleArn: string;
  target: EventTarget;
  /** The AWS service that made the rule, when one did: only that service may change its targets (PutTargets answers ManagedRuleException). */
  managedBy?: string;
  /** Fields AWS sent that this SDK's model does not know ("Target.NewParameters"): PutTargets cannot carry them. */
  notCarried: string[];
}

/** What the event-target kind asks of EventBridge in one region. */
export interface EventsPort {
  /** Every target of every rule on every event bus that names a role. */
  listRoleTargets(): Promise<RuleTarget[]>;
  /** One target, or undefined when it (or its rule) does not exist. */
  getTarget(eventBusName: string, ruleName: string, targetId: string): Promise<RuleTarget | undefined>;
  /** Writes one whole target back (PutTargets replaces a target with the same Id). */
  putTarget(eventBusName: string, ruleName: string, target: EventTarget): Promise<void>;
}

/** The EventBridge port over an SDK client. */
export function sdkEvents(client: EventBridgeClient): EventsPort {
  const sdk = () => loadSdk('client-eventbridge');
  /** Every target of one rule, each with its unknown fields. */
  const targetsOf = async (
    eventBusName: string,
    ruleName: string,
    ruleArn: string,
    managedBy?: string,
  ): Promise<RuleTarget[] | undefined> => {
    const { ListTargetsByRuleCommand, Target$ } = await sdk();
    const out: RuleTarget[] = [];
    let NextToken: string | undefined;
    do {
      let page;
      try {
        const command = new ListTargetsByRuleCommand({ Rule: ruleName, EventBusName: eventBusName, NextToken });
        page = await sendKeepingWire(command, () => client.send(command));
      } catch (error) {
        // A rule deleted between ListRules and here, or since the plan.
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
      const wire = (page.wire as { Targets?: unknown[] } | undefined)?.Targets ?? [];
      (page.output.Targets ?? []).forEach((target, i) => {
        out.push({
          eventBusName,
          ruleName,
          ruleArn,
          ...(managedBy ? { managedBy } : {}),
          target: { ...target, Id: target.Id ?? '', Arn: target.Arn ?? '' },
          notCarried: unknownFields(wire[i], Target$, 'Target'),
        });
      });
      NextToken = page.output.NextToken;
    } while (NextToken);
    return out;
  };
  return {
    async listRoleTargets() {
      const { ListEventBusesCommand, ListRulesCommand } = await sdk();
      const buses: string[] = [];
      let busToken: string | undefined;
      do {
        const page = await client.send(new ListEventBusesCommand({ NextToken: busToken }));
        buses.push(...(page.EventBuses ?? []).map((b) => b.Name ?? '').filter(Boolean));
        busToken = page.NextToken;
      } while (busToken);
      const found: RuleTarget[] = [];
      for (const bus of buses) {
        let ruleToken: string | undefined;
        do {
          const page = await client.send(new ListRulesCommand({ EventBusName: bus, NextToken: ruleToken }));
          for (const rule of page.Rules ?? []) {
            const targets = await targetsOf(bus, rule.Name ?? '', rule.Arn ?? '', rule.ManagedBy);
            found.push(...(targets ?? []).filter((t) => t.target.RoleArn));
          }
          ruleToken = page.NextToken;
        } while (ruleToken);
      }
      return found;
    },
    async getTarget(eventBusName, ruleName, targetId) {
      const targets = await targetsOf(eventBusName, ruleName, '');
      return targets?.find((t) => t.target.Id === targetId);
    },
    async putTarget(eventBusName, ruleName, target) {
      const { PutTargetsCommand } = await sdk();
      const out = await client.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: eventBusName, Targets: [target] }));
      const failed = out.FailedEntries?.[0];
      if ((out.FailedEntryCount ?? 0) > 0 || failed) {
        // PutTargets answers 200 with the entry's failure: raise it like a service exception.
        const error = new Error(`PutTargets on ${ruleName} target ${target.Id}: ${failed?.ErrorMessage ?? 'failed'}`);
        error.name = failed?.ErrorCode ?? 'PutTargetsFailed';
        throw error;
      }
    },
  };
}

/** How a session makes the EventBridge port. */
export const eventsPorts: PortFactory<EventsPort> = {
  id: 'events',
  async open(sdk) {
    const { EventBridgeClient } = await loadSdk('client-eventbridge');
    return sdkEvents(await sdk.sdkClient('events', 'EventBridgeClient', (config) => new EventBridgeClient(config)));
  },
};
