/**
 * EventBridge in memory, behind the EventsPort: event buses, their rules and
 * each rule's targets, stored whole. PutTargets replaces a target with the
 * same Id by the one sent, as EventBridge does, so a field left out of a
 * write is gone. A target can carry fields "AWS added after this SDK"
 * (seeded with `unknown`): reads report them, as the SDK port does from the wire.
 */
import type { EventTarget, EventsPort, RuleTarget } from '../../../src/workloads/event-target/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

interface FakeRule {
  bus: string;
  name: string;
  arn: string;
  managedBy?: string;
  targets: Array<{ target: EventTarget; unknown: string[] }>;
}

/** Where the rules live. */
export interface FakeEventBridgeOptions {
  account?: string;
  region?: string;
}

/** EventBridge of one region, in memory. */
export class FakeEventBridge implements EventsPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof EventsPort>();
  /** The mutating calls made, in order ("putTarget:default/nightly/sqs"). */
  readonly writes: string[] = [];
  private readonly rules = new Map<string, FakeRule>();

  constructor(private readonly options: FakeEventBridgeOptions = {}) {}

  /** Adds a rule on `bus` (made with it), managed by an AWS service when `managedBy` is set; returns the rule's ARN. */
  addRule(name: string, bus = 'default', managedBy?: string): string {
    const where = `${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}`;
    const arn = `arn:aws:events:${where}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
    this.rules.set(`${bus}/${name}`, { bus, name, arn, targets: [], ...(managedBy ? { managedBy } : {}) });
    return arn;
  }

  /** Adds (or replaces) a target of a rule; `unknown` names fields the SDK would not know ("Target.NewParameters"). */
  putTargetAs(bus: string, rule: string, target: EventTarget, unknown: string[] = []): void {
    const found = this.rule(bus, rule);
    found.targets = [...found.targets.filter((t) => t.target.Id !== target.Id), { target: structuredClone(target), unknown }];
  }

  /** Deletes a rule and its targets. */
  deleteRule(bus: string, rule: string): void {
    this.rules.delete(`${bus}/${rule}`);
  }

  /** A target as stored now. */
  targetOf(bus: string, rule: string, id: string): EventTarget | undefined {
    return structuredClone(this.rules.get(`${bus}/${rule}`)?.targets.find((t) => t.target.Id === id)?.target);
  }

  async listRoleTargets(): Promise<RuleTarget[]> {
    this.faults.check('listRoleTargets');
    return [...this.rules.values()].flatMap((r) => this.read(r).filter((t) => t.target.RoleArn));
  }

  async getTarget(eventBusName: string, ruleName: string, targetId: string): Promise<RuleTarget | undefined> {
    this.faults.check('getTarget');
    const rule = this.rules.get(`${eventBusName}/${ruleName}`);
    return rule ? this.read(rule).find((t) => t.target.Id === targetId) : undefined;
  }

  async putTarget(eventBusName: string, ruleName: string, target: EventTarget): Promise<void> {
    this.faults.check('putTarget');
    const rule = this.rule(eventBusName, ruleName);
    if (rule.managedBy)
      throw new FakeServiceError('ManagedRuleException', `Rule ${ruleName} is managed by ${rule.managedBy} and cannot be modified.`);
    this.writes.push(`putTarget:${eventBusName}/${ruleName}/${target.Id}`);
    // Replaced whole: what the write left out (fields the SDK does not know included) is gone.
    rule.targets = [...rule.targets.filter((t) => t.target.Id !== target.Id), { target: structuredClone(target), unknown: [] }];
  }

  private rule(bus: string, name: string): FakeRule {
    const rule = this.rules.get(`${bus}/${name}`);
    if (!rule) throw new FakeServiceError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${bus}.`);
    return rule;
  }

  private read(rule: FakeRule): RuleTarget[] {
    return rule.targets.map((t) => ({
      eventBusName: rule.bus,
      ruleName: rule.name,
      ruleArn: rule.arn,
      ...(rule.managedBy ? { managedBy: rule.managedBy } : {}),
      target: structuredClone(t.target),
      notCarried: [...t.unknown],
    }));
  }
}
