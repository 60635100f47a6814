/** Paging helper. Errors need no wrapping here: every session client translates its own (error-middleware.ts). */

/** Collects the items of every page of a paginator. */
export async function collectItems<P, T>(pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...items(page));
  return all;
}
