/**
 * Splitting a trail file's {"Records":[…]} JSON into one record's text at a
 * time, so a huge file never has to be parsed whole.
 */

/** Marks a file whose content is unusable; the read goes on without it. */
export class CorruptLogFile extends Error {}

/** A file that holds no {"Records": …} at all: some other JSON (a plan, a manifest) that sits among the logs, not a damaged log. */
export class NotATrailFile extends CorruptLogFile {}

/**
 * Cuts a {"Records":[…]} byte stream into one JSON text per record, so a huge
 * file is parsed one record at a time. It tracks only nesting and strings;
 * JSON.parse of each record checks the rest. Exported for tests.
 */
export class RecordSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inRecords = false;
  private found = false;
  /** The last string seen at the top level, and the key a ":" made of it. */
  private topString: number[] = [];
  private lastTopString = '';
  private key = '';
  /** Bytes of the record in progress from earlier chunks. */
  private carried: Buffer[] = [];
  private recordStart = -1;

  /** Feeds a chunk; returns the records it completed. */
  push(chunk: Buffer): string[] {
    const texts: string[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.depth === 1) this.lastTopString = Buffer.from(this.topString).toString('utf8');
        } else if (this.depth === 1 && this.topString.length < 64) this.topString.push(c);
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        this.topString = [];
      } else if (c === 0x7b || c === 0x5b) {
        if (c === 0x5b && this.depth === 1 && this.key === 'Records' && !this.found) this.inRecords = this.found = true;
        this.depth += 1;
        if (this.inRecords && this.depth === 3 && c === 0x7b) this.recordStart = i;
      } else if (c === 0x7d || c === 0x5d) {
        this.depth -= 1;
        if (this.depth < 0) throw new CorruptLogFile('unbalanced JSON');
        if (this.inRecords && this.depth === 2 && c === 0x7d && this.recordStart >= 0) {
          const tail = chunk.subarray(this.recordStart, i + 1);
          texts.push((this.carried.length > 0 ? Buffer.concat([...this.carried, tail]) : tail).toString('utf8'));
          this.carried = [];
          this.recordStart = -1;
        } else if (this.inRecords && this.depth === 1) this.inRecords = false;
      } else if (this.depth === 1 && c === 0x3a) this.key = this.lastTopString;
      else if (this.depth === 1 && c === 0x2c) this.key = '';
    }
    if (this.recordStart >= 0) {
      // Copy: the stream may reuse the chunk's memory.
      this.carried.push(Buffer.from(chunk.subarray(this.recordStart)));
      this.recordStart = 0;
    }
    return texts;
  }

  /** Throws unless the stream held a complete {"Records":[…]} object. */
  finish(): void {
    if (!this.found) throw new NotATrailFile('no Records array');
    if (this.depth !== 0 || this.inString) throw new CorruptLogFile('truncated JSON');
  }
}
