/** Small text helpers shared by the formatters and error messages. */

/** The first line of `text`, trimmed: error messages from outside must stay one line. */
export function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
