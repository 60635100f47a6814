/**
 * A loopback CloudTrail Lake (moto has none) speaking the real JSON 1.1 wire
 * protocol, so the real @aws-sdk/client-cloudtrail talks to it. Queries run
 * for real on DuckDB over the test trail files, exposed as the event data
 * store (test/support/duckdb-trail.ts). It answers as AWS documents:
 *
 * - `POST /`, `X-Amz-Target: CloudTrail_20131101.StartQuery` or
 *   `.GetQueryResults`, `Content-Type: application/x-amz-json-1.1`, SigV4-signed.
 * - StartQuery: `QueryStatement` (1–10,000 characters, a SELECT over a known
 *   store id, else InvalidQueryStatementException / EventDataStoreNotFoundException)
 *   → `{ QueryId }`.
 * - GetQueryResults: `QueryId` (else QueryIdNotFoundException), `NextToken`,
 *   `MaxQueryResults` 1–1000 → `QueryStatus` QUEUED, then RUNNING, then
 *   FINISHED (or FAILED with `ErrorMessage`), `QueryStatistics`
 *   (`ResultsCount`, `TotalResultsCount`, `BytesScanned`) and
 *   `QueryResultRows`: each row a list of one-entry `{column: text}` maps.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { openTrailDb, type TrailDb } from '../support/duckdb-trail.js';
import { callerOf, listen, readBody, sendJson, type Listening } from './fake-http.js';

const PREFIX = 'CloudTrail_20131101.';

interface Query {
  statement: string;
  polls: number;
  rows?: Array<Record<string, string | undefined>>;
  error?: string;
}

/** A running fake Lake with one event data store. */
export class CloudTrailLakeFake {
  /** Every StartQuery statement received, in order. */
  readonly statements: string[] = [];
  /** Fault switch: queries fail with this message, as Lake reports an engine error. */
  readonly ops: { failWith?: string } = {};
  private readonly queries = new Map<string, Query>();
  private listening!: Listening;

  private constructor(
    readonly storeId: string,
    private readonly db: TrailDb,
  ) {}

  /** Starts a fake whose event data store `storeId` holds the trail files under `trailRoot`. */
  static async start(
    trailRoot: string,
    storeId = `EXAMPLE-${randomUUID().slice(0, 8)}-4e8f-8bd1-bcf6cEXAMPLE`,
  ): Promise<CloudTrailLakeFake> {
    const fake = new CloudTrailLakeFake(storeId, await openTrailDb(trailRoot, { lakeStoreId: storeId }));
    fake.listening = await listen((req, res) => fake.handle(req, res));
    return fake;
  }

  /** The URL for AWS_ENDPOINT_URL_CLOUDTRAIL. */
  get endpoint(): string {
    return this.listening.endpoint;
  }

  /** Stops the server and the database. */
  async close(): Promise<void> {
    await this.listening.close();
    this.db.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/')
      return error(res, 'UnknownOperationException', `no route for ${req.method} ${req.url}`);
    if (!callerOf(req)) return error(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1'))
      return error(res, 'SerializationException', 'expected application/x-amz-json-1.1');
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = (body.trim() === '' ? {} : JSON.parse(body)) as Record<string, unknown>;
    if (target === `${PREFIX}StartQuery`) return this.startQuery(res, input);
    if (target === `${PREFIX}GetQueryResults`) return this.getQueryResults(res, input);
    return error(res, 'UnknownOperationException', `unsupported target ${target}`);
  }

  private startQuery(res: ServerResponse, input: Record<string, unknown>): void {
    const statement = input.QueryStatement;
    if (typeof statement !== 'string' || statement.length < 1 || statement.length > 10_000) {
      return error(res, 'InvalidQueryStatementException', 'QueryStatement must be 1 to 10000 characters');
    }
    if (!/^\s*(SELECT|WITH)\b/i.test(statement)) return error(res, 'InvalidQueryStatementException', 'Only SELECT statements are allowed');
    if (!new RegExp(`\\bFROM\\s+${this.storeId}\\b`).test(statement))
      return error(res, 'EventDataStoreNotFoundException', 'The specified event data store was not found');
    this.statements.push(statement);
    const queryId = randomUUID();
    const query: Query = { statement, polls: 0, ...(this.ops.failWith ? { error: this.ops.failWith } : {}) };
    this.queries.set(queryId, query);
    // Lake names the store unquoted; DuckDB needs it quoted (the one shim on the text).
    const sql = statement.replaceAll(new RegExp(`\\bFROM\\s+${this.storeId}\\b`, 'g'), `FROM "${this.storeId}"`);
    if (query.error === undefined)
      this.db.query(sql).then(
        (rows) => (query.rows = rows),
        (e: unknown) => (query.error = (e as Error).message.split('\n')[0]),
      );
    sendJson(
      res,
      200,
      { QueryId: queryId, EventDataStoreOwnerAccountId: '123456789012' },
      { 'content-type': 'application/x-amz-json-1.1' },
    );
  }

  private getQueryResults(res: ServerResponse, input: Record<string, unknown>): void {
    const query = typeof input.QueryId === 'string' ? this.queries.get(input.QueryId) : undefined;
    if (!query) return error(res, 'QueryIdNotFoundException', 'The query ID does not exist or does not map to a query.');
    const max = input.MaxQueryResults === undefined ? 1000 : Number(input.MaxQueryResults);
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      return error(res, 'InvalidMaxResultsException', 'MaxQueryResults must be 1 to 1000');
    query.polls += 1;
    const done = query.rows !== undefined || query.error !== undefined;
    // A query is queued, then running, whatever DuckDB's speed: callers must poll.
    if (!done || query.polls < 3) return json(res, { QueryStatus: query.polls === 1 ? 'QUEUED' : 'RUNNING' });
    if (query.error !== undefined) return json(res, { QueryStatus: 'FAILED', ErrorMessage: query.error });
    const rows = query.rows!;
    const offset = typeof input.NextToken === 'string' ? Number(Buffer.from(input.NextToken, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0 || offset > rows.length)
      return error(res, 'InvalidNextTokenException', 'Provided NextToken is invalid');
    const page = rows.slice(offset, offset + max);
    const next = offset + max < rows.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    json(res, {
      QueryStatus: 'FINISHED',
      QueryStatistics: { ResultsCount: page.length, TotalResultsCount: rows.length, BytesScanned: 4096 * rows.length },
      // A NULL cell is left out of its row here, so readers must not rely on every column being present.
      QueryResultRows: page.map((row) =>
        Object.entries(row)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ({ [k]: v })),
      ),
      ...(next ? { NextToken: next } : {}),
    });
  }
}

function json(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body, { 'content-type': 'application/x-amz-json-1.1' });
}

function error(res: ServerResponse, code: string, message: string): void {
  sendJson(res, 400, { __type: code, Message: message }, { 'content-type': 'application/x-amz-json-1.1' });
}
