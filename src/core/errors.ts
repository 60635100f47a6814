/**
 * Typed errors with stable codes. Commands throw these; the CLI's top level
 * prints one line and sets the exit code, so no command calls process.exit.
 */

/** Exit codes shared by every command. */
export const ExitCode = {
  ok: 0,
  findings: 1,
  error: 2,
  /** scan --org/--accounts: more accounts could not be read than --allow-unreachable allows; the findings are not the whole picture. */
  unreadAccounts: 3,
  /** verify: the evidence does not yet reach cutover plus the delivery margin, so "clean" cannot be said yet. */
  notEnoughEvidence: 4,
  interrupted: 130,
} as const;

/**
 * Every code this tool gives an error: a closed set, so a caller can rely on
 * one. An AWS failure gets the code of its kind; AWS's own exception name
 * travels apart in `awsName`.
 */
export const ERROR_CODES = [
  // Usage and local files
  'UsageError',
  'WriteFailed',
  'DiskFull',
  'PlanUnreadable',
  'PlanCorrupt',
  'PlanInvalid',
  'PlanVersionUnsupported',
  'PlanDigestMismatch',
  'PlanTooLarge',
  'PlanUnsafe',
  'PlanNotApproved',
  'PlanOutReserved',
  'InvalidHistory',
  'NoAccountScanned',
  'PlanApplied',
  'PlanLocked',
  'LockFailed',
  'JournalCorrupt',
  'JournalIncomplete',
  'HandlerMissing',
  'HandlerImports',
  // The account and the plan
  'NoSuchRole',
  'NotShared',
  'ServiceLinkedRole',
  'NameTaken',
  'ProfileTaken',
  'TooManyTags',
  'NoEvidence',
  'TooManySkippedFiles',
  'TableNotCloudTrail',
  'PolicySubsetError',
  'PolicySizeError',
  'WrongTarget',
  'Drift',
  // Roles defined as code (issue 20): owned resources are changed in their code, not live
  'IacOwned',
  'AdoptMismatch',
  'TerraformStateRefused',
  'NoCodeCutover',
  'RewriteRefused',
  'RetireStarted',
  'SharedRoleInUse',
  'ManualFollowUpsOpen',
  'SharedRoleInPolicies',
  'ResourcePolicyChanged',
  'ResourcePolicyTooLarge',
  'NotCutOver',
  'VerifyFailed',
  'ClockSkew',
  // Waiting on AWS (each workload kind registers its own failures: KindErrorCode)
  'WaitTimeout',
  'PolicyGenerationFailed',
  'PolicyGenerationCanceled',
  'PolicyGenerationTimeout',
  'PolicyGenerationBusy',
  'QueryFailed',
  // AWS and the network, by kind (AWS's name is in awsName)
  'NoCredentials',
  'NoRegion',
  'BadCredentials',
  'AccessDenied',
  'Throttled',
  'NotFound',
  'NetworkError',
  'AssumeRoleFailed',
  'AwsError',
] as const;

/** One of this tool's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

declare const kindCode: unique symbol;
/**
 * A code a workload kind registers for its own failures (its folder under
 * src/workloads/ lists them; the registry checks each is unique and clashes
 * with no code above), so core never names a kind.
 */
export type KindErrorCode = string & { readonly [kindCode]: true };

/** Marks `code` as a workload kind's error code. */
export function kindErrorCode<const C extends string>(code: C): C & KindErrorCode {
  return code as C & KindErrorCode;
}

/** Extra fields of a SplitRoleError. */
export interface SplitRoleErrorOptions {
  cause?: unknown;
  /** AWS's exception name (e.g. NoSuchEntity), when AWS raised it. */
  awsName?: string;
}

/** An error meant for the user: one line, a stable code, an optional hint. */
export class SplitRoleError extends Error {
  override readonly name = 'SplitRoleError';
  /** AWS's exception name, when the error came from an AWS call. */
  readonly awsName?: string;
  constructor(
    readonly code: ErrorCode | KindErrorCode,
    message: string,
    readonly hint?: string,
    readonly exitCode: number = ExitCode.error,
    options?: SplitRoleErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.awsName) this.awsName = options.awsName;
  }

  /** What the one line starts with: AWS's name when AWS raised it (the name users search for), else the code. */
  get label(): string {
    return this.awsName ?? this.code;
  }

  /** The one line shown to the user. */
  oneLine(): string {
    return this.hint ? `${this.label}: ${this.message} — ${this.hint}` : `${this.label}: ${this.message}`;
  }

  /** The same error told differently: code, AWS name and exit code kept, this error as the cause. */
  retold(message: string, hint: string | undefined = this.hint): SplitRoleError {
    return new SplitRoleError(this.code, message, hint, this.exitCode, { cause: this, ...(this.awsName ? { awsName: this.awsName } : {}) });
  }
}

/** A SplitRoleError with a known code. */
export type SplitRoleErrorOf<C extends ErrorCode | KindErrorCode> = SplitRoleError & { readonly code: C };

/** One type guard per code: `errorIs.Drift(error)`. */
export const errorIs = Object.freeze(
  Object.fromEntries(ERROR_CODES.map((code) => [code, (error: unknown) => error instanceof SplitRoleError && error.code === code])),
) as { readonly [C in ErrorCode]: (error: unknown) => error is SplitRoleErrorOf<C> };

/** Bad flags or arguments. */
export function usageError(message: string, hint?: string): SplitRoleError {
  return new SplitRoleError('UsageError', message, hint);
}
