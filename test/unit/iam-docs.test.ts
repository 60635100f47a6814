/**
 * The IAM policies in docs/iam/ must cover every AWS call the code can make:
 * collect each SDK command and paginator from src/, map it to its IAM action,
 * and look for it in the documented policies.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anyActionMatches } from '../../src/policy/actions.js';
import { KIND_IAM_ACTIONS } from '../../src/workloads/registry.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The IAM service prefix of each SDK client package. */
const PREFIX: Record<string, string> = {
  'client-iam': 'iam',
  'client-sts': 'sts',
  'client-ec2': 'ec2',
  'client-lambda': 'lambda',
  'client-ecs': 'ecs',
  'client-cloudtrail': 'cloudtrail',
  'client-accessanalyzer': 'access-analyzer',
  'client-s3': 's3',
  'client-auto-scaling': 'autoscaling',
  'client-organizations': 'organizations',
  'client-athena': 'athena',
  'client-config-service': 'config',
  'client-kms': 'kms',
  'client-sqs': 'sqs',
  'client-sns': 'sns',
  'client-secrets-manager': 'secretsmanager',
  'client-ecr': 'ecr',
  'client-cloudformation': 'cloudformation',
};

/** API Gateway's management actions are the HTTP verbs of its resources (apigateway:GET), not its operations' names. */
const API_GATEWAY_VERBS: ReadonlyArray<[RegExp, string]> = [
  [/^Get/, 'GET'],
  [/^Create/, 'POST'],
  [/^Update/, 'PATCH'],
  [/^Delete/, 'DELETE'],
  [/^(Put|Import)/, 'PUT'],
];

/** Operations whose IAM action has another name. */
const RENAMED: Record<string, string> = { 's3:ListObjectsV2': 's3:ListBucket', 's3:ListBuckets': 's3:ListAllMyBuckets' };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every IAM action behind an SDK command or paginator used in src/. */
function actionsUsedByCode(dir = join(root, 'src')): Set<string> {
  const actions = new Set<string>();
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    // Static imports, and the lazy `const { X } = await loadSdk('client-x')` form (src/aws/sdk-modules.ts).
    const imports = /(?:import (?:type )?\{([^}]+)\} from\s*'@aws-sdk\/|const \{([^}]+)\} = await loadSdk\(')(client-[a-z0-9-]+)'/g;
    const found = [...text.matchAll(imports)].map((match) => ({
      text: match[0],
      names: (match[1] ?? match[2]) as string,
      module: match[3] as string,
    }));
    // And a loader bound to a name: `const sdk = () => loadSdk('client-x')`, then `const { X } = await sdk()`.
    for (const loader of text.matchAll(/const (\w+) = \(\) => loadSdk\('(client-[a-z0-9-]+)'\)/g)) {
      for (const use of text.matchAll(new RegExp(`const \\{([^}]+)\\} = await ${loader[1]}\\(\\)`, 'g'))) {
        found.push({ text: use[0], names: use[1] as string, module: loader[2] as string });
      }
    }
    for (const match of found) {
      const { names, module } = match;
      // A workload kind's folder uses its declared actions' prefix (client-sfn → states); elsewhere a package
      // named after its IAM prefix (client-codebuild) needs no entry, and PREFIX lists the others.
      const kind = /src\/workloads\/([^/]+)\//.exec(file)?.[1];
      const declared = kind ? KIND_IAM_ACTIONS[kind]?.discover[0]?.split(':')[0] : undefined;
      const prefix = PREFIX[module] ?? declared ?? module.slice('client-'.length);
      for (const name of names.split(',').map((n) => n.replace(/^type\s+/, '').trim())) {
        const operation = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (!operation || !new RegExp(`\\b${name}\\b\\(`).test(text.replace(match.text, ''))) continue;
        const verb = prefix === 'apigateway' ? API_GATEWAY_VERBS.find(([pattern]) => pattern.test(operation))?.[1] : undefined;
        const action = `${prefix}:${verb ?? operation}`;
        actions.add(RENAMED[action] ?? action);
      }
    }
  }
  return actions;
}

function documentedActions(only?: string): string[] {
  const dir = join(root, 'docs', 'iam');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && (only === undefined || f === only))
    .flatMap((f) => {
      const policy = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { Statement: Array<{ Effect: string; Action: string | string[] }> };
      return policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    });
}

describe('docs/iam policies', () => {
  const used = actionsUsedByCode();

  it('finds the SDK calls the code makes', () => {
    expect(used.size).toBeGreaterThan(40);
    expect(used).toContain('iam:ListRoles');
    expect(used).toContain('ec2:ReplaceIamInstanceProfileAssociation');
    expect(used).toContain('s3:ListBucket');
  });

  it.each(Object.entries(KIND_IAM_ACTIONS))("grant each workload kind's declared actions: %s", (_kind, actions) => {
    const plan = documentedActions('plan.json');
    const apply = documentedActions('apply.json');
    expect(actions.discover.filter((action) => !anyActionMatches(plan, action) || !anyActionMatches(apply, action))).toEqual([]);
    expect(actions.apply.filter((action) => !anyActionMatches(apply, action))).toEqual([]);
    // The declaration is the whole truth: every call the kind's folder makes is in it.
    const folder = actionsUsedByCode(join(root, 'src', 'workloads', _kind));
    expect([...folder].filter((action) => ![...actions.discover, ...actions.apply].includes(action))).toEqual([]);
  });

  it('document every one of them', () => {
    const documented = documentedActions();
    const missing = [...used].filter((action) => !anyActionMatches(documented, action)).sort();
    expect(missing).toEqual([]);
  });
});
