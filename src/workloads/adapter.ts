/**
 * The seam for workload kinds. A WorkloadAdapter owns everything about one
 * kind of workload that can run as an IAM role: how to find it in a region,
 * which of it a role or instance profile is bound to, how a plan moves it,
 * how apply repoints, undoes, verifies and checks it for drift, and how it is
 * described to people. Code outside src/workloads/ never names a kind; each
 * kind is one folder (see kind.ts) and one line in registry.ts.
 */
import type { WorkloadPorts } from '../aws/workload-ports.js';
import type { Timings } from '../core/waits.js';
import type { IoHost } from '../core/io-host.js';
import type { FollowUp } from './follow-ups.js';

/**
 * The services of one (account, region) an adapter may use, each behind a
 * narrow port: an AwsSession's workloadPorts() over the SDK, or a test's
 * in-memory fake account.
 */
export type WorkloadClients = WorkloadPorts;

/** What every adapter call that reads AWS gets: clients for one region, and where to talk. */
export interface WorkloadContext {
  clients: WorkloadClients;
  region: string;
  io: IoHost;
}

/** What a repoint, undo, verify or drift check gets during apply and rollback. */
export interface ApplyContext extends WorkloadContext {
  timings: Timings;
  /** The plan being applied: what it creates is tagged with this id. */
  planId: string;
}

/** The role (and its instance profiles) whose bindings are asked for. */
export interface RoleBinding {
  arn: string;
  roleName: string;
  instanceProfiles: ReadonlyArray<{ name: string; arn: string }>;
}

/** What an adapter needs of a new role the plan makes (a plan's PlannedRole is one). */
export interface MoveRole {
  service: string;
  roleName: string;
  roleArn: string;
  instanceProfile?: { name: string; arn: string };
}

/** Where a kind's workloads move to, for planning. */
export interface MoveTargets {
  /** The new role of this adapter's service unit; undefined when the plan makes none. */
  role: MoveRole | undefined;
  /** The shared role the workloads leave. */
  shared: { arn: string };
  /** True when this kind's service unit stays on the shared role (excluded): nothing of it moves. */
  staysShared: boolean;
  /** The region `found` was read in: each move records it. */
  region: string;
}

/** A repoint as apply runs it: idempotent run, and an undo that tolerates any partial state. */
export interface RepointAction {
  title: string;
  run(ctx: ApplyContext): Promise<Record<string, unknown>>;
  undo(ctx: ApplyContext): Promise<void>;
}

/** How the checklist names a new role in the user's own code. */
export interface CodeTarget {
  format: 'terraform' | 'cloudformation';
  /** The exported code's reference to the role with this ARN or name, when the export defines it. */
  role(arnOrName: string): { tf: string; cfnRole: string; cfnProfile: string } | undefined;
}

/** Where a workload names its role (or, `via: 'profile'`, an instance profile) in IaC code, for `rewrite`. */
export interface CodeBinding {
  /** The CloudFormation or Terraform resource type. */
  type: string;
  /** The property or attribute, dot-joined; a RegExp matches list indices and names that vary ("Targets.0.RoleArn"). */
  path: string | RegExp;
  via?: 'profile';
  /** Why rewrite leaves this reference to a person (it notes the file and line, and retire refuses while it stays). */
  manual?: string;
}

/** A kind's code bindings, by IaC language. */
export interface CodeBindings {
  cloudFormation: readonly CodeBinding[];
  terraform: readonly CodeBinding[];
}

/**
 * One workload kind. `Move` is the kind's plan-file variant (its zod schema
 * lives in moves.ts), `Inventory` what discover() reads in one region, and
 * `Found` the part of it bound to one role; `Id` keys the kind in indexes.
 */
