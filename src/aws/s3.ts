/** S3 adapter: listing a prefix (optionally folder by folder) and reading objects (errors are translated by the client's middleware). */
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { isNoSuchKey } from '../core/aws-error-names.js';
import { loadSdk } from './sdk-modules.js';

/** An object found under a prefix. */
export interface ObjectEntry {
  key: string;
  size?: number;
  /** The object's ETag as listed: a changed object has a new one. */
  etag?: string;
}

/**
 * Lists the objects under `prefix`. With `descend`, it walks folder by folder
 * (a `/` delimiter) and enters only the folders `descend` accepts, so whole
 * subtrees are never listed; without it, one flat listing.
 */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  descend?: (folder: string) => boolean,
): AsyncGenerator<ObjectEntry> {
  const { ListObjectsV2Command } = await loadSdk('client-s3');
  const folders = [prefix];
  while (folders.length > 0) {
    const folder = folders.pop()!;
    const children: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: folder, Delimiter: descend ? '/' : undefined, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, size: object.Size, etag: object.ETag };
      for (const common of page.CommonPrefixes ?? []) if (common.Prefix && descend?.(common.Prefix)) children.push(common.Prefix);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // Depth-first in key order, so dated folders come oldest first.
    folders.push(...children.reverse());
  }
}

/** An object's body, or undefined when the object no longer exists. */
export async function getObjectBody(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<NonNullable<GetObjectCommandOutput['Body']> | undefined> {
  const { GetObjectCommand } = await loadSdk('client-s3');
  try {
    return (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body ?? undefined;
  } catch (error) {
    if (isNoSuchKey(error)) return undefined;
    throw error;
  }
}
