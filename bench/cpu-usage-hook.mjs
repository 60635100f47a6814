/**
 * Loaded with `node --import` into a CLI run by a benchmark: when the
 * process exits, writes its CPU time (user + system, every thread's,
 * worker threads included) and peak RSS to SPLIT_ROLE_BENCH_CPU_FILE. On a
 * shared machine the wall time says more about the neighbours than about
 * the code; the CPU time says what the run itself cost.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SPLIT_ROLE_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMb: usage.maxRSS / 1024 }));
  });
}
