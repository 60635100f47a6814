/**
 * A loopback HTTP proxy between the SDK and moto. It names each request's AWS
 * operation (query Action, X-Amz-Target, or Lambda's REST routes), tells
 * mutating calls from reads, and lets a test answer a request instead of
 * moto: AccessDenied, throttling, 5xx, a dropped connection — before moto
 * sees the call, or after moto applied it (the hard case for idempotency).
 * Fault and crash tests count mutating calls through it and can act (e.g.
 * SIGKILL the CLI) right after moto answered one, before the CLI hears back.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';

/** What the proxy knows of a request when deciding. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** "ListRoles" from a query-protocol body, the X-Amz-Target suffix for JSON protocols, or a named REST route (Lambda). */
  operation: string;
  /** The signing name from the SigV4 credential scope: "iam", "sts", "ec2", "ecs", "lambda", "s3"… ("" when unsigned). */
  service: string;
  /** True when the operation changes the account (see isMutatingOperation). */
  mutating: boolean;
  /** 1-based position among every request this proxy has seen. */
  seq: number;
}

/**
 * A canned answer in place of moto's. With `afterUpstream`, moto still gets
 * (and applies) the call, and the client sees this answer instead of moto's.
 */
export interface InjectedResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
  afterUpstream?: boolean;
  /** How the proxy's `injected` log names it (default: the status, plus "-after"). */
  label?: string;
}

/** Closes the client's connection with no answer; with `afterUpstream`, only after moto applied the call. */
export interface DroppedConnection {
  drop: true;
  afterUpstream?: boolean;
  label?: string;
}

/**
 * Moto's answer, changed on its way to the client: how a test shows state
 * moto does not keep, such as a Lambda update still in progress.
 */
export interface RewrittenResponse {
  rewrite: (body: string, status: number) => string;
  label: string;
}

/** What a rule may do with a request. */
export type Fault = InjectedResponse | DroppedConnection | RewrittenResponse;

/** Decides per request: a fault, or undefined to forward to moto untouched. */
export type FaultRule = (req: ProxiedRequest) => Fault | undefined;

/**
 * Called once moto has answered a forwarded request, before the answer is
 * relayed to the client. If it returns a promise the relay waits for it, so a
 * test can kill the client while the call is applied but not yet acknowledged.
 */
export type ForwardedListener = (operation: string, status: number, req: ProxiedRequest) => void | Promise<void>;

/** One request moto answered. */
export interface ForwardedCall {
  operation: string;
  status: number;
  mutating: boolean;
}

/** One fault the proxy injected. */
export interface InjectedFault {
  operation: string;
  service: string;
  fault: string;
}

/** A running proxy. */
export interface FaultProxy {
  endpoint: string;
  /** Operations seen, in order (faulted ones included). */
  readonly operations: string[];
  /** Mutating operations seen, in order (faulted ones included: an attempt counts). */
  readonly mutatingOperations: string[];
  /** mutatingOperations.length. */
  readonly mutatingCount: number;
  /** Requests moto answered, in order. */
  readonly forwarded: ForwardedCall[];
  /** Faults the rule injected, in order: the operation, its service's signing name, and e.g. "429", "drop", "500-after". */
  readonly injected: InjectedFault[];
  setRule(rule: FaultRule | undefined): void;
  /** Sets (or clears) the hook that runs after moto answered a request. */
  onForwarded(listener: ForwardedListener | undefined): void;
  /** Empties every log (operations, mutating, forwarded, injected); keeps the rule and hook. */
  clear(): void;
  close(): Promise<void>;
}

/**
 * Operation-name prefixes that change an account. Reads are Get/List/
 * Describe/Lookup/…; anything else listed here is a write.
 */
const MUTATING_PREFIXES = [
  'Create',
  'Put',
  'Attach',
  'Detach',
  'Delete',
  'Add',
  'Remove',
  'Replace',
  'Update',
  'Register',
  'Deregister',
  'Tag',
  'Untag',
  'Associate',
  'Disassociate',
  'Publish',
  'Modify',
  'Set',
  'Change',
  'Upload',
  'Run',
  'Start',
  'Stop',
  'Terminate',
  'Reboot',
  'Enable',
  'Disable',
  'Import',
  'Reset',
  'Invoke',
];
const MUTATING = new RegExp(`^(${MUTATING_PREFIXES.join('|')})(?=[A-Z]|$)`);

/** True when the operation name (as the proxy names it) changes the account. */
export function isMutatingOperation(operation: string): boolean {
  if (MUTATING.test(operation)) return true;
  // Unnamed REST calls ("PUT /bucket/key"): the method decides.
  return /^(PUT|POST|DELETE|PATCH) \//.test(operation);
}

