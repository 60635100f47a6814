/**
 * The CLI entry point: commander wiring, global AWS options, and the one place
 * errors become a message and an exit code. Commands load lazily.
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { visibleControls } from '../core/escape.js';
import { ExitCode, SplitRoleError } from '../core/errors.js';
import { runInterruptHooks } from '../core/interrupt.js';
import { VERSION } from '../core/version.js';
import { checkAwsFlags, type GlobalOptions } from './global-options.js';
import { CliIoHost } from './io/cli-io-host.js';
import {
  EVENT_CHOICES,
  errorEventLine,
  eventFormat,
  interruptedMessage,
  jsonAskedIn,
  OUTPUT_CHOICES,
  resultFormat,
} from './output-format.js';

/** The run's IoHost, kept so the top level can report errors and flush progress through it. */
let io: CliIoHost | undefined;

/** Creates the run's IoHost from the global options (and the command's --yes). */
function cliIo(globals: GlobalOptions, yes?: boolean): CliIoHost {
  io = new CliIoHost({ events: eventFormat(globals), debug: globals.debug, yes });
  return io;
}

/** True when the command's result is one JSON document (--output json, or its --json). */
const asJson = (command: { optsWithGlobals(): object }) => resultFormat(command.optsWithGlobals()) === 'json';

/** A parse error (unknown option, bad choice) comes out as a JSON event when JSON was asked for. */
const jsonAsked = jsonAskedIn(process.argv.slice(2));

/** Repeatable options accumulate into a list. */
const collect = (value: string, previous: string[] = []) => [...previous, value];

const program = new Command()
  .name('split-role')
  .description('Find IAM roles that several AWS services share, and split each into one least-privilege role per service.')
  .version(VERSION, '-V, --version')
  .option('--profile <name>', 'AWS profile from the shared config/credentials files (default: AWS_PROFILE)')
  .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)')
  .option('--endpoint-url <url>', 'send every AWS call to this endpoint (e.g. a local emulator)')
  .option('--debug', 'print AWS call counts and stack traces')
  .addOption(
    new Option(
      '--output <format>',
      'the result on stdout: text, or json (one JSON document, like --json); json-lines is the old spelling of --events json-lines',
    )
      .choices(OUTPUT_CHOICES)
      .default('text' as const),
  )
  .addOption(
    new Option('--events <format>', 'messages on stderr: text, or json-lines (one JSON object per event: time, level, code, message, data)')
      // No default: unset, the old --output json-lines still selects json-lines.
      .choices(EVENT_CHOICES),
  )
  .addHelpText(
    'after',
    '\nAgainst an emulator such as moto_server, set SPLIT_ROLE_FAST_WAITS=1 to skip the waits real IAM needs.' +
      '\nExit codes: 0 success, 1 findings (scan), 2 usage/configuration/AWS error or refused plan, 3 some accounts unread (scan --org/--accounts), 130 interrupted.',
  )
  .showHelpAfterError('(run with --help for usage)')
  // Every command's --help lists the options every command takes (--profile, --region, …); commands below inherit this.
  .configureHelp({ showGlobalOptions: true })
  // Asked for JSON, a parse error is one JSON event (written by report()), not commander's text.
  .configureOutput({ writeErr: (text) => void (jsonAsked ? undefined : process.stderr.write(text)) })
  .exitOverride();

// Commands that call AWS check their flags first: a typo is one line, not an SDK error mid-run.
const AWS_COMMANDS = new Set(['scan', 'plan', 'apply', 'rollback', 'verify']);
program.hook('preAction', async (_program, action) => {
  if (AWS_COMMANDS.has(action.name())) await checkAwsFlags(action.optsWithGlobals());
});

