import { translateAwsError } from './errors.js';

/** Runs one AWS call, translating any failure into a SplitRoleError that names `action`. */
export async function awsCall<T>(action: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateAwsError(error, action);
  }
}

/** Iterates a paginator, translating failures into SplitRoleErrors that name `action`. */
export async function* awsPages<T>(action: string, pages: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = pages[Symbol.asyncIterator]();
  while (true) {
    let step: IteratorResult<T>;
    try {
      step = await iterator.next();
    } catch (error) {
      throw translateAwsError(error, action);
    }
    if (step.done) return;
    yield step.value;
  }
}

/** Collects the items of every page of a paginator. */
export async function collectPages<P, T>(action: string, pages: AsyncIterable<P>, items: (page: P) => T[]): Promise<T[]> {
  const all: T[] = [];
  for await (const page of awsPages(action, pages)) all.push(...items(page));
  return all;
}
