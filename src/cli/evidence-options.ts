/**
 * `--evidence` and every registered source's flags on `plan` and `verify`,
 * as the sources declare them (src/evidence/*-source.ts): this file names no
 * source. The registry loads every source, so main.ts adds these only when
 * one of those commands runs.
 */
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { evidenceFlags } from '../evidence/settings.js';
import type { SourceCommand } from '../evidence/source.js';
import { usageSources } from '../evidence/sources.js';

/** The help heading the evidence flags are listed under. */
export const EVIDENCE_HELP_GROUP = 'Evidence options:';

/** What the flags are added to: a commander command. */
export interface OptionTarget {
  addOption(option: Option): unknown;
}

/** Adds `--evidence` (plan: default the first source; verify: default the plan's) and the sources' flags for `command`. */
export function addEvidenceOptions(target: OptionTarget, command: SourceCommand): void {
  const names = usageSources().map((s) => s.name);
  const evidence =
    command === 'plan'
      ? new Option('--evidence <source>', 'where usage comes from').choices(names).default(names[0])
      : new Option('--evidence <source>', 'where calls come from (default: the plan’s source and settings)').choices(names);
  target.addOption(evidence.helpGroup(EVIDENCE_HELP_GROUP));
  for (const flag of evidenceFlags(command)) {
    const owners = `for --evidence ${flag.sources.join(', ')}${command === 'verify' ? '; default: the plan’s' : ''}`;
    const option = new Option(flag.flags, `${flag.description} (${owners})`).helpGroup(EVIDENCE_HELP_GROUP);
    const { parse } = flag;
    if (parse) {
      option.argParser((value: string) => {
        try {
          return parse(value);
        } catch (error) {
          // Commander reports its own error type as a usage error naming the flag and the value.
          throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
        }
      });
    }
    target.addOption(option);
  }
}
