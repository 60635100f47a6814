/**
 * A loopback HTTP proxy between the SDK and moto. It names each request's AWS
 * operation and lets a test answer it instead of moto: AccessDenied,
 * throttling, 5xx. It also counts operations, which later fault and crash
 * tests build on.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

/** What the proxy knows of a request when deciding. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** "ListRoles" from a query-protocol body, or the X-Amz-Target suffix for JSON protocols. */
  operation: string;
}

/** A canned answer in place of moto's. */
export interface InjectedResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** Decides per request: a canned answer, or undefined to forward to moto. */
export type FaultRule = (req: ProxiedRequest) => InjectedResponse | undefined;

/** A running proxy. */
export interface FaultProxy {
  endpoint: string;
  /** Operations seen, in order. */
  readonly operations: string[];
  setRule(rule: FaultRule | undefined): void;
  close(): Promise<void>;
}

/** An AWS query-protocol error body (IAM, STS, EC2-style services). */
export function queryError(status: number, code: string, message: string): InjectedResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

/** Starts a proxy in front of `target` (e.g. moto's endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const operations: string[] = [];
  let rule: FaultRule | undefined;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const proxied: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: body.toString('utf8'),
        operation: operationOf(req.headers, body.toString('utf8'), req.url ?? '/'),
      };
      operations.push(proxied.operation);
      const injected = rule?.(proxied);
      if (injected) {
        res.writeHead(injected.status, { 'content-type': 'application/json', ...injected.headers });
        res.end(injected.body);
        return;
      }
      const forward = httpRequest(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    setRule: (next) => {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function operationOf(headers: IncomingHttpHeaders, body: string, path: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const action = new URLSearchParams(body).get('Action') ?? new URL(path, 'http://x').searchParams.get('Action');
  return action ?? `${headers['x-amz-target'] ?? ''}${path.split('?')[0]}`;
}
