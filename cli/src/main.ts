import { Command, CommanderError, Option } from 'commander';
import { endpointsCommand } from './commands/endpoints.js';
import { listenCommand } from './commands/listen.js';
import { replayCommand, retryCommand } from './commands/replay.js';
import { schedulesCommand } from './commands/schedules.js';
import { sendCommand } from './commands/send.js';
import { tailCommand } from './commands/tail.js';
import { testCommand } from './commands/test.js';
import { verifyCommand } from './commands/verify.js';
import { CliError, exitCodes } from './errors.js';

/** The `hookline` program: global connection options and the commands. */
export function program(): Command {
  const root = new Command('hookline')
    .description('Hookline from the command line: endpoints, send-test, tail, replay, verify, listen')
    .addOption(new Option('--api-url <url>', 'admin API (config-api) base URL').env('HOOKLINE_API_URL').default('http://127.0.0.1:8200'))
    .addOption(new Option('--api-key <key>', 'API key of the tenant (hk_...)').env('HOOKLINE_API_KEY'))
    .addOption(new Option('--ingest-url <url>', 'ingest base URL (for send)').env('HOOKLINE_INGEST_URL').default('http://127.0.0.1:8100'))
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const command of [
    endpointsCommand(),
    testCommand(),
    tailCommand(),
    replayCommand(),
    retryCommand(),
    verifyCommand(),
    listenCommand(),
    sendCommand(),
    schedulesCommand(),
  ]) {
    root.addCommand(command.exitOverride());
  }
  return root;
}

/** Runs the CLI; every failure ends as one line on stderr and a non-zero exit code. */
export async function run(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message (or the help/version) already.
      process.exitCode = error.exitCode === 0 ? 0 : exitCodes.usage;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`hookline: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`hookline: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = exitCodes.failure;
  }
}
