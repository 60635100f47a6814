/**
 * The workloads bound to a role. The account is indexed once per run and
 * region (one pass per workload kind, fully paginated); matching a role
 * against the index is pure, so planning several roles costs no extra calls.
 * A role is global, so its workloads are looked for in every region asked.
 * The kinds, and how each is read and matched, are the registered adapters.
 */
import { mapLimit } from '../core/concurrency.js';
import type { IoHost } from '../core/io-host.js';
import type { SessionHints } from '../evidence/types.js';
import { workloadKey } from '../trust/service-principals.js';
import type { RoleBinding, WorkloadClients } from '../workloads/adapter.js';
import { SESSION_SHAPES, workloadAdapters, type AccountIndex, type IndexScope, type RoleWorkloads } from '../workloads/registry.js';

export type { AccountIndex, IndexScope, RoleWorkloads } from '../workloads/registry.js';

/** A region to index: where it is, and its workload services behind their ports (an AwsSession is one). */
export interface IndexClients {
  readonly region: string;
  workloadPorts(): WorkloadClients;
}

/** What is bound to one role, region by region (regions with nothing bound included). */
export type RegionalWorkloads = ReadonlyArray<{ region: string; found: RoleWorkloads }>;

/** How many regions are read at once: each region's reads are already parallel by kind. */
export const REGION_CONCURRENCY = 4;

/** Every kind in the index's scope. */
export const EVERY_KIND: IndexScope = Object.fromEntries(workloadAdapters().map((a) => [a.id, true])) as IndexScope;

/** Reads every kind in scope, in parallel: a fresh look at the account. */
export function indexAccount(clients: IndexClients, io: IoHost, scope: IndexScope = EVERY_KIND): Promise<AccountIndex> {
  return new AccountIndexer(clients, io).index(scope);
}

/**
 * Reads each kind at most once for the life of the indexer, so a run that
 * plans several roles indexes the account once, not once per role.
 */
export class AccountIndexer {
  private readonly reads = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clients: IndexClients,
    private readonly io: IoHost,
  ) {}

  /** The index of the kinds in scope; kinds read before are not read again. */
  async index(scope: IndexScope): Promise<AccountIndex> {
    const adapters = workloadAdapters();
    const context = { clients: this.clients.workloadPorts(), region: this.clients.region, io: this.io };
    const parts = await Promise.all(
      adapters.map((adapter) => {
        if (!(scope as Record<string, boolean>)[adapter.id]) return adapter.emptyInventory();
        let read = this.reads.get(adapter.id);
        if (!read) this.reads.set(adapter.id, (read = adapter.discover(context)));
        return read;
      }),
    );
    this.io.progress(
      'SR_PLAN_P2003',
      `indexed ${this.clients.region}: ${adapters.map((adapter, i) => adapter.summarise(parts[i])).join(', ')}`,
      {
        region: this.clients.region,
      },
    );
    return Object.fromEntries(adapters.map((adapter, i) => [adapter.id, parts[i]])) as AccountIndex;
  }
}

/** The workloads in `index` bound to `role` or its instance profiles. Pure. */
export function workloadsForRole(index: AccountIndex, role: RoleBinding): RoleWorkloads {
  const parts = index as Record<string, unknown>;
  return Object.fromEntries(workloadAdapters().map((adapter) => [adapter.id, adapter.boundTo(parts[adapter.id], role)])) as RoleWorkloads;
}

/**
 * What is bound right now to the role or its instance profiles, in each of
 * the regions, of every kind: the question retire (and rollback, for what a
 * plan created) must answer before deleting anything.
 */
export async function liveBindings(
  regions: readonly string[],
  clientsIn: (region: string) => Promise<IndexClients>,
  io: IoHost,
  binding: RoleBinding,
): Promise<RegionalWorkloads> {
  return mapLimit(regions, REGION_CONCURRENCY, async (region) => ({
    region,
    found: workloadsForRole(await indexAccount(await clientsIn(region), io), binding),
  }));
}

/** One line per thing in `found` that would break if `role` disappeared, kind by kind. */
export function describeUsers(found: RoleWorkloads, role = 'the shared role'): string[] {
  const parts = found as Record<string, unknown>;
  return workloadAdapters().flatMap((adapter) => adapter.describeUsers(parts[adapter.id], role));
}

/** The same lines for every region, each saying where unless it is `home` (the plan's own region). */
export function describeRegionalUsers(regional: RegionalWorkloads, home?: string): string[] {
  return regional.flatMap(({ region, found }) => describeUsers(found).map((line) => (region === home ? line : `${line} (${region})`)));
}

/** The kinds whose service can assume a role trusting these principals: the others need not be read. */
export function scopeFor(principals: readonly string[]): IndexScope {
  const keys = new Set(principals.map((p) => workloadKey(p, principals)));
  return Object.fromEntries(workloadAdapters().map((a) => [a.id, keys.has(a.unitKey)])) as IndexScope;
}

/** The names CloudTrail gives sessions of the role's workloads (in any region), and every kind's name shapes, tying each session to its service. */
export function sessionHints(regional: RegionalWorkloads): SessionHints {
  const names: Record<string, Set<string>> = {};
  const workloads: Record<string, Map<string, string>> = {};
  // A session name two workloads open (the same function name in two regions) is no one workload's.
  const twice = new Set<string>();
  for (const { found } of regional) {
    const parts = found as Record<string, unknown>;
    for (const adapter of workloadAdapters()) {
      const mine = adapter.sessionHints(parts[adapter.id]);
      if (mine.length > 0) for (const name of mine) (names[adapter.unitKey] ??= new Set()).add(name);
      for (const [session, workload] of adapter.sessionWorkloads?.(parts[adapter.id]) ?? []) {
        const byName = (workloads[adapter.unitKey] ??= new Map());
        const known = byName.get(session);
        if (known !== undefined && known !== workload) twice.add(`${adapter.unitKey}\u0000${session}`);
        byName.set(session, workload);
      }
    }
  }
  for (const key of twice) {
    const [unit = '', session = ''] = key.split('\u0000');
    workloads[unit]?.delete(session);
  }
  return { names, shapes: SESSION_SHAPES, workloads };
}
