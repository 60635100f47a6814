/**
 * The one SARIF 2.1.0 writer, for `scan` and `check` alike. Rules (ids, levels,
 * help) come from the rule registry; fingerprints are stable across runs so a
 * dashboard tracks one alert per role and rule.
 */
import { writeFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SplitRoleError } from '../../core/errors.js';
import { VERSION } from '../../core/version.js';
import { describeFinding, findingFingerprint, findingName, type Finding } from '../../trust/finding.js';
import { enabledRules, ruleFor } from '../../trust/rules/index.js';
import type { RuleOptions } from '../../trust/rules/types.js';

/** Something the run could not do (an unreadable file, say), reported as a tool notification. */
export interface SarifNotification {
  message: string;
  /** A file name, when the problem is one file's. */
  file?: string;
  line?: number;
}

/** What goes into one SARIF log. */
export interface SarifInput {
  findings: readonly Finding[];
  rules?: RuleOptions;
  notifications?: readonly SarifNotification[];
  /** The account each live finding belongs to, when a run spans several. */
  accountOf?: (finding: Finding) => string | undefined;
}

/** Builds a SARIF log: one result per finding and kind. */
export function buildSarif(input: SarifInput): object {
  const rules = enabledRules(input.rules);
  const notifications = input.notifications ?? [];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'split-role',
            version: VERSION,
            informationUri: 'https://github.com/split-role/split-role',
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.name,
              shortDescription: { text: rule.short },
              fullDescription: { text: rule.help },
              help: { text: rule.help },
              defaultConfiguration: { level: rule.level },
              properties: { tags: ['security', 'iam', 'least-privilege'] },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: notifications.length === 0,
            toolExecutionNotifications: notifications.map((n) => ({
              level: 'error',
              message: { text: n.message },
              ...(n.file ? { locations: [{ physicalLocation: physical(n.file, n.line) }] } : {}),
            })),
          },
        ],
        results: input.findings.flatMap((finding) =>
          finding.kinds.map((kind) => {
            const rule = ruleFor(kind);
            const account = input.accountOf?.(finding);
            return {
              ruleId: rule.id,
              ruleIndex: rules.findIndex((r) => r.id === rule.id),
              level: rule.level,
              message: { text: messageFor(finding, rule.id) },
              locations: [{ physicalLocation: locationOf(finding), logicalLocations: [{ name: findingName(finding), kind: 'resource' }] }],
              partialFingerprints: { 'splitRoleFinding/v1': findingFingerprint(finding, kind) },
              ...(account ? { properties: { account } } : {}),
            };
          }),
        ),
      },
    ],
  };
}

/** Writes a SARIF log to a file; a failure is a clear WriteFailed error. */
export async function writeSarif(file: string, sarif: object): Promise<void> {
  try {
    await writeFile(file, `${JSON.stringify(sarif, null, 2)}\n`);
  } catch (error) {
    throw new SplitRoleError('WriteFailed', `cannot write SARIF to ${file}: ${(error as Error).message}`);
  }
}

/** The finding's sentence, plus what this rule said about it (SR003's missing tags, say). */
function messageFor(finding: Finding, ruleId: string): string {
  const detail = finding.notes.find((note) => note.startsWith(`${ruleId}: `));
  return detail ? `${describeFinding(finding)} ${detail.slice(ruleId.length + 2)}.` : describeFinding(finding);
}

function locationOf(finding: Finding): object {
  // A live role has no file: its ARN is the artifact.
  return 'file' in finding ? physical(finding.file, finding.line) : { artifactLocation: { uri: finding.roleArn } };
}

function physical(file: string, line?: number): object {
  return { artifactLocation: { uri: artifactUri(file) }, ...(line ? { region: { startLine: line } } : {}) };
}

/**
 * A file name as a SARIF artifact URI: a relative reference for files under
 * the working directory (code scanning resolves it against the repository
 * root), a file: URL otherwise; percent-encoded either way.
 */
function artifactUri(file: string): string {
  return isAbsolute(file) ? pathToFileURL(file).href : encodeURI(file);
}
