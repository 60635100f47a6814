/**
 * Line numbers for places in a JSON text, so SARIF can point at the line that
 * defines a role. JSON.parse drops positions; this single pass over the text
 * recovers them for just the paths asked for.
 */

const SEP = '\u0000';

/** A path into a JSON document, as object keys and array indexes. */
export type JsonPath = ReadonlyArray<string | number>;

/** The lookup key of a path (what `jsonLines` returns its lines under). */
export function jsonPathKey(path: JsonPath): string {
  let key = '';
  for (const segment of path) key += SEP + String(segment);
  return key;
}

interface Frame {
  array: boolean;
  index: number;
  path: string;
  expectKey: boolean;
  keyPath: string;
}

/**
 * Finds the 1-based line of each wanted path in valid JSON `text`: the line of
 * the key for an object member, of the value's first character for an array
 * element. Paths not found are absent from the result.
 */
export function jsonLines(text: string, wanted: readonly JsonPath[]): Map<string, number> {
  const want = new Set(wanted.map(jsonPathKey));
  const found = new Map<string, number>();
  if (want.size === 0) return found;
  const stack: Frame[] = [];
  let line = 1;
  // Why check at value starts only: roles are objects and keys are strings, so
  // numbers and literals never need a line and can be skipped cheaply.
  const valueStart = () => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.array) {
      const path = top.path + SEP + String(top.index);
      if (want.has(path) && !found.has(path)) found.set(path, line);
      return path;
    }
    return top.keyPath;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
    } else if (c === 34) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        top.keyPath = top.path + SEP + key;
        top.expectKey = false;
        if (want.has(top.keyPath) && !found.has(top.keyPath)) found.set(top.keyPath, line);
      } else {
        valueStart();
      }
      i = end;
    } else if (c === 123 || c === 91) {
      const path = valueStart();
      stack.push({ array: c === 91, index: 0, path, expectKey: c === 123, keyPath: '' });
    } else if (c === 125 || c === 93) {
      stack.pop();
    } else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
  }
  return found;
}

/** The index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return text.length;
    let backslashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === 92; j--) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}
