/**
 * Progress benchmark: reads a trail of 10,000 small log files (the shape that
 * used to print one stderr line per file) and prints how many progress
 * updates the reader made and how many lines each renderer wrote for them.
 * Prints figures; asserts nothing.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLine, LineRenderer, plainLine, TerminalRenderer } from '../src/cli/io/renderers.js';
import { RecordingIoHost } from '../test/support/recording-io-host.js';
import { readTrailRecords } from '../src/evidence/log-files.js';
import { loadOrGenerateCorpus } from './cloudtrail-corpus.js';

const FILES = 10_000;
const RECORDS_PER_FILE = 10;

/** Reads the corpus once, feeding every progress update to the three renderers as it happens. */
export async function run(): Promise<void> {
  const dir = join(tmpdir(), `split-role-bench-progress-${FILES}`);
  const { manifest } = await loadOrGenerateCorpus({ dir, records: FILES * RECORDS_PER_FILE, recordsPerFile: RECORDS_PER_FILE, seed: 7 });
  const written = { plain: 0, json: 0, terminalNewlines: 0 };
  const renderers = [
    new LineRenderer((text) => (written.plain += text.split('\n').length - 1), plainLine),
    new LineRenderer((text) => (written.json += text.split('\n').length - 1), jsonLine),
    new TerminalRenderer((text) => (written.terminalNewlines += text.split('\n').length - 1)),
  ];
  const io = new RecordingIoHost();
  let updates = 0;
  const start = performance.now();
  const records = readTrailRecords(
    join(dir, 'AWSLogs'),
    {},
    {
      onProgress: (files, read) => {
        updates += 1;
        io.progress('SR_EVID_P3001', `read ${files} log files, ${read} records…`, { files, records: read });
        for (const message of io.messages.splice(0)) for (const renderer of renderers) renderer.write(message);
      },
    },
  );
  let count = 0;
  for await (const _record of records) count += 1;
  const end = new Date();
  for (const renderer of renderers) renderer.settle(end);
  const seconds = (performance.now() - start) / 1000;
  process.stdout.write(
    `read ${manifest.files} files (${count} records) in ${seconds.toFixed(1)} s: ${updates} progress updates → ` +
      `plain ${written.plain} lines, json-lines ${written.json} lines, terminal ${written.terminalNewlines} line (redrawn in place)\n`,
  );
}
