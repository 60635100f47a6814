/** Every evidence source, registered in one list; `--evidence` names one of them. */
import { accessAnalyzerSource } from './access-analyzer-source.js';
import { athenaSource } from './athena-source.js';
import { lakeSource } from './lake-source.js';
import { logFilesSource } from './log-files-source.js';
import { lookupEventsSource } from './lookup-events-source.js';
import type { EvidenceConfig, UsageSource } from './source.js';

/** A registered source, whatever its settings' type: callers hand it settings its own schema parsed (settings.ts). */
export type AnyUsageSource = UsageSource;

/** The registered sources, in the order help lists them; the first is the default. */
const SOURCES: AnyUsageSource[] = [lookupEventsSource, logFilesSource, accessAnalyzerSource, athenaSource, lakeSource];

/** The registered sources. */
export function usageSources(): readonly AnyUsageSource[] {
  return SOURCES;
}

/** The source `--evidence NAME` chose. */
export function usageSource(name: string): AnyUsageSource {
  const source = SOURCES.find((s) => s.name === name);
  if (!source) throw new Error(`no evidence source is registered as ${name}`);
  return source;
}

/** True when a source of that name is registered. */
export function isUsageSource(name: string): boolean {
  return SOURCES.some((s) => s.name === name);
}

/**
 * Registers one more source (a test's toy engine, or a plug-in): it takes
 * part in the flags, the plan schema, plan, verify and the retire gate like
 * the built-in ones. Returns the function that removes it again.
 */
export function registerUsageSource<C extends EvidenceConfig>(source: UsageSource<C>): () => void {
  if (isUsageSource(source.name)) throw new Error(`an evidence source is already registered as ${source.name}`);
  SOURCES.push(source);
  return () => {
    const at = SOURCES.indexOf(source);
    if (at >= 0) SOURCES.splice(at, 1);
  };
}
