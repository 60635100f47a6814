/** Writes CloudTrail records as a trail would: gzip JSON files in the AWSLogs/ layout. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../src/evidence/types.js';

/** Groups records by day into `AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json.gz` under `root`; returns the files written (relative). */
export async function writeTrailFiles(
  root: string,
  records: readonly CloudTrailRecord[],
  where: { account: string; region: string },
  perFile = 500,
): Promise<string[]> {
  const byDay = new Map<string, CloudTrailRecord[]>();
  for (const record of records) {
    const day = record.eventTime.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), record]);
  }
  const written: string[] = [];
  for (const [day, dayRecords] of byDay) {
    const [yyyy, mm, dd] = day.split('-');
    const folder = join('AWSLogs', where.account, 'CloudTrail', where.region, yyyy as string, mm as string, dd as string);
    await mkdir(join(root, folder), { recursive: true });
    for (let i = 0; i < dayRecords.length; i += perFile) {
      const name = `${where.account}_CloudTrail_${where.region}_${day.replace(/-/g, '')}T0000Z_${String(i / perFile).padStart(4, '0')}.json.gz`;
      await writeFile(join(root, folder, name), gzipSync(JSON.stringify({ Records: dayRecords.slice(i, i + perFile) })));
      written.push(join(folder, name));
    }
  }
  return written;
}

/**
 * Delivers one trail file, as CloudTrail does some minutes after a call,
 * holding someone else's call at `time` (default now): the evidence then
 * reaches `time`, so a retire gate or verify run with `--delivery-lag 0`
 * after it may conclude. Named with its delivery time, as CloudTrail names
 * files. Returns the file written (relative to `root`).
 */
export async function deliverTrailFile(root: string, where: { account: string; region: string }, time: Date = new Date()): Promise<string> {
  const iso = time.toISOString();
  const [yyyy, mm, dd] = iso.slice(0, 10).split('-') as [string, string, string];
  const stamp = `${yyyy}${mm}${dd}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  const folder = join('AWSLogs', where.account, 'CloudTrail', where.region, yyyy, mm, dd);
  await mkdir(join(root, folder), { recursive: true });
  const name = join(folder, `${where.account}_CloudTrail_${where.region}_${stamp}_delivered${time.getTime()}.json.gz`);
  const record: CloudTrailRecord = {
    eventTime: iso.replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'sts.amazonaws.com',
    eventName: 'GetCallerIdentity',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${where.account}:user/ops` },
  };
  await writeFile(join(root, name), gzipSync(JSON.stringify({ Records: [record] })));
  return name;
}
