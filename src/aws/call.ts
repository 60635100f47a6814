/** Paging helpers. Errors need no wrapping here: every session client translates its own (error-middleware.ts). */
import { translateAwsError } from './errors.js';

/** Collects the items of every page of a paginator. */
export async function collectItems<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...items(page));
  return all;
}

// The wrappers below go once no adapter uses them: the session clients' middleware does their job.

/** @deprecated the session's clients translate errors themselves; call the SDK directly. */
export async function awsCall<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateAwsError(error, action);
  }
}

/** @deprecated the session's clients translate errors themselves; iterate the paginator directly. */
export async function* awsPages<T>(action: string, pages: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* pages;
  } catch (error) {
    throw translateAwsError(error, action);
  }
}

/** @deprecated use collectItems. */
export async function collectPages<P, T>(action: string, pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  return awsCall(action, () => collectItems(pages, items));
}
