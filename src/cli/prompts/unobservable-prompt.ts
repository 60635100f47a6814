/** The unobservable-grant questions of the interactive `plan`: groups by reason, then single actions within ticked groups. */
import type { IoHost } from '../../core/io-host.js';
import type { ServiceUnit } from '../../plan/split-analysis.js';
import { runSteps } from './plan-steps.js';

/** How long a group's label may be: a checkbox line must fit an 80-column terminal. */
const LABEL_WIDTH = 60;

/** "never logged: X-Ray trace and sampling calls… (3)": a group's reason, cut to fit one line. */
export function groupName(reason: string, count: number): string {
  const short = reason.replace(/^(data event) \(([^,]+), [^)]*\):.*$/, '$1s: $2').replace(/; .*$/, '');
  const cut = short.length > LABEL_WIDTH ? `${short.slice(0, LABEL_WIDTH - 1)}…` : short;
  return `${cut} (${count})`;
}

/**
 * Unobservable grants, grouped by reason: one choice per group (baselines
 * pre-selected, details on the line under the cursor), then, if asked,
 * single actions within the ticked groups.
 */
export async function askUnobservable(io: IoHost, unit: ServiceUnit): Promise<string[]> {
  const groups = new Map<string, ServiceUnit['unobservable']>();
  // A baseline's group is its runtime need, whatever else each action's reason says.
  for (const u of unit.unobservable) {
    const group = u.baseline ? (u.reason.split(';')[0] as string) : u.reason;
    groups.set(group, [...(groups.get(group) ?? []), u]);
  }
  const baselineGroups = [...groups].filter(([, actions]) => actions.every((a) => a.baseline)).map(([reason]) => reason);
  let picked: string[] = [];
  let expand = false;
  const kept = new Map<string, string[]>();
  const steps: Array<() => Promise<void>> = [
    async () => {
      picked = await io.requestResponse<string[]>({
        code: 'SR_PLAN_Q2104',
        message: `Granted actions the evidence cannot see, by reason. Which does ${unit.service} need?`,
        data: {
          service: unit.service,
          groups: Object.fromEntries([...groups].map(([reason, actions]) => [reason, actions.map((a) => a.action)])),
        },
        defaultResponse: baselineGroups,
        question: {
          type: 'checkbox',
          choices: [...groups].map(([reason, actions]) => ({
            name: groupName(reason, actions.length),
            value: reason,
            // Shown under the list for the choice at the cursor: the full reason, then the actions.
            description: `${reason} — ${actions.map((a) => a.action).join(', ')}`,
            checked: baselineGroups.includes(reason),
          })),
        },
        back: true,
      });
      kept.clear();
      for (const reason of picked)
        kept.set(
          reason,
          (groups.get(reason) ?? []).map((a) => a.action),
        );
    },
    async () => {
      // Single actions are picked only within ticked groups: an unticked group keeps nothing.
      expand =
        picked.length > 0 &&
        (await io.requestResponse({
          code: 'SR_PLAN_Q2109',
          message: `Pick single actions within the ${picked.length} ticked group(s) for ${unit.service}?`,
          data: { service: unit.service, groups: picked },
          defaultResponse: false,
          question: { type: 'confirm', initial: false },
          back: true,
        }));
    },
    ...[...groups].map(([reason, actions]) => async () => {
      if (!expand || !picked.includes(reason)) return;
      kept.set(
        reason,
        await io.requestResponse<string[]>({
          code: 'SR_PLAN_Q2110',
          message: `${groupName(reason, actions.length)}: which actions does ${unit.service} need?`,
          data: { service: unit.service, reason, actions: actions.map((a) => a.action) },
          defaultResponse: actions.map((a) => a.action),
          question: { type: 'checkbox', choices: actions.map((a) => ({ name: a.action, value: a.action, checked: true })) },
          back: true,
        }),
      );
    }),
  ];
  await runSteps(steps);
  return [...groups.keys()].flatMap((reason) => kept.get(reason) ?? []);
}