/** An AWS query-protocol error body (IAM, STS, EC2-style services). */
export function queryError(status: number, code: string, message: string): InjectedResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
      `<Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

/** EC2's own error body (EC2 is query-protocol but answers `<Response><Errors>…`). */
export function ec2Error(status: number, code: string, message: string): InjectedResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body:
      `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
      `<RequestID>fault-proxy</RequestID></Response>`,
  };
}

/** A JSON-protocol error (awsJson1_0/1_1 like ECS, or REST-JSON like Lambda). */
export function jsonError(status: number, code: string, message: string, contentType = 'application/x-amz-json-1.1'): InjectedResponse {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': code, 'x-amzn-requestid': 'fault-proxy' },
    body: JSON.stringify({ __type: code, message }),
  };
}

/** The service's own throttling answer, in its protocol. */
export function throttlingFor(req: Pick<ProxiedRequest, 'service' | 'headers' | 'path'>): InjectedResponse {
  switch (protocolOf(req)) {
    case 'ec2':
      return ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.');
    case 'rest-json':
      return jsonError(429, 'TooManyRequestsException', 'Rate exceeded', 'application/json');
    case 'json':
      return jsonError(400, 'ThrottlingException', 'Rate exceeded');
    case 'query':
      return queryError(400, 'Throttling', 'Rate exceeded');
  }
}

/** A 500 or 503 from the service, in its protocol. */
export function serverErrorFor(req: Pick<ProxiedRequest, 'service' | 'headers' | 'path'>, status: 500 | 503 = 500): InjectedResponse {
  const busy = status === 503;
  switch (protocolOf(req)) {
    case 'ec2':
      return ec2Error(status, busy ? 'Unavailable' : 'InternalError', 'An internal error has occurred');
    case 'rest-json':
      return jsonError(status, 'ServiceException', 'An internal error has occurred', 'application/json');
    case 'json':
      return jsonError(status, busy ? 'ServiceUnavailableException' : 'ServerException', 'An internal error has occurred');
    case 'query':
      return queryError(status, busy ? 'ServiceUnavailable' : 'InternalFailure', 'An internal error has occurred');
  }
}

/** Kinds of fault `faultEvery` can inject. */
export type FaultKind = 'throttle' | '500' | '503' | 'drop' | '500-after' | 'drop-after';

/** The fault of a kind for a request, labelled with the kind. `-after` kinds let moto apply the call first. */
export function faultOf(kind: FaultKind, req: ProxiedRequest): Fault {
  return { ...unlabelledFault(kind, req), label: kind };
}

function unlabelledFault(kind: FaultKind, req: ProxiedRequest): Fault {
  switch (kind) {
    case 'throttle':
      return throttlingFor(req);
    case '500':
      return serverErrorFor(req, 500);
    case '503':
      return serverErrorFor(req, 503);
    case 'drop':
      return { drop: true };
    case '500-after':
      return { ...serverErrorFor(req, 500), afterUpstream: true };
    case 'drop-after':
      return { drop: true, afterUpstream: true };
  }
}

/**
 * A deterministic rule: every `k`-th request that `matches` (1-based:
 * requests k, 2k, 3k…, shifted by `offset`) gets the next kind from `kinds`
 * in turn. The same sequence of calls always gets the same faults, so tests
 * are stable. With `perService`, each service's calls are counted apart, so
 * every service that makes k calls is faulted whatever the interleaving.
 */
export function faultEvery(
  k: number,
  kinds: readonly FaultKind[],
  options: { matches?: (req: ProxiedRequest) => boolean; offset?: number; perService?: boolean } = {},
): FaultRule {
  const seen = new Map<string, number>();
  let injected = 0;
  return (req) => {
    if (options.matches && !options.matches(req)) return undefined;
    const key = options.perService ? req.service : '';
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    if ((count + (options.offset ?? 0)) % k !== 0) return undefined;
    const kind = kinds[injected % kinds.length] as FaultKind;
    injected += 1;
    return faultOf(kind, req);
  };
}

