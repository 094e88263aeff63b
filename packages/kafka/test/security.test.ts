import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnvSchema, parseEnv } from '@hookline/core';
import { describe, expect, it } from 'vitest';
import { KafkaSecurityConfigError, kafkaSecurity } from '../src/index.js';

const securityOf = (vars: Record<string, string>) => kafkaSecurity(parseEnv(baseEnvSchema, vars));

describe('Kafka security settings from the environment', () => {
  it('is plaintext when nothing is set', () => {
    expect(securityOf({})).toEqual({});
  });

  it('reads TLS files and a SCRAM login (mechanism in any case, password from a file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'password'), 's3cret\n');
    const security = securityOf({
      HOOKLINE_KAFKA_SSL: 'true',
      HOOKLINE_KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
      HOOKLINE_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      HOOKLINE_KAFKA_SASL_USERNAME: 'hookline',
      HOOKLINE_KAFKA_SASL_PASSWORD_FILE: join(dir, 'password'),
    });
    expect(security).toEqual({ tls: { ca: 'CA PEM' }, sasl: { mechanism: 'scram-sha-512', username: 'hookline', password: 's3cret' } });
    expect(securityOf({ HOOKLINE_KAFKA_SSL: '1' })).toEqual({ tls: {} });
  });

  it('refuses settings that do not belong together instead of falling back to plaintext, listing every problem', () => {
    const attempt = () =>
      securityOf({
        HOOKLINE_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
        HOOKLINE_KAFKA_SASL_MECHANISM: 'plain',
        HOOKLINE_KAFKA_SASL_USERNAME: 'u',
      });
    expect(attempt).toThrow(KafkaSecurityConfigError);
    expect(attempt).toThrow(/HOOKLINE_KAFKA_SSL is not true[\s\S]*PASSWORD \(or _FILE\) is required/);
    expect(() => securityOf({ HOOKLINE_KAFKA_SASL_USERNAME: 'u', HOOKLINE_KAFKA_SASL_PASSWORD: 'p' })).toThrow(/MECHANISM is not/);
    expect(() => securityOf({ HOOKLINE_KAFKA_SSL: 'true', HOOKLINE_KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem' })).toThrow(/cannot read/);
    expect(() => parseEnv(baseEnvSchema, { HOOKLINE_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/HOOKLINE_KAFKA_SASL_MECHANISM/);
  });
});
