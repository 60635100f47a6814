/**
 * Source settings from flags and from plans, for any registered source: plan
 * builds them from `--evidence` and the source's flags, the plan keeps them,
 * and verify and the retire gate take them back from the plan (or verify's
 * flags). Nothing here, nor in its callers, reads a source's own fields.
 */
import { z } from 'zod';
import { SplitRoleError, usageError } from '../core/errors.js';
import {
  optionValue,
  type EvidenceConfig,
  type EvidenceSettings,
  type SourceCommand,
  type SourceFlag,
  type SourceOptions,
} from './source.js';
import { usageSource, usageSources, type AnyUsageSource } from './sources.js';

/** One flag as a command takes it: the first declaration's text and parser, and every source that reads it. */
export interface EvidenceFlag extends SourceFlag {
  /** Commander's attribute name: --athena-table → athenaTable. */
  key: string;
  /** The sources that read it, in registry order. */
  sources: string[];
}

/** The sources' flags for `command`, each once. */
export function evidenceFlags(command: SourceCommand): EvidenceFlag[] {
  const byFlags = new Map<string, EvidenceFlag>();
  for (const source of usageSources()) {
    for (const flag of source.flags) {
      if (command !== 'plan' && flag.planOnly) continue;
      const seen = byFlags.get(flag.flags);
      if (seen) seen.sources.push(source.name);
      else byFlags.set(flag.flags, { ...flag, key: flagKey(flag.flags), sources: [source.name] });
    }
  }
  return [...byFlags.values()];
}

/** Commander's attribute name for a flag text: '--athena-table <db.table>' → 'athenaTable'. */
export function flagKey(flags: string): string {
  const long = flags.split(/[ ,|]+/).find((part) => part.startsWith('--')) ?? flags;
  return long.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** The settings `plan` reads with: `--evidence NAME` and that source's flags. */
export function planEvidenceSettings(name: string, options: SourceOptions, terminal: boolean): EvidenceSettings {
  const source = knownSource(name);
  return { source: source.name, config: source.fromOptions(options, { command: 'plan', terminal }) };
}

/**
 * The settings `verify` reads with: the plan's unless flags say otherwise.
 * `--evidence` picks the source; without it, the flags given pick it (the
 * plan's own source when it reads one of them, else the first that does).
 * Flags for the plan's own source override only what they name; another
 * source stands alone.
 */
export function verifyEvidenceSettings(
  planned: EvidenceSettings,
  evidence: string | undefined,
  options: SourceOptions,
  terminal: boolean,
): EvidenceSettings {
  const given = evidenceFlags('verify').filter((flag) => optionValue(options, flag.key) !== undefined);
  const name = evidence ?? (given.some((flag) => flag.sources.includes(planned.source)) ? planned.source : given[0]?.sources[0]);
  if (name === undefined) return planned;
  const source = knownSource(name);
  const base = name === planned.source ? checkedConfig(source, planned.config) : undefined;
  return { source: name, config: source.fromOptions(options, { command: 'verify', terminal, ...(base ? { base } : {}) }) };
}

/** The parts of a plan's evidence object that say where it was read. */
export interface PlanEvidenceFields {
  source: string;
  /** Absent in plans written before the settings moved here: the source reads its older fields (`legacyConfig`). */
  config?: EvidenceConfig;
}

/** The settings a plan records, older plans' included; checked against the source's schema. */
export function planEvidence(evidence: PlanEvidenceFields & Readonly<Record<string, unknown>>): EvidenceSettings {
  const source = knownSource(evidence.source);
  const config = evidence.config ?? source.legacyConfig?.(evidence) ?? {};
  return { source: source.name, config: checkedConfig(source, config) };
}

/** Why a plan's evidence settings fail their source's schema, or undefined when they pass (for the plan schema). */
export function planEvidenceProblem(
  evidence: PlanEvidenceFields & Readonly<Record<string, unknown>>,
): { path: string[]; message: string } | undefined {
  const source = usageSources().find((s) => s.name === evidence.source);
  if (!source)
    return {
      path: ['source'],
      message: `no evidence source is called ${JSON.stringify(evidence.source)} (known: ${usageSources()
        .map((s) => s.name)
        .join(', ')})`,
    };
  const config = evidence.config ?? source.legacyConfig?.(evidence) ?? {};
  const parsed = source.configSchema.safeParse(config);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return { path: ['config', ...(issue?.path.map(String) ?? [])], message: issue?.message ?? 'invalid' };
}

/** Settings checked against the source's schema: they came from a plan or a caller, and only the source knows their shape. */
export function checkedConfig(source: AnyUsageSource, config: unknown): EvidenceConfig {
  const parsed = source.configSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SplitRoleError(
    'PlanInvalid',
    `the ${source.name} evidence settings fail at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
  );
}

/** Each registered source's name and its settings' JSON Schema, for the published plan schema. */
export function evidenceJsonSchemas(): Array<{ name: string; config: Record<string, unknown> }> {
  return usageSources().map((source) => {
    const { $schema: _dialect, ...config } = z.toJSONSchema(source.configSchema, { target: 'draft-2020-12' });
    return { name: source.name, config };
  });
}

function knownSource(name: string): AnyUsageSource {
  try {
    return usageSource(name);
  } catch {
    throw usageError(
      `--evidence ${name} is not a source`,
      `use one of ${usageSources()
        .map((s) => s.name)
        .join(', ')}`,
    );
  }
}
