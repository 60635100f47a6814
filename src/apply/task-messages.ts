/**
 * A listr2 renderer that draws nothing itself: each task event becomes an
 * IoHost message, so the plain and json-lines renderers show the task list
 * one line per event (and scripts get step codes).
 */
import { ListrTaskEventType, ListrTaskState, type ListrRenderer, type ListrTaskObject } from 'listr2';
import type { IoHost } from '../core/io-host.js';

type AnyTask = ListrTaskObject<unknown, typeof ListrRenderer, typeof ListrRenderer>;

/** listr2 renderer options: the host to tell. */
export interface IoTaskRendererOptions {
  io: IoHost;
}

/** Turns task starts, completions, skips and failures into SR_APPLY_*41xx messages. */
export class IoTaskRenderer {
  static nonTTY = true;
  static rendererOptions: Record<PropertyKey, unknown> = {};
  static rendererTaskOptions: Record<PropertyKey, unknown> = {};

  constructor(
    private readonly tasks: AnyTask[],
    private readonly options: IoTaskRendererOptions,
  ) {}

  render(): void {
    this.follow(this.tasks, 'stage');
  }

  end(): void {}

  private follow(tasks: AnyTask[], kind: 'stage' | 'step'): void {
    const { io } = this.options;
    for (const task of tasks) {
      task.on(ListrTaskEventType.SUBTASK, (subtasks) => this.follow(subtasks as AnyTask[], 'step'));
      task.on(ListrTaskEventType.STATE, (state) => {
        if (!task.hasTitle()) return;
        const title = task.title as string;
        if (state === ListrTaskState.STARTED) io.progress('SR_APPLY_P4101', `${title}…`, { task: title, kind, status: 'started' });
        else if (state === ListrTaskState.COMPLETED) io.info('SR_APPLY_I4102', `✔ ${title}`, { task: title, kind, status: 'completed' });
      });
      task.on(ListrTaskEventType.MESSAGE, (message) => {
        if (!task.hasTitle()) return;
        const title = task.title as string;
        if (message.skip) io.info('SR_APPLY_I4103', `↓ ${message.skip}`, { task: title, kind, status: 'skipped', reason: message.skip });
        else if (message.error)
          io.warn('SR_APPLY_W4104', `✖ ${title}: ${message.error}`, { task: title, kind, status: 'failed', error: message.error });
      });
    }
  }
}
