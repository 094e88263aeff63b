import { readFileSync } from 'node:fs';
import type { BaseEnv } from '@hookline/core';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** How a client proves itself to the brokers and checks them: TLS and/or SASL. Nothing set = plaintext. */
export interface KafkaSecurity {
  /** TLS with these PEM contents (`{}`: TLS with the system's CAs). */
  tls?: { ca?: string; cert?: string; key?: string };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** The Kafka security settings in the environment do not belong together, or a file they name cannot be read. */
export class KafkaSecurityConfigError extends Error {
  override readonly name = 'KafkaSecurityConfigError';
}

type SecurityEnv = Pick<
  BaseEnv,
  | 'HOOKLINE_KAFKA_SSL'
  | 'HOOKLINE_KAFKA_SSL_CA_FILE'
  | 'HOOKLINE_KAFKA_SSL_CERT_FILE'
  | 'HOOKLINE_KAFKA_SSL_KEY_FILE'
  | 'HOOKLINE_KAFKA_SASL_MECHANISM'
  | 'HOOKLINE_KAFKA_SASL_USERNAME'
  | 'HOOKLINE_KAFKA_SASL_PASSWORD'
  | 'HOOKLINE_KAFKA_SASL_PASSWORD_FILE'
>;

function readText(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KafkaSecurityConfigError(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * The TLS and SASL settings of the parsed environment, with the files they name read. Every problem is listed at
 * once; a CA or client certificate without `HOOKLINE_KAFKA_SSL=true`, a username without a mechanism and the like
 * are refused rather than ignored, so a half-configured service never falls back to plaintext.
 */
export function kafkaSecurity(env: SecurityEnv): KafkaSecurity {
  const problems: string[] = [];
  const security: KafkaSecurity = {};
  const tlsFiles = { ca: env.HOOKLINE_KAFKA_SSL_CA_FILE, cert: env.HOOKLINE_KAFKA_SSL_CERT_FILE, key: env.HOOKLINE_KAFKA_SSL_KEY_FILE };
  if (env.HOOKLINE_KAFKA_SSL) {
    if (Boolean(tlsFiles.cert) !== Boolean(tlsFiles.key))
      problems.push('HOOKLINE_KAFKA_SSL_CERT_FILE and HOOKLINE_KAFKA_SSL_KEY_FILE go together');
    const read = (variable: string, path: string | undefined) => {
      if (!path) return undefined;
      try {
        return readText(variable, path);
      } catch (error) {
        problems.push((error as Error).message);
        return undefined;
      }
    };
    const ca = read('HOOKLINE_KAFKA_SSL_CA_FILE', tlsFiles.ca);
    const cert = read('HOOKLINE_KAFKA_SSL_CERT_FILE', tlsFiles.cert);
    const key = read('HOOKLINE_KAFKA_SSL_KEY_FILE', tlsFiles.key);
    security.tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  } else if (tlsFiles.ca || tlsFiles.cert || tlsFiles.key) {
    problems.push('HOOKLINE_KAFKA_SSL_*_FILE is set but HOOKLINE_KAFKA_SSL is not true');
  }

  const mechanism = env.HOOKLINE_KAFKA_SASL_MECHANISM;
  const username = env.HOOKLINE_KAFKA_SASL_USERNAME;
  if (env.HOOKLINE_KAFKA_SASL_PASSWORD && env.HOOKLINE_KAFKA_SASL_PASSWORD_FILE) {
    problems.push('set HOOKLINE_KAFKA_SASL_PASSWORD or HOOKLINE_KAFKA_SASL_PASSWORD_FILE, not both');
  }
  let password = env.HOOKLINE_KAFKA_SASL_PASSWORD;
  if (env.HOOKLINE_KAFKA_SASL_PASSWORD_FILE) {
    try {
      // A trailing newline is the editor's, not the password's.
      password = readText('HOOKLINE_KAFKA_SASL_PASSWORD_FILE', env.HOOKLINE_KAFKA_SASL_PASSWORD_FILE).replace(/\r?\n$/, '');
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (mechanism) {
    if (!username) problems.push('HOOKLINE_KAFKA_SASL_USERNAME is required with HOOKLINE_KAFKA_SASL_MECHANISM');
    if (!password) problems.push('HOOKLINE_KAFKA_SASL_PASSWORD (or _FILE) is required with HOOKLINE_KAFKA_SASL_MECHANISM');
    if (username && password) security.sasl = { mechanism, username, password };
  } else if (username || password) {
    problems.push(
      'HOOKLINE_KAFKA_SASL_USERNAME/PASSWORD are set but HOOKLINE_KAFKA_SASL_MECHANISM is not (plain, scram-sha-256, scram-sha-512)',
    );
  }
  if (problems.length > 0)
    throw new KafkaSecurityConfigError(`Invalid Kafka security settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return security;
}
