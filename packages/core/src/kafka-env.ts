import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/**
 * How every Hookline process authenticates to Kafka (docs/security.md): TLS (`HOOKLINE_KAFKA_SSL`, with a CA
 * bundle and, for mutual TLS, a client certificate and key) and SASL (PLAIN or SCRAM). Part of the environment
 * every service parses (`baseEnvSchema`); `kafkaSecurity` in @hookline/kafka reads the files and checks that the
 * settings belong together when the service connects.
 */
export const kafkaSecurityEnvShape = {
  HOOKLINE_KAFKA_SSL: flag,
  /** PEM file of the CA(s) that signed the brokers' certificates; the system's CAs when unset. */
  HOOKLINE_KAFKA_SSL_CA_FILE: optionalText,
  /** PEM client certificate and key, for brokers that require mutual TLS (`ssl.client.auth=required`). */
  HOOKLINE_KAFKA_SSL_CERT_FILE: optionalText,
  HOOKLINE_KAFKA_SSL_KEY_FILE: optionalText,
  HOOKLINE_KAFKA_SASL_MECHANISM: z
    .string()
    .optional()
    .transform((v) => (v ? v.toLowerCase() : undefined))
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional()),
  HOOKLINE_KAFKA_SASL_USERNAME: optionalText,
  /** The password itself, or (better, so it stays out of the process environment) a file holding it. */
  HOOKLINE_KAFKA_SASL_PASSWORD: optionalText,
  HOOKLINE_KAFKA_SASL_PASSWORD_FILE: optionalText,
};
