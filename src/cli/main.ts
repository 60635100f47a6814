/**
 * The CLI entry point: commander wiring, global AWS options, and the one place
 * errors become a message and an exit code. Commands load lazily.
 */
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { ExitCode, SplitRoleError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { ConsoleIoHost } from './console-io-host.js';

/** Options every command accepts. */
export interface GlobalOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  debug?: boolean;
}

const program = new Command()
  .name('split-role')
  .description('Find IAM roles that several AWS services share, and split each into one least-privilege role per service.')
  .version(VERSION, '-V, --version')
  .option('--profile <name>', 'AWS profile from the shared config/credentials files (default: AWS_PROFILE)')
  .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)')
  .option('--endpoint-url <url>', 'send every AWS call to this endpoint (e.g. a local emulator)')
  .option('--debug', 'print AWS call counts and stack traces')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

program
  .command('scan')
  .description('audit every role in the account; exit 1 when a role is shared by several services')
  .option('--json', 'print one JSON document on stdout')
  .option('--sarif <file>', 'also write SARIF 2.1.0 to FILE for code-scanning dashboards')
  .addOption(
    new Option('--role <name>', 'scan only this role (repeatable)').argParser((value: string, previous: string[] = []) => [
      ...previous,
      value,
    ]),
  )
  .addHelpText(
    'after',
    '\nExit codes: 0 no findings, 1 findings, 2 usage, credential or AWS error.',
  )
  .action(async (options, command) => {
    const { runScan } = await import('./commands/scan.js');
    const globals = command.optsWithGlobals() as GlobalOptions;
    process.exitCode = await runScan({ ...globals, ...options, roles: options.role ?? [] }, new ConsoleIoHost(globals));
  });

async function main(argv: string[]): Promise<void> {
  process.once('SIGINT', () => {
    process.stderr.write('\ninterrupted\n');
    process.exit(ExitCode.interrupted);
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error, argv.includes('--debug'));
  }
}

function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" through exitOverride; they are successes.
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.error;
  }
  if (error instanceof SplitRoleError) {
    process.stderr.write(`split-role: ${error.oneLine()}\n`);
    if (debug && error.cause instanceof Error && error.cause.stack) process.stderr.write(`${error.cause.stack}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`split-role: InternalError: ${err.message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`);
  if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
  return ExitCode.error;
}

await main(process.argv);
