/**
 * Listing a trail's log files — .json or .json.gz, in the
 * AWSLogs/[o-<org id>/]<account>/CloudTrail/<region>/YYYY/MM/DD/ layout — in
 * a local folder or under s3://bucket/prefix, pruning other accounts' folders
 * and days before the window without listing them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createReadStream, type Stats } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { translateAwsError } from '../aws/errors.js';
import { getObjectBody, listObjects } from '../aws/s3.js';
import { ACCOUNT_ID } from '../core/account-id.js';
import { usageError } from '../core/errors.js';
import { REGION_NAME } from '../core/regions.js';
import { CorruptLogFile } from './record-splitter.js';

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const SKIPPED_FOLDERS = new Set(['CloudTrail-Digest', 'CloudTrail-Insight']);

/** Which files to read: dated on or after `since`, and of `account` when set. */
export interface FileFilter {
  since: Date | undefined;
  account: string | undefined;
}

/** What one listed log file can do. */
export interface LogFile {
  name: string;
  /** The file's path, for a local one: a filter worker reads it itself. */
  path?: string;
  /** Bytes as stored, when the listing knows it. */
  size: number | undefined;
  /** What tells this version of the file from a rewritten one (size and S3 ETag, or size and mtime), for the evidence cache. */
  identify(): Promise<{ size: number | undefined; tag: string | undefined }>;
  /** The whole file, or undefined when it is larger than `streamAbove` bytes and must be streamed. */
  read(streamAbove: number): Promise<Buffer | undefined>;
  open(): Promise<Readable>;
}

/** The files under a location, and how many to keep in flight. */
export async function openSource(
  location: string,
  deps: { s3?: () => Promise<S3Client> },
  filter: FileFilter,
): Promise<{ files: AsyncIterable<LogFile>; prefetch: number }> {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (s3) {
    if (!deps.s3) throw usageError(`cannot read ${location}: no S3 client available`);
    // Network round trips dominate S3 reads, so more files are in flight.
    return { files: listS3(await deps.s3(), s3[1]!, s3[2] ?? '', filter), prefetch: 8 };
  }
  const info = await stat(location).catch(() => undefined);
  if (!info) throw usageError(`--cloudtrail-logs: no such file or folder: ${location}`);
  return { files: localFiles(location, info, filter), prefetch: 4 };
}

/** A file that vanished or cannot be read is skipped like a corrupt one; the rest still counts. */
function unreadable(error: Error): never {
  throw new CorruptLogFile(`unreadable: ${error.message}`);
}

/** The file at a local path, or every log file in the folder there. */
async function* localFiles(location: string, info: Stats, filter: FileFilter): AsyncGenerator<LogFile> {
  if (info.isDirectory()) yield* walkLocal(location, filter);
  else yield localFile(location, info.size);
}

/** Walks a folder depth-first in name order (so days come in order), pruning folders before `since`. */
async function* walkLocal(dir: string, filter: FileFilter): AsyncGenerator<LogFile> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipFolder(path, filter)) yield* walkLocal(path, filter);
    } else if (entry.isFile() && isLogFile(path, filter)) {
      yield localFile(path, undefined);
    }
  }
}

function localFile(path: string, size: number | undefined): LogFile {
  return {
    name: path,
    path,
    size,
    identify: async () => {
      const info = await stat(path).catch(() => undefined);
      return { size: info?.size, tag: info ? String(Math.floor(info.mtimeMs)) : undefined };
    },
    read: async (streamAbove) => {
      // Local sizes are not listed: the open handle's stat is cheap next to the read.
      const handle = await open(path).catch(unreadable);
      try {
        const { size: bytes } = await handle.stat();
        return bytes > streamAbove ? undefined : await handle.readFile().catch(unreadable);
      } finally {
        await handle.close();
      }
    },
    open: () => Promise.resolve(createReadStream(path, { highWaterMark: 1024 * 1024 })),
  };
}

/**
 * The log files under s3://bucket/prefix: a flat listing when every day of
 * every account is wanted, else folder by folder so old days and other
 * accounts are never listed.
 */
async function* listS3(client: S3Client, bucket: string, prefix: string, filter: FileFilter): AsyncGenerator<LogFile> {
  const body = async (key: string) => {
    const found = await getObjectBody(client, bucket, key);
    // Deleted between listing and reading (lifecycle rules): skip it like a corrupt file.
    if (!found) throw new CorruptLogFile('object no longer exists');
    return found;
  };
  const descend = filter.since || filter.account ? (folder: string) => !skipFolder(folder, filter) : undefined;
  for await (const { key, size, etag } of listObjects(client, bucket, prefix, descend)) {
    if (!isLogFile(key, filter)) continue;
    yield {
      name: `s3://${bucket}/${key}`,
      size,
      identify: () => Promise.resolve({ size, tag: etag }),
      read: async () => {
        const bytes = await (await body(key)).transformToByteArray().catch((error: unknown) => {
          throw translateAwsError(error, 's3:GetObject');
        });
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      open: async () => (await body(key)) as Readable,
    };
  }
}

/** True for .json / .json.gz files outside digest and insight folders, of the wanted account, dated on or after `since` when dated. */
function isLogFile(path: string, filter: FileFilter): boolean {
  if (!/\.json(?:\.gz)?$/i.test(path)) return false;
  const segments = path.split(/[\\/]/);
  segments.pop();
  if (segments.some((segment) => SKIPPED_FOLDERS.has(segment))) return false;
  if (otherAccount(segments, filter.account)) return false;
  return !filter.since || !datedBefore(segments, filter.since);
}

function skipFolder(path: string, filter: FileFilter): boolean {
  const segments = path.split(/[\\/]/).filter((segment) => segment !== '');
  if (SKIPPED_FOLDERS.has(segments[segments.length - 1] ?? '')) return true;
  if (otherAccount(segments, filter.account)) return true;
  return filter.since !== undefined && datedBefore(segments, filter.since);
}

/**
 * True when the path runs through another account's folder: AWSLogs/<account>/
 * (a trail) or AWSLogs/o-<org id>/<account>/ (an organization trail).
 */
function otherAccount(segments: readonly string[], account: string | undefined): boolean {
  if (account === undefined) return false;
  for (let i = 1; i < segments.length; i++) {
    const before = segments[i - 1]!;
    const accountFolder = before === 'AWSLogs' || (ORG_ID.test(before) && segments[i - 2] === 'AWSLogs');
    if (accountFolder && ACCOUNT_ID.test(segments[i]!) && segments[i] !== account) return true;
  }
  return false;
}

/**
 * True when the folder path ends in <region>/YYYY[/MM[/DD]] and that year,
 * month or day ended before `since`'s day. CloudTrail files a log under the
 * day it delivered it, never earlier than its events, so pruning is safe.
 */
function datedBefore(segments: readonly string[], since: Date): boolean {
  const wanted = [since.getUTCFullYear(), since.getUTCMonth() + 1, since.getUTCDate()];
  for (let parts = 3; parts >= 1; parts--) {
    const start = segments.length - parts;
    if (start < 1 || !REGION_NAME.test(segments[start - 1]!)) continue;
    const date = segments.slice(start);
    if (!/^\d{4}$/.test(date[0]!) || !date.slice(1).every((part) => /^\d{2}$/.test(part))) return false;
    for (let i = 0; i < parts; i++) {
      const value = Number(date[i]);
      if (value !== wanted[i]) return value < wanted[i]!;
    }
    return false;
  }
  return false;
}
