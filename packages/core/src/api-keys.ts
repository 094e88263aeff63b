import { createHash, randomBytes } from 'node:crypto';
import type { ConfigState } from './config-state.js';
import { ApiError } from './errors.js';
import type { ApiKeyRecord, Role } from './schemas.js';

/** A new API key: `hk_` + 160 random bits. Only its hash is ever stored. */
export function generateApiKey(): string {
  return `hk_${randomBytes(20).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * Resolves `Authorization: Bearer <key>` to its key record. The lookup is by hash, so timing reveals nothing
 * about stored keys.
 */
export function authenticate(state: ConfigState, authorization: string | undefined): ApiKeyRecord {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) throw new ApiError('unauthorized', 'missing bearer API key');
  const record = state.apiKeysByHash.get(hashApiKey(match[1]!));
  if (!record || !state.tenants.has(record.tenantId)) throw new ApiError('unauthorized', 'unknown API key');
  return record;
}

const configureRoles: ReadonlySet<Role> = new Set(['owner', 'admin']);

/** Owners and admins configure webhooks; members and viewers only read. */
export function requireConfigureRole(key: ApiKeyRecord): void {
  if (!configureRoles.has(key.role)) throw new ApiError('forbidden', `role ${key.role} may not change configuration`);
}