export interface WorkloadAdapter<Move extends { kind: string; service: string }, Inventory, Found, Id extends string = string> {
  /** Key of this kind in the account index and in a role's workloads ("ec2"). */
  readonly id: Id;
  /** The plan-file discriminator ("ec2-instance"). */
  readonly kind: Move['kind'];
  /** The service unit (trust principal's workload key) whose new role these workloads move to. */
  readonly unitKey: string;
  /** A heading for a list of these workloads ("EC2 instances"). */
  readonly title: string;
  /** Where these workloads name their role in code, for `rewrite` (a reference no kind declares gets a note to review it). */
  readonly codeBindings: CodeBindings;

  /** Reads everything in the context's region that can bind this kind to a role. */
  discover(ctx: WorkloadContext): Promise<Inventory>;
  /** The inventory when this kind was not read (out of scope). */
  emptyInventory(): Inventory;
  /** A progress fragment: what was read ("3 Lambda functions and versions"). */
  summarise(inventory: Inventory): string;
  /** What in the inventory is bound to the role or its instance profiles. Pure. */
  boundTo(inventory: Inventory, binding: RoleBinding): Found;
  /** One line per thing in `found` that would break if `role` ("the shared role", or a new role's name) disappeared. */
  describeUsers(found: Found, role: string): string[];
  /** The names of the workloads a plan would move, for the reviewer's confirmation. */
  listMovable(found: Found): string[];
  /** How `found` uses the role, where the kind tells uses apart (ECS: "task", "execution"); baselines can depend on it. */
  roleUses?(found: Found): string[];
  /** Names in `found` that CloudTrail uses as session names, tying a session to this kind's service (unitKey). */
  sessionHints(found: Found): readonly string[];

  /**
   * Session name → workload name for the workloads in `found`, where the kind can tell which workload opened a
   * session (Lambda: the function's name; EC2: the instance id; ECS: a running task's service). For `plan --per-workload`.
   */
  sessionWorkloads?(found: Found): ReadonlyArray<readonly [session: string, workload: string]>;
  /** The workload a move is for, naming its own role under `plan --per-workload`; kinds without it keep one role per service. */
  workloadName?(move: Move): string;

  /** The names CloudTrail gives a moved workload's role sessions, tying later calls to it; empty when they have none stable. */
  sessionNames(move: Move): string[];

  /** The moves a plan records for `found`. Pure. */
  planMoves(found: Found, targets: MoveTargets): Move[];
  /** What the user must change by hand because apply cannot. Pure. */
  followUps(found: Found, targets: MoveTargets): FollowUp[];

  /**
   * Why a move is not one split-role could have planned: its workload is not on
   * the shared role, or its target is not this plan's new role for the service.
   * Empty when sound. Pure; apply refuses a plan with any.
   */
  invariantProblems(move: Move, targets: { role: MoveRole | undefined; shared: RoleBinding }): string[];

  /** The journal step id of a move; stable across releases (journals name it). */
  stepId(move: Move): string;
  /** The repoint of one move; `siblings` are the plan's moves of the same kind. */
  repoint(move: Move, siblings: readonly Move[]): RepointAction;
  /** Differences between the live workload and the move's recorded binding; empty when none. */
  drift(ctx: ApplyContext, move: Move): Promise<string[]>;
  /** Problems with the workload after its move (not on its target, or unhealthy); empty when none. */
  verify(ctx: ApplyContext, move: Move): Promise<string[]>;
  /**
   * A line saying the live workload is where this plan's repoint puts it, or
   * undefined: the journal cross-check asks it of moves the journal says never began.
   */
  showsMoved(ctx: ApplyContext, move: Move): Promise<string | undefined>;
  /**
   * `found` without the workloads that undoing `moves` points back to where
   * they were: what is left keeps the role in use after a rollback.
   */
  withoutMovedBack(ctx: ApplyContext, found: Found, moves: readonly Move[]): Promise<Found>;

  /** A review-table row: workload, kind, from, to (Markdown, already in code spans). */
  describeMove(move: Move): [string, string, string, string];
  /** The moved workload's short plain-text name ("EC2 i-0abc…"), for the review's diagram. */
  label(move: Move): string;
  /** Checklist lines telling the user what to change in their own code. */
  checklist(move: Move, code: CodeTarget): string[];
}
