/**
 * EventBridge Scheduler in memory, behind the SchedulerPort: schedules in
 * groups, stored whole. UpdateSchedule replaces the whole schedule with the
 * input, as Scheduler does (a field left out is reset), and refuses a role
 * IAM does not know ("must allow AWS EventBridge Scheduler to assume the
 * role"). A schedule can carry fields UpdateSchedule could not carry over
 * (seeded with `notCarried`): reads report them, as the SDK port does.
 */
import type { ScheduleDetail, ScheduleRead, SchedulerPort } from '../../../src/workloads/schedule/port.js';
import { FakeServiceError, FaultQueue } from './aws-error.js';

/** Where the schedules live, and which roles exist (the IAM fake's). */
export interface FakeSchedulerOptions {
  account?: string;
  region?: string;
  knowsRole?: (arn: string) => boolean;
}

/** What a test seeds: the schedule without the fields Scheduler fills in. */
export type FakeScheduleSeed = Omit<ScheduleDetail, 'Arn' | 'CreationDate' | 'LastModificationDate' | 'GroupName'> & { GroupName?: string };

/** EventBridge Scheduler of one region, in memory. */
export class FakeScheduler implements SchedulerPort {
  /** Fails chosen calls before they change anything. */
  readonly faults = new FaultQueue<keyof SchedulerPort>();
  /** The mutating calls made, in order ("updateSchedule:default/nightly"). */
  readonly writes: string[] = [];
  private readonly schedules = new Map<string, { schedule: ScheduleDetail; notCarried: string[] }>();

  constructor(private readonly options: FakeSchedulerOptions = {}) {}

  /** Adds a schedule; returns its ARN. */
  addSchedule(seed: FakeScheduleSeed, notCarried: string[] = []): string {
    const group = seed.GroupName ?? 'default';
    const arn = `arn:aws:scheduler:${this.options.region ?? 'us-east-1'}:${this.options.account ?? '123456789012'}:schedule/${group}/${seed.Name}`;
    const at = new Date('2026-12-01T00:00:00.000Z');
    this.schedules.set(`${group}/${seed.Name}`, {
      schedule: structuredClone({ ...seed, GroupName: group, Arn: arn, CreationDate: at, LastModificationDate: at }),
      notCarried,
    });
    return arn;
  }

  /** Deletes a schedule. */
  deleteSchedule(group: string, name: string): void {
    this.schedules.delete(`${group}/${name}`);
  }

  /** A schedule as stored now. */
  scheduleOf(group: string, name: string): ScheduleDetail | undefined {
    return structuredClone(this.schedules.get(`${group}/${name}`)?.schedule);
  }

  async listSchedules(): Promise<ScheduleRead[]> {
    this.faults.check('listSchedules');
    return [...this.schedules.values()].map((s) => structuredClone(s));
  }

  async getSchedule(groupName: string, name: string): Promise<ScheduleRead | undefined> {
    this.faults.check('getSchedule');
    const found = this.schedules.get(`${groupName}/${name}`);
    return found ? structuredClone(found) : undefined;
  }

  async updateSchedule(input: Parameters<SchedulerPort['updateSchedule']>[0]): Promise<void> {
    this.faults.check('updateSchedule');
    const key = `${input.GroupName}/${input.Name}`;
    const now = this.schedules.get(key);
    if (!now) throw new FakeServiceError('ResourceNotFoundException', `Schedule ${input.Name} does not exist.`);
    const role = input.Target?.RoleArn;
    if (this.options.knowsRole && (!role || !this.options.knowsRole(role))) {
      throw new FakeServiceError(
        'ValidationException',
        'The execution role you provide must allow AWS EventBridge Scheduler to assume the role.',
      );
    }
    this.writes.push(`updateSchedule:${key}`);
    const { ClientToken: _token, ...fields } = input;
    // A full replace: only what the input names survives, besides Scheduler's own fields.
    this.schedules.set(key, {
      schedule: structuredClone({
        ...fields,
        Arn: now.schedule.Arn,
        CreationDate: now.schedule.CreationDate,
        LastModificationDate: new Date('2026-12-02T00:00:00.000Z'),
      }),
      notCarried: [],
    });
  }
}
