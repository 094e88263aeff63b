import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InvalidKeyring, Keyring } from './keyring.js';

/** The environment variables of the keyring, for the env schema of each service that seals or opens values. */
export const secretsKeyEnvShape = {
  /** Keyring: `[<id>:]<base64 32 bytes>` entries, comma- or space-separated; the first seals, all open. */
  HOOKLINE_SECRETS_KEY: z.string().min(1).optional(),
  /** A file holding the keyring in the same format (one entry per line is fine), instead of the variable. */
  HOOKLINE_SECRETS_KEY_FILE: z.string().min(1).optional(),
};

type SecretsKeyEnv = { [K in keyof typeof secretsKeyEnvShape]?: string | undefined };

/** The keyring the environment names; throws `InvalidKeyring` saying what is missing or wrong. */
export function keyringFromEnv(env: SecretsKeyEnv): Keyring {
  if (env.HOOKLINE_SECRETS_KEY && env.HOOKLINE_SECRETS_KEY_FILE) {
    throw new InvalidKeyring('set HOOKLINE_SECRETS_KEY or HOOKLINE_SECRETS_KEY_FILE, not both');
  }
  if (env.HOOKLINE_SECRETS_KEY_FILE) return Keyring.parse(readFileSync(env.HOOKLINE_SECRETS_KEY_FILE, 'utf8'));
  if (env.HOOKLINE_SECRETS_KEY) return Keyring.parse(env.HOOKLINE_SECRETS_KEY);
  throw new InvalidKeyring(
    'HOOKLINE_SECRETS_KEY (or HOOKLINE_SECRETS_KEY_FILE) is required: endpoint secrets are sealed with it (docs/secrets.md)',
  );
}
