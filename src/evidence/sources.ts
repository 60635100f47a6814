/** Every evidence source, registered in one list; `--evidence` names one of them. */
import { accessAnalyzerSource } from './access-analyzer-source.js';
import { athenaSource } from './athena-source.js';
import { lakeSource } from './lake-source.js';
import { logFilesSource } from './log-files-source.js';
import { lookupEventsSource } from './lookup-events-source.js';
import type { UsageSource } from './source.js';
import type { EvidenceSource } from './types.js';

/** The registered sources. */
export const USAGE_SOURCES: readonly UsageSource[] = [lookupEventsSource, logFilesSource, accessAnalyzerSource, athenaSource, lakeSource];

/** The source `--evidence NAME` chose. */
export function usageSource(name: EvidenceSource): UsageSource {
  const source = USAGE_SOURCES.find((s) => s.name === name);
  if (!source) throw new Error(`no evidence source is registered as ${name}`);
  return source;
}
