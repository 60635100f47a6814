/**
 * The registry of message codes: every message the tool emits has one, so
 * scripts reading `--output json-lines` can rely on it. A code never changes
 * meaning once released; retire it instead of reusing it.
 *
 * Shape: `SR_<AREA>_<L><NNNN>`. L is the level's letter (D debug, P progress,
 * I info, W warn, E error, Q a question, answered through requestResponse).
 * Number blocks per area: SCAN 1xxx, PLAN 2xxx, EVID 3xxx, APPLY 4xxx,
 * CHECK 5xxx, EXPORT 6xxx, CLI 9xxx. Add new codes at the end of their block.
 */

/** Message levels, from chatty to important. */
export type Level = 'debug' | 'progress' | 'info' | 'warn' | 'error';

/** What the registry says about a code. */
export interface CodeInfo {
  /** The level every message with this code has; `request` for questions. */
  level: Level | 'request';
  /** What the message means, for the README and for scripts. */
  description: string;
}

/** Every code, its level and its meaning. */
export const MESSAGE_CODES = {
  SR_SCAN_P1001: { level: 'progress', description: 'roles listed so far' },
  SR_SCAN_W1002: { level: 'warn', description: "a role's trust policy could not be read; it counts as not compliant" },
  SR_SCAN_D1003: { level: 'debug', description: 'AWS calls the scan made' },
  SR_SCAN_P1004: { level: 'progress', description: 'roles whose tags were read so far (--require-tags)' },
  SR_SCAN_P1005: { level: 'progress', description: 'an organization scan starts: how many accounts, how many at a time' },
  SR_SCAN_P1006: { level: 'progress', description: 'accounts scanned so far (--org, --accounts)' },
  SR_SCAN_W1007: { level: 'warn', description: 'an account could not be reached or scanned, and why' },
  SR_SCAN_W1008: { level: 'warn', description: 'more accounts were unread than --allow-unreachable allows, so the exit code is 3' },

  SR_PLAN_P2001: { level: 'progress', description: 'indexing the workloads of the services that can assume the role' },
  SR_PLAN_P2002: { level: 'progress', description: 'reading the usage evidence' },
  SR_PLAN_P2003: { level: 'progress', description: 'workloads indexed in the account' },
  SR_PLAN_I2004: { level: 'info', description: 'no shared role was chosen or found' },
  SR_PLAN_I2005: { level: 'info', description: 'a role was skipped at the reviewer’s request' },
  SR_PLAN_I2006: { level: 'info', description: "a new role's policy as a diff against the shared role's" },
  SR_PLAN_I2007: { level: 'info', description: 'a plan and its review were written' },
  SR_PLAN_I2008: { level: 'info', description: 'the workloads found for a role, before asking whether to move them' },
  SR_PLAN_I2009: {
    level: 'info',
    description: 'events that map to no IAM action the catalog knows, before asking what their services get',
  },
  SR_PLAN_I2010: { level: 'info', description: 'the required tags the shared role lacks, before asking their values (--require-tags)' },
  SR_PLAN_P2011: { level: 'progress', description: 'the regions the plan covers (every enabled region, or --regions)' },
  SR_PLAN_P2012: {
    level: 'progress',
    description: 'resource policies (KMS, S3, SQS, SNS, Secrets Manager, ECR, Lambda) being read for statements naming the shared role',
  },
  SR_PLAN_P2013: { level: 'progress', description: 'the CloudFormation stacks read to find who owns the plan’s resources' },
  SR_PLAN_W2014: {
    level: 'warn',
    description: 'resources of the plan are owned by CloudFormation or Terraform: change them with rewrite, not apply',
  },
  SR_PLAN_I2015: {
    level: 'info',
    description: 'the non-interactive plan command that repeats a prompted run (for CI), and the answers no flag can repeat',
  },
  SR_PLAN_W2016: {
    level: 'warn',
    description: 'a role picked at the prompt had no activity in the window: skipped, the other roles go on',
  },
  SR_PLAN_Q2101: { level: 'request', description: 'which shared roles to split' },
  SR_PLAN_Q2102: {
    level: 'request',
    description: 'whether the workloads found are the ones to move: each ticked, an unticked one stays on the shared role',
  },
  SR_PLAN_Q2103: { level: 'request', description: 'which services get an unattributed action' },
  SR_PLAN_Q2104: {
    level: 'request',
    description: 'which groups of unobservable actions (by reason; baselines pre-selected) a service keeps',
  },
  SR_PLAN_Q2105: { level: 'request', description: 'what services without any activity get' },
  SR_PLAN_Q2106: { level: 'request', description: "a new role's name" },
  SR_PLAN_Q2107: {
    level: 'request',
    description: "whether to write the plan, after each role's change in one line (or show a role's policy diff first)",
  },
  SR_PLAN_Q2108: { level: 'request', description: 'what the services that made unmapped events get (--unmapped)' },
  SR_PLAN_Q2109: { level: 'request', description: 'whether to pick single unobservable actions within the groups' },
  SR_PLAN_Q2110: { level: 'request', description: 'which unobservable actions of one group a service keeps' },
  SR_PLAN_Q2111: { level: 'request', description: 'the value of a required tag the shared role lacks, for its new roles (--require-tags)' },
  SR_PLAN_Q2112: {
    level: 'request',
    description: 'whether to grant by action (--grant-by) so that resource policies stay within their quotas',
  },

  SR_EVID_P3001: { level: 'progress', description: 'trail log files and records read so far' },
  SR_EVID_W3002: { level: 'warn', description: 'trail log files that could not be read (skipped and counted)' },
  SR_EVID_P3003: { level: 'progress', description: 'IAM Access Analyzer policy generation: queued, started, polled' },
  SR_EVID_W3004: { level: 'warn', description: 'IAM Access Analyzer says the generated policy is not complete' },
  SR_EVID_P3005: { level: 'progress', description: 'CloudTrail LookupEvents throttled; backing off' },
  SR_EVID_P3006: { level: 'progress', description: "CloudTrail LookupEvents: the role's AssumeRole events" },
  SR_EVID_P3007: { level: 'progress', description: 'CloudTrail LookupEvents: sessions read so far' },
  SR_EVID_P3008: { level: 'progress', description: 'an Athena query (columns or usage) is queued or running' },
  SR_EVID_I3009: { level: 'info', description: 'an Athena query finished, and how many bytes it scanned (what it costs)' },
  SR_EVID_P3010: { level: 'progress', description: 'a CloudTrail Lake query is queued or running' },
  SR_EVID_I3011: { level: 'info', description: 'a CloudTrail Lake query finished, and how many bytes it scanned (what it costs)' },
  SR_EVID_I3012: { level: 'info', description: 'how many of the records read came from the evidence cache, and where it is' },
  SR_EVID_W3013: {
    level: 'warn',
    description: 'an evidence cache file was ignored (corrupt, another format version) or could not be written',
  },

  SR_APPLY_I4001: { level: 'info', description: 'what apply or rollback is about to change' },
  SR_APPLY_Q4002: { level: 'request', description: 'whether to go ahead and change the account' },
  SR_APPLY_I4003: { level: 'info', description: 'how apply or rollback ended' },
  SR_APPLY_W4004: { level: 'warn', description: 'rollback left a workload as it is (gone, changed since, or the repoint failed)' },
  SR_APPLY_W4005: {
    level: 'warn',
    description: 'the shared role was recreated with a new unique id; policies naming it must be saved again',
  },
  SR_APPLY_I4006: {
    level: 'info',
    description: 'the shared role is kept: retire waits for manual follow-ups, listed with how to confirm them',
  },
  SR_APPLY_W4007: { level: 'warn', description: 'rollback kept a role this plan created because something still uses it' },
  SR_APPLY_P4008: { level: 'progress', description: 'retire gate: looking for calls made with the shared role since cutover' },
  SR_APPLY_P4009: {
    level: 'progress',
    description: "retire's re-check: looking for workloads still bound to the shared role, region by region",
  },
  SR_APPLY_P4010: { level: 'progress', description: 'verify: reading the calls made since cutover' },
  SR_APPLY_I4011: {
    level: 'info',
    description: 'retire gate: the records read since cutover and the latest event time they reach (must pass cutover + --delivery-lag)',
  },
  SR_APPLY_W4012: {
    level: 'warn',
    description:
      'verify --grant-missing left out refused actions the workload’s service never used before cutover (--grant-any grants them)',
  },
  SR_APPLY_W4013: {
    level: 'warn',
    description: 'verify: not enough evidence yet (it does not reach cutover + --delivery-lag), so it cannot say clean; exit code 4',
  },
  SR_APPLY_P4101: { level: 'progress', description: 'a stage or step started' },
  SR_APPLY_I4102: { level: 'info', description: 'a stage or step completed' },
  SR_APPLY_I4103: { level: 'info', description: 'a step skipped (the journal shows it done)' },
  SR_APPLY_W4104: { level: 'warn', description: 'a stage or step failed (the run stops; the error follows)' },

  SR_APPLY_W4202: {
    level: 'warn',
    description: 'apply --allow-iac-drift changes IaC-owned resources live (journaled; the next deploy may revert it)',
  },
  SR_APPLY_W4203: { level: 'warn', description: 'the plan predates ownership records: apply cannot tell which resources are IaC-owned' },
  SR_APPLY_I4204: { level: 'info', description: 'apply --adopt-roles: the roles the deployed code created match the plan and are used' },
  SR_APPLY_Q4201: {
    level: 'request',
    description: 'whether a manual follow-up (a change split-role cannot make or check) was done by hand',
  },
  SR_APPLY_I4301: {
    level: 'info',
    description: "rollback rewrote the old unique id of the recreated shared role in a restored policy's aws:userid conditions",
  },
  SR_APPLY_I4302: {
    level: 'info',
    description: "rollback kept a resource policy's statements that name none of the plan's roles (someone else's edit) as they are",
  },
  SR_APPLY_W4303: {
    level: 'warn',
    description: "rollback recreates the shared role with the plan's tags: the journal's snapshot has other tags",
  },
  SR_CHECK_P5001: { level: 'progress', description: 'files found to check' },
  SR_CHECK_D5002: { level: 'debug', description: 'a file skipped as not infrastructure code' },
  SR_CHECK_W5003: { level: 'warn', description: 'a file that could not be read' },
  SR_CHECK_W5004: { level: 'warn', description: 'unreadable files or resources make the exit code 2 (unless --allow-unreadable)' },
  SR_CHECK_W5005: {
    level: 'warn',
    description: 'no IaC file was found under the paths given, so the exit code is 2 (unless --allow-empty)',
  },

  SR_EXPORT_I6001: { level: 'info', description: 'the checklist of workload changes (when no --out is given)' },
  SR_EXPORT_I6002: {
    level: 'info',
    description: 'guardrail export: where the stack must be deployed (and, without --out, where its function code goes)',
  },

  SR_REWRITE_I7001: { level: 'info', description: 'rewrite: one change made to the code (file:line, resource, what changed)' },
  SR_REWRITE_I7002: {
    level: 'info',
    description: "rewrite: what check finds in the rewritten code (each new role's services, or no shared role left)",
  },

  SR_CLI_E9001: { level: 'error', description: 'the command failed: one line with the error code and what to do' },
  SR_CLI_I9002: { level: 'info', description: 'cancelled at a prompt' },
  SR_CLI_E9003: { level: 'error', description: 'interrupted (Ctrl-C); apply and rollback resume when run again' },
  SR_CLI_P9004: {
    level: 'progress',
    description:
      'an AWS call was throttled or failed with a 5xx and waits a few seconds or more before it is sent again (within the retry budget)',
  },
} as const satisfies Record<string, CodeInfo>;

/** Any registered code. */
export type MessageCode = keyof typeof MESSAGE_CODES;

/** The codes registered at level L (so `io.warn` only takes warning codes). */
export type CodeAt<L extends CodeInfo['level']> = {
  [C in MessageCode]: (typeof MESSAGE_CODES)[C]['level'] extends L ? C : never;
}[MessageCode];

/** The letter a code of each level carries after its area. */
export const LEVEL_LETTER: Record<CodeInfo['level'], string> = {
  debug: 'D',
  progress: 'P',
  info: 'I',
  warn: 'W',
  error: 'E',
  request: 'Q',
};
