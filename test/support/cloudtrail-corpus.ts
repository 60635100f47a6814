/**
 * Fixture corpora of published CloudTrail records (one JSON file per source page)
 * and one way to attribute them, shared by the tests that run on them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attributor } from '../../src/evidence/attribution.js';
import type { CloudTrailRecord, SessionHints } from '../../src/evidence/types.js';
import { SESSION_SHAPES } from '../../src/workloads/registry.js';

/** One record with the page it was taken from and the page's section. */
export interface SourcedRecord {
  page: string;
  section: string;
  record: CloudTrailRecord;
}

/** Every record of every `*.json` file in `dir`, each file naming its `source` page. */
export function loadCorpus(dir: string): SourcedRecord[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
        source: string;
        records: Array<{ section: string; record: CloudTrailRecord }>;
      };
      return doc.records.map((r) => ({ page: doc.source, section: r.section, record: r.record }));
    });
}

/** Hints as plan makes them: the workload names found, by workload key ("ec2", "lambda"), and every registered kind's name shapes. */
export function hintsOf(names: Readonly<Record<string, Iterable<string>>> = {}): SessionHints {
  return { names: Object.fromEntries(Object.entries(names).map(([key, list]) => [key, new Set(list)])), shapes: SESSION_SHAPES };
}

/** No workloads discovered: sessions are matched by AssumeRole records and name shapes only. */
export const NO_HINTS: SessionHints = hintsOf();

/** Feeds records to an Attributor for the role that issued their sessions, over a window that holds them all. */
export function attribute(roleArn: string, records: CloudTrailRecord[], services: string[], hints: SessionHints = NO_HINTS) {
  const attributor = new Attributor({ arn: roleArn, name: roleArn.split('/').pop() as string }, services, hints);
  for (const record of records) attributor.add(record);
  return attributor.result({ source: 'logs', window: { start: '2010-01-01T00:00:00Z', end: '2030-01-01T00:00:00Z' }, warnings: [] });
}
