import { profileNames } from '@hookline/delivery-policy';
import { Command, Option } from 'commander';
import { parseCount } from '../config.js';
import { usageError } from '../errors.js';
import { printJson } from '../output.js';
import { parseRawRequest } from '../raw-request.js';
import { isProfileName, type SchemeOptions, schemeFor, schemeNames, verifyRequest } from '../verification.js';

async function readStdin(): Promise<Buffer> {
  if (process.stdin.isTTY) throw usageError('give the request on standard input: hookline verify --secret whsec_... < request.txt');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Scheme options shared by `verify` and `listen --no-register`. */
export function schemeOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--scheme <scheme>',
        'signature scheme (default: guessed from the headers: standard when a webhook-signature header is present, else hex)',
      ).choices(schemeNames),
    )
    .option('--profile <profile>', `use a delivery profile's scheme (${profileNames.join(', ')})`)
    .option('--header <name>', 'header carrying a hex signature (default x-webhook-signature)')
    .option('--prefix <text>', 'text before the hex digest, e.g. sha256= (default: guessed)');
}

export function toSchemeOptions(options: { scheme?: string; profile?: string; header?: string; prefix?: string }): SchemeOptions {
  if (options.profile !== undefined && !isProfileName(options.profile)) throw usageError(`--profile: unknown profile ${options.profile}`);
  return {
    ...(options.scheme ? { scheme: options.scheme } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.header ? { header: options.header } : {}),
    ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
  };
}

interface VerifyOptions {
  secret: string;
  scheme?: string;
  profile?: string;
  header?: string;
  prefix?: string;
  tolerance: string;
  json?: boolean;
}

export function verifyCommand(): Command {
  return schemeOptions(
    new Command('verify')
      .description(
        'verify the signature of a raw HTTP request read from standard input (request line optional, headers, empty line, body); exits 0 when valid, 1 when not',
      )
      .addOption(
        new Option('--secret <secret>', "the endpoint's signing secret (whsec_...)").env('HOOKLINE_WEBHOOK_SECRET').makeOptionMandatory(),
      ),
  )
    .option('--tolerance <seconds>', 'accepted timestamp age for hex signatures with X-Webhook-Timestamp (Standard Webhooks: 300)', '300')
    .option('--json', 'print the verdict as JSON')
    .action(async (options: VerifyOptions) => {
      const tolerance = parseCount(options.tolerance, '--tolerance');
      let request: ReturnType<typeof parseRawRequest>;
      try {
        request = parseRawRequest(await readStdin());
      } catch (error) {
        throw usageError(`cannot read the request: ${(error as Error).message}`);
      }
      const verdict = verifyRequest(
        request.headers,
        request.body,
        options.secret,
        schemeFor(toSchemeOptions(options), request.headers),
        tolerance,
      );
      if (options.json) printJson(verdict);
      else console.log(verdict.valid ? 'valid' : `invalid: ${verdict.reason}: ${verdict.message}`);
      if (!verdict.valid) process.exitCode = 1;
    });
}