/** Starts a proxy in front of `target` (e.g. moto's endpoint). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const operations: string[] = [];
  const mutatingOperations: string[] = [];
  const forwarded: ForwardedCall[] = [];
  const injected: InjectedFault[] = [];
  let rule: FaultRule | undefined;
  let listener: ForwardedListener | undefined;
  let seq = 0;

  const server: Server = createServer((req, res) => {
    // A killed or retrying client may vanish mid-answer; that is expected here.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const operation = operationOf(req.method ?? 'GET', req.headers, text, req.url ?? '/');
      const proxied: ProxiedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: text,
        operation,
        service: serviceOf(req.headers),
        mutating: isMutatingOperation(operation),
        seq: ++seq,
      };
      operations.push(operation);
      if (proxied.mutating) mutatingOperations.push(operation);
      const fault = rule?.(proxied);
      if (fault) injected.push({ operation, service: proxied.service, fault: describeFault(fault) });
      const drop = () => req.socket.destroy();
      const answer = (injectedResponse: InjectedResponse) => {
        res.writeHead(injectedResponse.status, { 'content-type': 'application/json', ...injectedResponse.headers });
        res.end(injectedResponse.body);
      };
      const rewrite = fault && 'rewrite' in fault ? fault : undefined;
      const canned = fault && !('rewrite' in fault) ? fault : undefined;
      if (canned && !canned.afterUpstream) {
        if ('drop' in canned) drop();
        else answer(canned);
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const status = up.statusCode ?? 502;
            forwarded.push({ operation, status, mutating: proxied.mutating });
            void Promise.resolve(listener?.(operation, status, proxied))
              .catch(() => undefined)
              .then(() => {
                if (canned && 'drop' in canned) return drop();
                if (canned) return answer(canned);
                if (res.destroyed) return;
                if (rewrite) {
                  const changed = Buffer.from(rewrite.rewrite(Buffer.concat(parts).toString('utf8'), status));
                  const headers = { ...up.headers, 'content-length': String(changed.length) };
                  delete headers['content-encoding'];
                  res.writeHead(status, headers);
                  return res.end(changed);
                }
                res.writeHead(status, up.headers);
                res.end(Buffer.concat(parts));
              });
          });
        },
      );
      forward.on('error', (error) => {
        if (res.destroyed) return;
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
    mutatingOperations,
    get mutatingCount() {
      return mutatingOperations.length;
    },
    forwarded,
    injected,
    setRule: (next) => {
      rule = next;
    },
    onForwarded: (next) => {
      listener = next;
    },
    clear: () => {
      operations.length = 0;
      mutatingOperations.length = 0;
      forwarded.length = 0;
      injected.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describeFault(fault: Fault): string {
  if (fault.label) return fault.label;
  if ('rewrite' in fault) return 'rewrite';
  const base = 'drop' in fault ? 'drop' : String(fault.status);
  return fault.afterUpstream ? `${base}-after` : base;
}

/** Lambda's REST routes (API version 2015-03-31), enough to name what split-role and its tests call. */
const LAMBDA_ROUTES: Array<[string, RegExp, string]> = [
  ['GET', /^\/2015-03-31\/functions\/?$/, 'ListFunctions'],
  ['POST', /^\/2015-03-31\/functions\/?$/, 'CreateFunction'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/configuration\/?$/, 'GetFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/configuration\/?$/, 'UpdateFunctionConfiguration'],
  ['PUT', /^\/2015-03-31\/functions\/[^/]+\/code\/?$/, 'UpdateFunctionCode'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/versions\/?$/, 'ListVersionsByFunction'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/versions\/?$/, 'PublishVersion'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/aliases\/?$/, 'ListAliases'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/aliases\/?$/, 'CreateAlias'],
  ['POST', /^\/2015-03-31\/functions\/[^/]+\/invocations\/?$/, 'Invoke'],
  ['GET', /^\/2015-03-31\/functions\/[^/]+\/?$/, 'GetFunction'],
  ['DELETE', /^\/2015-03-31\/functions\/[^/]+\/?$/, 'DeleteFunction'],
];

/**
 * AWS Batch's REST routes: every operation is a POST to /v1/<name in lower case>
 * (https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobDefinitions.html),
 * so the method alone would count its reads as writes.
 */
const BATCH_OPERATIONS = [
  'DescribeJobDefinitions',
  'DescribeJobQueues',
  'DescribeComputeEnvironments',
  'ListJobs',
  'RegisterJobDefinition',
  'DeregisterJobDefinition',
];

function operationOf(method: string, headers: IncomingHttpHeaders, body: string, path: string): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const url = new URL(path, 'http://x');
  const action = new URLSearchParams(body).get('Action') ?? url.searchParams.get('Action');
  if (action) return action;
  const route = LAMBDA_ROUTES.find(([m, pattern]) => m === method && pattern.test(url.pathname));
  if (route) return route[2];
  const batch = /^\/v1\/([a-z]+)$/.exec(url.pathname)?.[1];
  const batchOperation = method === 'POST' && batch ? BATCH_OPERATIONS.find((name) => name.toLowerCase() === batch) : undefined;
  if (batchOperation) return batchOperation;
  // Other REST calls (S3…): named by method and path, so writes still count as mutating.
  return `${method} ${url.pathname}`;
}

/** The SigV4 signing name, from `Credential=AKID/DATE/REGION/SERVICE/aws4_request`. */
function serviceOf(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization;
  const match = typeof auth === 'string' ? /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth) : null;
  return match?.[1] ?? '';
}

type Protocol = 'query' | 'ec2' | 'json' | 'rest-json';

function protocolOf(req: Pick<ProxiedRequest, 'service' | 'headers' | 'path'>): Protocol {
  if (req.service === 'ec2') return 'ec2';
  if (typeof req.headers['x-amz-target'] === 'string') return 'json';
  if (req.service === 'lambda' || req.path.startsWith('/2015-03-31/')) return 'rest-json';
  return 'query';
}
