/**
 * Access Analyzer as an evidence source: the actions a role as a whole used,
 * from a generated policy. It cannot say which service used what (CloudTrail
 * sessions do that), and it misses data events and iam:PassRole, so the plan
 * treats it as a cross-check, not as the split.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { startPolicyGenerationWhenFree, waitForGeneratedPolicy, type QueueOptions, type WaitOptions } from '../aws/access-analyzer.js';
import { z } from 'zod';
import { SplitRoleError, usageError } from '../core/errors.js';
import type { IoHost } from '../core/io-host.js';
import { TRAIL_FILE_FLAGS, trailFileRoleRecords, trailFilesFromOptions, trailFilesSchema, trailFileUsage } from './log-files-source.js';
import { lookupEventsRecords, lookupEventsRoleRecords, lookupEventsSource } from './lookup-events-source.js';
import { attributeRecords, textOption, windowWarning, type EvidenceContext, type UsageSource } from './source.js';
import type { UsageEvidence } from './types.js';

/**
 * The settings of `--evidence access-analyzer`: the trail and role policy
 * generation reads with (absent in plans written before they were kept:
 * only planning needs them), and the trail's files, when given, for the
 * sessions.
 */
const accessAnalyzerSchema = z.strictObject({
  trailArn: z.string().min(1).optional(),
  accessRoleArn: z.string().min(1).optional(),
  files: trailFilesSchema.optional(),
});

/** The settings of `--evidence access-analyzer`. */
export type AccessAnalyzerConfig = z.infer<typeof accessAnalyzerSchema>;

/** What to analyse. */
export interface GeneratedActionsRequest {
  roleArn: string;
  trailArn: string;
  accessRoleArn: string;
  window: { start: Date; end: Date };
  /** Trail regions to read (default: all). */
  regions?: string[];
}

/** Polling and queueing knobs, plus where progress goes. */
export interface GeneratedActionsOptions extends Omit<WaitOptions, 'onProgress'> {
  queue?: QueueOptions;
  /** Progress lines go here as 'progress' notices. */
  io?: IoHost;
  /** Also told every progress line (queueing, job started, each poll's status). */
  onProgress?: (message: string) => void;
}

/** The generated policy and the actions in it. */
export interface GeneratedActions {
  jobId: string;
  /** Allowed actions across every generated document: distinct (case-insensitively, as IAM compares), sorted. */
  actions: string[];
  policies: unknown[];
  /** False when Access Analyzer says the policy is not complete. */
  isComplete: boolean;
}

/** Runs one policy generation job for the role (waiting for the account's slot) and reads its actions. */
export async function generatedActions(
  client: AccessAnalyzerClient,
  request: GeneratedActionsRequest,
  options: GeneratedActionsOptions = {},
): Promise<GeneratedActions> {
  const { io, queue: queueOptions, onProgress, ...waitOptions } = options;
  const progress = (message: string) => {
    io?.progress('SR_EVID_P3003', message);
    onProgress?.(message);
  };
  const queue: QueueOptions = {
    ...queueOptions,
    onProgress: (message) => {
      progress(message);
      queueOptions?.onProgress?.(message);
    },
  };
  if (waitOptions.sleep && !queue.sleep) queue.sleep = waitOptions.sleep;
  const generationRequest = {
    principalArn: request.roleArn,
    trailArn: request.trailArn,
    accessRoleArn: request.accessRoleArn,
    window: request.window,
    ...(request.regions ? { regions: request.regions } : {}),
  };
  const jobId = await startPolicyGenerationWhenFree(client, generationRequest, queue);
  progress(`Access Analyzer: policy generation job ${jobId} started for ${request.roleArn}`);
  const generated = await waitForGeneratedPolicy(client, jobId, {
    ...waitOptions,
    onProgress: (status, elapsedMs) => progress(`Access Analyzer: job ${jobId} ${status} (${Math.round(elapsedMs / 1000)} s)`),
  });
  if (!generated.isComplete) {
    io?.warn('SR_EVID_W3004', `Access Analyzer: the generated policy for ${request.roleArn} is not complete`, { roleArn: request.roleArn });
  }
  return { jobId, actions: actionsOf(generated.policies), policies: generated.policies, isComplete: generated.isComplete };
}

/** The Allow actions of policy documents: distinct, sorted. NotAction and Deny statements grant nothing here. */
export function actionsOf(policies: readonly unknown[]): string[] {
  const byKey = new Map<string, string>();
  for (const policy of policies) {
    const statements = (policy as { Statement?: unknown } | null)?.Statement;
    for (const statement of Array.isArray(statements) ? statements : statements ? [statements] : []) {
      const s = statement as { Effect?: unknown; Action?: unknown };
      if (s.Effect !== 'Allow') continue;
      const actions = typeof s.Action === 'string' ? [s.Action] : Array.isArray(s.Action) ? s.Action : [];
      for (const action of actions) {
        if (typeof action !== 'string' || action === '') continue;
        const key = action.toLowerCase();
        if (!byKey.has(key)) byKey.set(key, action);
      }
    }
  }
  return [...byKey.values()].sort();
}

