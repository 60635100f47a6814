/**
 * A loopback AWS Config that serves PutEvaluations over the real JSON 1.1 wire
 * protocol (moto's PutEvaluations only works in TestMode), so the guardrail's
 * real @aws-sdk/client-config-service can report to it:
 *
 * - `POST /`, `X-Amz-Target: StarlingDoveService.PutEvaluations`,
 *   `Content-Type: application/x-amz-json-1.1`, SigV4-signed.
 * - `ResultToken` required (else InvalidResultTokenException); 1–100
 *   `Evaluations`, each with ComplianceResourceType, ComplianceResourceId,
 *   ComplianceType (COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE, INSUFFICIENT_DATA)
 *   and OrderingTimestamp (epoch seconds), Annotation at most 256 characters
 *   (else InvalidParameterValueException); answers `{"FailedEvaluations": []}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, listen, readBody, sendJson, type Listening } from './fake-http.js';

/** One evaluation as received. */
export interface ReceivedEvaluation {
  resultToken: string;
  ComplianceResourceType: string;
  ComplianceResourceId: string;
  ComplianceType: string;
  Annotation?: string;
  OrderingTimestamp: number;
}

const COMPLIANCE = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA']);

/** A started fake: its endpoint and what it received. */
export interface ConfigFake extends Listening {
  evaluations: ReceivedEvaluation[];
}

/** Starts the fake on a free loopback port. */
export async function startConfigFake(): Promise<ConfigFake> {
  const evaluations: ReceivedEvaluation[] = [];
  const bad = (res: ServerResponse, type: string, message: string) => sendJson(res, 400, { __type: type, message });
  const listening = await listen(async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    if (!callerOf(req)) return bad(res, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    if (req.headers['x-amz-target'] !== 'StarlingDoveService.PutEvaluations')
      return bad(res, 'UnknownOperationException', `unknown operation ${String(req.headers['x-amz-target'])}`);
    const input = JSON.parse(body) as { ResultToken?: string; Evaluations?: Array<Omit<ReceivedEvaluation, 'resultToken'>> };
    if (!input.ResultToken) return bad(res, 'InvalidResultTokenException', 'The result token is invalid.');
    const list = input.Evaluations ?? [];
    if (list.length < 1 || list.length > 100) return bad(res, 'InvalidParameterValueException', 'Evaluations must hold 1 to 100 items.');
    for (const e of list) {
      if (
        !e.ComplianceResourceType ||
        !e.ComplianceResourceId ||
        !COMPLIANCE.has(e.ComplianceType) ||
        typeof e.OrderingTimestamp !== 'number'
      ) {
        return bad(res, 'InvalidParameterValueException', 'An evaluation lacks a resource, a compliance type or an ordering timestamp.');
      }
      if ((e.Annotation ?? '').length > 256) return bad(res, 'InvalidParameterValueException', 'Annotation is longer than 256 characters.');
    }
    evaluations.push(...list.map((e) => ({ resultToken: input.ResultToken as string, ...e })));
    sendJson(res, 200, { FailedEvaluations: [] }, { 'content-type': 'application/x-amz-json-1.1' });
  });
  return { ...listening, evaluations };
}