program
  .command('scan')
  .description('audit every role in the account; exit 1 when a role is shared by several services')
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .option('--sarif <file>', 'also write SARIF 2.1.0 to FILE for code-scanning dashboards')
  .addOption(new Option('--role <name-or-arn>', 'scan only this role, by name or ARN (repeatable)').argParser(collect))
  .option('--require-tags <keys>', 'rule SR003: report roles without these tags, comma-separated (e.g. owner,application)')
  .option(
    '--rules <ids>',
    'rules that are off unless asked for, comma-separated: SR004 (a role several workloads of one service share; reads the workloads of every region)',
  )
  .option('--history <file>', "append this run's summary and finding ids to FILE (JSON Lines) for `split-role report`")
  .option('--org', 'scan every ACTIVE account of the organization (from the management or a delegated-administrator account)')
  .option('--accounts <ids>', 'scan these accounts (comma-separated ids)', (value) =>
    value
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .option('--concurrency <n>', 'accounts scanned at once with --org/--accounts (default 8)')
  .option('--assume-role <name>', 'role to assume in each other account (the same name everywhere)')
  .option('--external-id <id>', 'external id the access role’s trust policy asks for')
  .option(
    '--allow-unreachable <n>',
    'with --org/--accounts: up to N accounts may stay unread (closed ones) before the exit code is 3 (default 0)',
  )
  .addHelpText(
    'after',
    '\nExit codes: 0 no findings, 1 findings, 2 usage, credential or AWS error, ' +
      'or no account could be scanned,\n3 more accounts unread (refused the role, throttled past retries) than --allow-unreachable allows, findings or not.',
  )
  .action(async (options, command) => {
    const { runScan } = await import('./commands/scan.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runScan({ ...globals, ...options, json: asJson(command), roles: options.role ?? [] }, cliIo(globals));
  });

program
  .command('plan')
  .description('plan the split of a shared role: one least-privilege role per service, written as a reviewable plan file')
  .addOption(
    new Option(
      '--role <name-or-arn>',
      'the shared role to split, by name or ARN (repeatable; on a TTY, omit to pick from a scan)',
    ).argParser(collect),
  )
  .option('--since <window>', 'look-back window: 90d, 12h, 2w, or a date (2026-09-01)', '90d')
  .option(
    '--evidence-cache <dir>',
    'keep the evidence read (LookupEvents answers, trail files) in DIR so the next run reads only what is missing ' +
      '(default on a terminal: $SPLIT_ROLE_EVIDENCE_CACHE, else $XDG_CACHE_HOME/split-role/evidence or ~/.cache/split-role/evidence; ' +
      'without a terminal only when DIR or $SPLIT_ROLE_EVIDENCE_CACHE is given)',
  )
  .option('--no-evidence-cache', 'read all evidence afresh and keep nothing')
  .addOption(
    new Option(
      '--resource-policies <mode>',
      'resource policies naming the role: every one in the regions, only those evidence saw used, or none',
    )
      .choices(['sweep', 'evidence', 'off'] as const)
      .default('sweep' as const),
  )
  .addOption(
    new Option(
      '--grant-by <strategy>',
      'how new roles join resource policies: resource (default: each statement naming the shared role gets every new role seen using ' +
        'the resource) or action (an Allow gets only the roles whose actions it allows: smaller, but use the evidence missed is lost); ' +
        'plan refuses a policy that would pass its size quota (S3 20 KB, SQS 8 KB, KMS 32 KB, …), and on a terminal offers action',
    ).choices(['resource', 'action'] as const),
  )
  .option(
    '--regions <list>',
    'regions the plan covers (workloads and resource policies), e.g. us-east-1,eu-west-1 (default: every region enabled for the account)',
  )
  .option(
    '--per-workload',
    'a role per workload where one service has several (Lambda functions, ECS services, EC2 instances), each narrowed by its own calls',
  )
  .addOption(new Option('--unattributed <choice>', 'actions no service could be tied to').choices(['grant-all', 'drop'] as const))
  .addOption(
    new Option(
      '--unobservable <choice>',
      'granted actions the evidence cannot see: keep (safe; listed for review) or drop (breaks a workload whose data events the trail does not record)',
    ).choices(['keep', 'drop'] as const),
  )
  .addOption(new Option('--without-evidence <choice>', 'services with no activity at all').choices(['empty', 'exclude'] as const))
  .addOption(
    new Option('--baselines <choice>', 'service runtime actions (Lambda logs, ECS image pulls, SSM Agent) the evidence did not show')
      .choices(['keep', 'drop'] as const)
      .default('keep' as const),
  )
  .addOption(new Option('--unmapped <choice>', 'events that map to no IAM action the catalog knows').choices(['keep', 'drop'] as const))
  .addOption(new Option('--name <service=name>', 'name a new role, e.g. ec2=orders-ec2 (repeatable)').argParser(collect))
  .addOption(
    new Option(
      '--terraform-state <file-or-s3-url>',
      'a Terraform state (version 4) that may own the role or its workloads: a path or s3://bucket/key (repeatable; CloudFormation stacks are always read)',
    ).argParser(collect),
  )
  .option('--account <id>', 'plan in this member account, reached through --assume-role (stored in the plan for apply and rollback)')
  .option('--assume-role <name>', 'role to assume in the member account')
  .option('--external-id <id>', 'external id the access role’s trust policy asks for')
  .addOption(
    new Option('--tag <key=value>', 'tag every new role with KEY=VALUE where the shared role lacks KEY (repeatable)').argParser(collect),
  )
  .option(
    '--require-tags <keys>',
    'tag keys every new role must carry, comma-separated; missing ones are asked on a terminal, else exit 2 unless --tag gives them',
  )
  .option('--out <file>', 'plan file to write (default plans/ROLE.plan.json; the review is written beside it as .md)')
  .option('-y, --yes', 'no prompts: every decision comes from flags')
  .option('--json', 'print one JSON document on stdout: the plans written (same as --output json)')
  .addHelpText(
    'after',
    '\nExit codes: 0 plan written, 2 usage, credential, AWS or evidence error, 130 interrupted (the evidence read so far stays in the evidence cache).',
  )
  .action(async (options, command) => {
    const { runPlan } = await import('./commands/plan.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runPlan(
      { ...globals, ...options, json: asJson(command), roles: options.role ?? [], names: options.name ?? [], tags: options.tag ?? [] },
      cliIo(globals, options.yes),
    );
  });

program
  .command('show')
  .description('validate a saved plan and print its review (Markdown) or --json')
  .argument('<plan>', 'plan file')
  .option('--json', 'print the plan JSON (same as --output json)')
  .addHelpText('after', '\nExit codes: 0 printed, 2 a plan that cannot be read or fails validation.')
  .action(async (file, options, command) => {
    const { runShow } = await import('./commands/show.js');
    process.exitCode = await runShow(file, { ...options, json: asJson(command) }, cliIo(command.optsWithGlobals()));
  });

program
  .command('apply')
  .description('execute a reviewed plan: create roles, move workloads, verify, retire the shared role (journaled, resumable)')
  .argument('<plan>', 'plan file')
  .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
  .option('--keep-shared-role', 'stop after Verify and keep the shared role for a soak period; apply again later to retire it')
  .option(
    '--allow-iac-drift',
    'change resources a CloudFormation stack or Terraform state owns live anyway (journaled; their next deploy may undo it)',
  )
  .option(
    '--adopt-roles',
    'roles defined as code: use the roles the deployed code created (checked against the plan) and move only the unmanaged workloads',
  )
  .option('--expect-digest <sha256>', 'refuse unless the plan is exactly the one reviewed (the digest in its Markdown review)')
  .addOption(
    new Option(
      '--confirm-manual <id>',
      'a manual follow-up (its id, e.g. codebuild.amazonaws.com) is done: retire may go ahead (repeatable; journaled)',
    ).argParser(collect),
  )
  .option(
    '--soak <duration>',
    'retire only this long after the last repoint (0, 30m, 6h, 2d); the shared role must also show no use since cutover',
    '6h',
  )
  .option(
    '--delivery-lag <duration>',
    'how late CloudTrail may deliver: retire waits until the evidence reaches cutover plus this (0, 15m, 1h)',
    '15m',
  )
  .option('--json', 'print one JSON document on stdout: the outcome, and when retirement waits, why or until when (same as --output json)')
  .addHelpText(
    'after',
    '\nRe-running apply resumes where it stopped, and retires the shared role once the retire gate holds.' +
      '\nExit codes: 0 done or retire pending (one line on stdout says why or until when), 1 retire waits for manual follow-ups, 2 refused or failed (see the message).',
  )
  .action(async (file, options, command) => {
    const { runApply } = await import('./commands/apply.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runApply(file, { ...globals, ...options, json: asJson(command) }, cliIo(globals, options.yes));
  });

program
  .command('verify')
  .description('after cutover: calls the new roles were refused, calls still made with the shared role, and the workloads’ health')
  .argument('<plan>', 'plan file')
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .option(
    '--grant-missing',
    'give each new role the refused actions the shared role granted and its service used before cutover (journaled; rollback undoes it)',
  )
  .option('--grant-any', 'with --grant-missing: also refused actions the role’s service never used before cutover')
  .option(
    '--cutover-at <time>',
    'roles defined as code: when the cutover deploy finished (needed for Terraform; a stack’s time comes from its events), e.g. 2026-12-01T10:00:00Z',
  )
  .option(
    '--delivery-lag <duration>',
    'how late CloudTrail may deliver: "clean" only once the evidence reaches cutover plus this (0, 15m, 1h)',
    '15m',
  )
  .addHelpText(
    'after',
    '\nExit codes: 0 clean, 1 problems found, 2 usage, credential or AWS error, 4 not enough evidence yet (it does not reach cutover + --delivery-lag).',
  )
  .action(async (file, options, command) => {
    const { runVerify } = await import('./commands/verify.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runVerify(file, { ...globals, ...options, json: asJson(command) }, cliIo(globals));
  });

program
  .command('rollback')
  .description('undo an apply (complete, partial or crashed) from the plan and its journal')
  .argument('<plan>', 'plan file')
  .option('-y, --yes', 'do not ask for confirmation (required without a terminal)')
  .option('--expect-digest <sha256>', 'refuse unless the plan is exactly the one reviewed (the digest in its Markdown review)')
  .option('--json', 'print one JSON document on stdout: the outcome (same as --output json)')
  .addHelpText(
    'after',
    '\nRe-running rollback resumes where it stopped (after a failure, a timeout or Ctrl-C).' +
      '\nExit codes: 0 rolled back or nothing to roll back, 1 new roles kept because something else uses them, 2 refused or failed (see the message), 130 interrupted.',
  )
  .action(async (file, options, command) => {
    const { runRollback } = await import('./commands/apply.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runRollback(file, { ...globals, ...options, json: asJson(command) }, cliIo(globals, options.yes));
  });

program
  .command('status')
  .description("show each step of a plan's apply or rollback from its journal: done, pending, failed, and when")
  .argument('<plan>', 'plan file')
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .addHelpText('after', '\nExit codes: 0 printed, 2 a plan or journal that cannot be read.')
  .action(async (file, options, command) => {
    const { runStatus } = await import('./commands/apply.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runStatus(file, { ...globals, ...options, json: asJson(command) }, cliIo(globals));
  });

program
  .command('check')
  .description(
    'check infrastructure code (CloudFormation, CDK output, Terraform .tf and .tf.json, Terraform plan JSON) for roles several services share',
  )
  .argument('<paths...>', 'files or folders to check (folders are searched recursively)')
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .option('--sarif <file>', 'also write SARIF 2.1.0 to FILE, with the file and line of each finding')
  .addOption(
    new Option('--account <id>', 'an account the code deploys to: its principals are not cross-account (repeatable)').argParser(collect),
  )
  .option('--allow-unreadable', 'do not exit 2 when a file or role cannot be read (it is still reported)')
  .option('--allow-empty', 'do not exit 2 when the paths hold no IaC file')
  .option('--rules <ids>', 'rules that are off unless asked for (SR004 needs a live scan, so check refuses it)')
  .addHelpText(
    'after',
    '\nSuppress a finding with the tag or Metadata key split-role:allow-shared and a reason.\nExit codes: 0 no findings, ' +
      '1 findings, 2 usage error, no IaC file found (unless --allow-empty), or an unreadable file or role (unless --allow-unreadable).',
  )
  .action(async (paths, options, command) => {
    const { runCheck } = await import('./commands/check.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runCheck(paths, { ...options, json: asJson(command), accounts: options.account ?? [] }, cliIo(globals));
  });

program
  .command('report')
  .description('KPIs from a scan --history file: % compliant over time, findings opened and closed, time to remediate')
  .argument('<history>', 'the JSON Lines file scan --history appends to')
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .addHelpText('after', '\nExit codes: 0 printed, 2 a file that cannot be read.')
  .action(async (file, options, command) => {
    const { runReport } = await import('./commands/report.js');
    process.exitCode = await runReport(file, { ...options, json: asJson(command) }, cliIo(command.optsWithGlobals()));
  });

program
  .command('export')
  .description("write a reviewed plan's new roles as Terraform or CloudFormation code, and a checklist of the workload changes")
  .argument('<plan>', 'plan file')
  .addOption(new Option('--format <format>', 'code to write').choices(['terraform', 'cloudformation'] as const).makeOptionMandatory())
  .option('--out-dir <dir>', 'write the code and the checklist into DIR (default: code on stdout, checklist on stderr)')
  // The old name: --out is a file for plan, so the folder here is --out-dir.
  .addOption(new Option('--out <dir>').hideHelp())
  .addOption(new Option('--syntax <syntax>', 'Terraform syntax: hcl (.tf) or json (.tf.json)').choices(['hcl', 'json'] as const))
  .option('--json', 'print one JSON document on stdout: the code and checklist, or the files written (same as --output json)')
  .addHelpText('after', '\nExit codes: 0 written, 2 usage error or refused plan.')
  .action(async (file, options, command) => {
    const { runExport } = await import('./commands/export.js');
    const { out, ...rest } = options;
    process.exitCode = await runExport(
      file,
      { ...rest, outDir: options.outDir ?? out, json: asJson(command) },
      cliIo(command.optsWithGlobals()),
    );
  });

program
  .command('rewrite')
  .description(
    "make a reviewed plan's split in the code that defines the shared role (CloudFormation, SAM or Terraform; for CDK, print the code to add), for a pull request: cutover adds the new roles and repoints the workloads, retire removes the shared role",
  )
  .argument('<plan>', 'plan file')
  .argument('<paths...>', 'the templates, .tf files or folders of the code that defines the shared role')
  .addOption(
    new Option('--stage <stage>', 'cutover: add and repoint (the shared role stays, so rollback is a revert); retire: remove it')
      .choices(['cutover', 'retire'] as const)
      .makeOptionMandatory(),
  )
  .option('--dry-run', 'print the unified diff and change nothing')
  .option('--force', "rewrite a stack's template even where it differs from the deployed stack (GetTemplate) on the resources concerned")
  .option('--soak <duration>', "retire: the soak since the code's cutover deploy that the retire gate waits for, as apply's (default 6h)")
  .option('--delivery-lag <duration>', "retire: how far past cutover the evidence must reach, as apply's (default 15m)")
  .option('--cutover-at <time>', "retire: when the cutover was deployed (ISO 8601), for Terraform; a stack's is read from its events")
  .option('--json', 'print one JSON document on stdout (same as --output json)')
  .addHelpText(
    'after',
    "\nA plan whose resources a stack owns reads that stack's deployed template, so it needs credentials; so does --stage retire\n" +
      "for such a plan, which writes the pull request only once apply's retire gate holds from the code's cutover.\n" +
      'Exit codes: 0 rewritten (or, with --dry-run, the diff printed), 2 usage error, refused plan, or code the rewrite cannot place (nothing written).',
  )
  .action(async (file, paths, options, command) => {
    const { runRewrite } = await import('./commands/rewrite.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runRewrite(file, paths, { ...globals, ...options, json: asJson(command) }, cliIo(globals));
  });

const guardrail = program
  .command('guardrail')
  .description('continuous guardrails: alert when a shared role appears')
  .addHelpText('after', '\nExit codes: 0 written, 2 usage error (see `split-role guardrail export --help`).');

guardrail
  .command('export')
  .description(
    'write a deployable stack that alerts on new shared roles: an EventBridge rule on IAM CreateRole/UpdateAssumeRolePolicy (or an AWS Config rule), ' +
      "a Lambda function running scan's trust analysis, and an SNS topic",
  )
  .addOption(new Option('--format <format>', 'code to write').choices(['cloudformation', 'terraform'] as const).makeOptionMandatory())
  .addOption(
    new Option('--mode <mode>', 'eventbridge: alert on each role change; config: an AWS Config custom rule over AWS::IAM::Role')
      .choices(['eventbridge', 'config'] as const)
      .default('eventbridge' as const),
  )
  .option('--sns-topic <arn>', 'alert this existing topic instead of creating one')
  .option('--email <address>', 'subscribe this address to the topic the stack creates')
  .option('--owner-tag <key>', "the tag naming a role's owner, quoted in each alert", 'owner')
  .option('--out-dir <dir>', "write the stack and the function's zip into DIR (default: the stack on stdout)")
  .addOption(new Option('--out <dir>').hideHelp())
  .option('--json', 'print one JSON document on stdout: the stack, or the files written (same as --output json)')
  .addHelpText(
    'after',
    '\nIAM events reach EventBridge in us-east-1 only: deploy the eventbridge stack there.\nExit codes: 0 written, 2 usage error (a bad topic ARN or e-mail address).',
  )
  .action(async (options, command) => {
    const { runGuardrailExport } = await import('./commands/guardrail.js');
    const { out, ...rest } = options;
    process.exitCode = await runGuardrailExport(
      { ...rest, outDir: options.outDir ?? out, json: asJson(command) },
      cliIo(command.optsWithGlobals()),
    );
  });

/** The commands that take `--evidence` and the sources' flags. */
const EVIDENCE_COMMANDS = new Set(['plan', 'verify']);

async function main(argv: string[]): Promise<void> {
  process.once('SIGINT', () => {
    // What the command keeps (the evidence cache) is written now, synchronously, and said in the same one line.
    const message = [interruptedMessage(argv.slice(2)), ...runInterruptHooks()].join('; ');
    if (io) io.error('SR_CLI_E9003', message);
    else process.stderr.write(`\n${message}\n`);
    process.exit(ExitCode.interrupted);
  });
  try {
    // The evidence sources' flags come from their registry, which loads every source: only for the commands that take them.
    if (argv.some((arg) => EVIDENCE_COMMANDS.has(arg))) {
      const { addEvidenceOptions } = await import('./evidence-options.js');
      for (const command of program.commands)
        if (EVIDENCE_COMMANDS.has(command.name())) addEvidenceOptions(command, command.name() as 'plan' | 'verify');
    }
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error, argv.includes('--debug'));
  } finally {
    io?.close();
  }
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" through exitOverride; they are successes.
    if (error.exitCode === 0) return ExitCode.ok;
    // Commander wrote its text unless JSON was asked for; then the error is one JSON event like any other.
    if (jsonAsked)
      process.stderr.write(
        `${errorEventLine(visibleControls(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')), { error: 'UsageError' })}\n`,
      );
    return ExitCode.error;
  }
  const host = io ?? cliIo(program.opts());
  if (error instanceof Error && error.name === 'ExitPromptError') {
    // Ctrl-C at a prompt: nothing was changed after the question was asked.
    host.info('SR_CLI_I9002', ['cancelled', ...runInterruptHooks()].join('; '));
    return ExitCode.interrupted;
  }
  const known = error instanceof SplitRoleError ? error : undefined;
  const err = error instanceof Error ? error : new Error(String(error));
  const stack = known ? (known.cause instanceof Error ? known.cause.stack : undefined) : err.stack;
  // One line whatever the message carries: outside names could hold newlines or escape sequences.
  const line = visibleControls(
    known ? known.oneLine() : `InternalError: ${err.message}${debug ? '' : ' (run with --debug for the stack trace)'}`,
  );
  const data = {
    error: known?.code ?? 'InternalError',
    ...(known?.hint ? { hint: known.hint } : {}),
    ...(debug && stack ? { stack } : {}),
  };
  // Asked for a JSON result with text events, the failure is still one JSON object a script can parse.
  const jsonError = jsonAsked && eventFormat(program.opts()) !== 'json-lines';
  if (jsonError) process.stderr.write(`${errorEventLine(line, data)}\n`);
  else host.error('SR_CLI_E9001', line, data);
  // The stack is the one multi-line error text; json-lines carries it in data.
  if (debug && stack && !jsonAsked) process.stderr.write(`${stack}\n`);
  return known?.exitCode ?? ExitCode.error;
}

await main(process.argv);
