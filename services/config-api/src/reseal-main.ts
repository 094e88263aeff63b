/**
 * The re-seal command (docs/secrets.md): every endpoint's secrets and header values sealed again by the first key
 * of HOOKLINE_SECRETS_KEY, plain values of older records included. `--dry-run` counts without writing.
 * Prints a JSON report; exits 1 when an endpoint could not be re-sealed.
 */
import { ConfigView } from '@hookline/config';
import { baseEnvSchema, parseEnv } from '@hookline/core';
import { connectEventLog } from '@hookline/kafka';
import { EndpointSecrets, keyringFromEnv, secretsKeyEnvShape } from '@hookline/secrets';
import { createLogger } from '@hookline/service';
import { resealEndpoints } from './ops/reseal.js';

const env = parseEnv(baseEnvSchema.extend(secretsKeyEnvShape));
const logger = createLogger('reseal', env.LOG_LEVEL);
const secrets = new EndpointSecrets(keyringFromEnv(env));
const { log, topics } = await connectEventLog(env, 'hookline-reseal', logger);
const config = new ConfigView(log, topics.config, logger);
await config.start();
const publisher = await log.publisher();
try {
  const report = await resealEndpoints({ config, publisher, secrets, dryRun: process.argv.includes('--dry-run') });
  console.log(JSON.stringify(report));
  process.exitCode = report.failed.length ? 1 : 0;
} finally {
  await publisher.flush();
  await publisher.close();
  await config.stop();
  await log.close();
}
