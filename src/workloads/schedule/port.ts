/**
 * The EventBridge Scheduler port: schedules (in every group) and the role
 * each invokes its target with, as the schedule kind reads and changes them,
 * and its SDK implementation. A schedule is read whole with GetSchedule, and
 * with the fields UpdateSchedule could not carry over: fields this SDK's
 * model does not know, and fields the model reads but UpdateSchedule does not
 * take. UpdateSchedule replaces the whole schedule, so either would be lost.
 */
import type { GetScheduleOutput, SchedulerClient, UpdateScheduleInput } from '@aws-sdk/client-scheduler';
import type { PortFactory } from '../../aws/workload-ports.js';
import { memberNames, sendKeepingWire, unknownFields } from '../../aws/wire-json.js';
import { loadSdk } from '../../aws/sdk-modules.js';
import { unlessNotFound } from '../../core/aws-error-names.js';

/** A schedule as GetSchedule reads it (Name and GroupName always set). */
export type ScheduleDetail = GetScheduleOutput & { Name: string; GroupName: string };

/** One schedule, whole, and what of it UpdateSchedule cannot carry over. */
export interface ScheduleRead {
  schedule: ScheduleDetail;
  /** Fields that cannot go back through UpdateSchedule ("Target.NewParameters"); empty when the schedule can be replaced whole. */
  notCarried: string[];
}

/** The fields GetSchedule returns that are AWS's own, not part of the schedule UpdateSchedule writes. */
export const READ_ONLY_SCHEDULE_FIELDS: readonly string[] = ['Arn', 'CreationDate', 'LastModificationDate'];

/** What the schedule kind asks of EventBridge Scheduler in one region. */
export interface SchedulerPort {
  /** Every schedule of every group, each read whole. */
  listSchedules(): Promise<ScheduleRead[]>;
  /** One schedule, or undefined when it does not exist. */
  getSchedule(groupName: string, name: string): Promise<ScheduleRead | undefined>;
  /** Replaces the schedule with `input` (UpdateSchedule: a field left out is reset). */
  updateSchedule(input: UpdateScheduleInput & { Name: string; GroupName: string }): Promise<void>;
}

/** The Scheduler port over an SDK client. */
export function sdkScheduler(client: SchedulerClient): SchedulerPort {
  const sdk = () => loadSdk('client-scheduler');
  const get = async (groupName: string, name: string): Promise<ScheduleRead | undefined> => {
    const { GetScheduleCommand, GetScheduleOutput$, UpdateScheduleInput$ } = await sdk();
    return unlessNotFound('ResourceNotFoundException', async () => {
      const command = new GetScheduleCommand({ GroupName: groupName, Name: name });
      const { output, wire } = await sendKeepingWire(command, () => client.send(command));
      const { $metadata: _metadata, ...schedule } = output;
      const writable = new Set([...memberNames(UpdateScheduleInput$), ...READ_ONLY_SCHEDULE_FIELDS]);
      // Unknown to this SDK at any depth, or known but not something UpdateSchedule takes.
      const notCarried = [
        ...unknownFields(wire, GetScheduleOutput$, 'Schedule').map((f) => f.replace(/^Schedule\./, '')),
        ...Object.keys(schedule).filter((k) => (schedule as Record<string, unknown>)[k] != null && !writable.has(k)),
      ];
      return { schedule: { ...schedule, Name: schedule.Name ?? name, GroupName: schedule.GroupName ?? groupName }, notCarried };
    });
  };
  return {
    async listSchedules() {
      const { paginateListSchedules } = await sdk();
      const schedules: ScheduleRead[] = [];
      // Without GroupName, ListSchedules lists every group's schedules, each with its group.
      for await (const page of paginateListSchedules({ client }, {})) {
        for (const s of page.Schedules ?? []) {
          const read = await get(s.GroupName ?? 'default', s.Name ?? '');
          if (read) schedules.push(read);
        }
      }
      return schedules;
    },
    getSchedule: get,
    async updateSchedule(input) {
      const { UpdateScheduleCommand } = await sdk();
      await client.send(new UpdateScheduleCommand(input));
    },
  };
}

/** How a session makes the Scheduler port. */
export const schedulerPorts: PortFactory<SchedulerPort> = {
  id: 'scheduler',
  async open(sdk) {
    const { SchedulerClient } = await loadSdk('client-scheduler');
    return sdkScheduler(await sdk.sdkClient('scheduler', 'SchedulerClient', (config) => new SchedulerClient(config)));
  },
};