/**
 * `--evidence access-analyzer`: the generated policy's actions join the
 * services CloudTrail tied them to (trail files when given, else
 * LookupEvents), or else the unattributed pool.
 */
export const accessAnalyzerSource: UsageSource<AccessAnalyzerConfig> = {
  name: 'access-analyzer',
  visibility: {
    managementEvents: true,
    dataEvents: false,
    dataEventsBlindReason: 'Access Analyzer policy generation does not use data events',
    serverSideFiltering: true,
  },
  noEvidenceHint: 'widen --since, check that a trail records this region, or pass --cloudtrail-logs with the trail’s files',
  flags: [
    { flags: '--trail-arn <arn>', description: 'trail Access Analyzer reads', planOnly: true },
    { flags: '--access-role-arn <arn>', description: 'role Access Analyzer uses to read the trail', planOnly: true },
    ...TRAIL_FILE_FLAGS,
  ],
  configSchema: accessAnalyzerSchema,
  fromOptions(options, context) {
    const { base } = context;
    const trailArn = textOption(options, 'trailArn') ?? base?.trailArn;
    const accessRoleArn = textOption(options, 'accessRoleArn') ?? base?.accessRoleArn;
    // Checks after cutover read only the sessions (trail files or LookupEvents): the generation job is the plan's.
    if (context.command === 'plan' && (!trailArn || !accessRoleArn)) {
      throw usageError(
        '--evidence access-analyzer needs a trail and a role for Access Analyzer',
        'pass --trail-arn ARN and --access-role-arn ARN',
      );
    }
    const files = trailFilesFromOptions(options, { ...context, base: base?.files });
    return { ...(trailArn ? { trailArn } : {}), ...(accessRoleArn ? { accessRoleArn } : {}), ...(files ? { files } : {}) };
  },
  legacyConfig: (evidence) => (typeof evidence.location === 'string' ? { files: { location: evidence.location } } : {}),
  describe: (config) => config.files?.location ?? 'access-analyzer',
  async usage(ctx) {
    let evidence: UsageEvidence;
    const { files } = ctx.request.config;
    if (files) {
      evidence = await trailFileUsage(ctx, files);
    } else {
      const warning = windowWarning(lookupEventsSource.visibility, ctx.request);
      if (warning) ctx.warnings.push(warning);
      evidence = await attributeRecords(ctx, lookupEventsRecords(ctx));
    }
    await addGeneratedActions(ctx, evidence);
    return evidence;
  },
  // Single calls come from where usage() reads its sessions: the trail's files, or else LookupEvents.
  roleRecords: (ctx) => (ctx.request.config.files ? trailFileRoleRecords(ctx, ctx.request.config.files) : lookupEventsRoleRecords(ctx)),
};

async function addGeneratedActions(ctx: EvidenceContext<AccessAnalyzerConfig>, evidence: UsageEvidence): Promise<void> {
  const { session, io, subject, request } = ctx;
  const { trailArn, accessRoleArn } = request.config;
  if (!trailArn || !accessRoleArn) {
    throw new SplitRoleError('UsageError', '--evidence access-analyzer needs --trail-arn and --access-role-arn');
  }
  io.progress('SR_EVID_P3003', 'waiting for IAM Access Analyzer policy generation (this takes minutes)…');
  const generated = await generatedActions(
    await session.accessAnalyzer(),
    { roleArn: subject.role.arn, trailArn, accessRoleArn, window: request.window },
    // Service-level results are asked for so they can be listed (as unobservable), never granted.
    { includeServiceLevelTemplate: true, onProgress: (message: string) => io.progress('SR_EVID_P3003', message) },
  );
  const attributed = new Set<string>();
  for (const usage of evidence.byService.values()) for (const action of usage.actions.keys()) attributed.add(action.toLowerCase());
  for (const action of generated.actions) {
    if (!CONCRETE_ACTION.test(action)) {
      // Service-level results ("dynamodb:*" for DynamoDB, SQS, SNS) say nothing about which action was
      // used: never granted as such; the plan lists that service's granted actions as unobservable.
      const prefix = /^([a-z0-9-]+):\*$/.exec(action)?.[1];
      if (prefix) (evidence.serviceLevelPrefixes ??= []).push(prefix);
      else evidence.warnings.push(`Access Analyzer reported ${action}, which is not a single action; it was ignored`);
      continue;
    }
    if (attributed.has(action.toLowerCase())) continue;
    if (!evidence.unattributed.actions.has(action)) evidence.unattributed.actions.set(action, { count: 0, lastSeen: '' });
  }
}

const CONCRETE_ACTION = /^[a-z0-9-]+:[A-Za-z0-9]+$/;
