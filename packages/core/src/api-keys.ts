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

/**
 * What a key may do beyond reading its tenant's configuration, stats and logs (every role reads):
 * - `publish`: send events (`POST /v1/events`, `/v1/events/batch`);
 * - `configure`: change the tenant's configuration (webhooks, event types, incoming hooks, alerts, non-owner keys,
 *   replays, retries and tests);
 * - `manageOwners`: create and revoke owner keys.
 */
export const permissions = ['publish', 'configure', 'manageOwners'] as const;
export type Permission = (typeof permissions)[number];

/**
 * The role model, in one place (docs/security.md has the same table). `publisher` is for the services that send
 * events: it may publish but not configure. `member` is a role of the previous record shape: it was documented as
 * read-only and never granted publishing (ingest just did not check), so it keeps exactly its reads; an operator
 * whose service published with a member key gives it a `publisher` key instead.
 */
export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  owner: ['publish', 'configure', 'manageOwners'],
  admin: ['publish', 'configure'],
  publisher: ['publish'],
  member: [],
  viewer: [],
};

/** Roles a new key may be given (`member` only survives in records written before `viewer`/`publisher` existed). */
export const assignableRoles = ['owner', 'admin', 'publisher', 'viewer'] as const satisfies readonly Role[];

const refusals: Record<Permission, string> = {
  publish: 'publish events',
  configure: 'change configuration',
  manageOwners: 'create or revoke owner keys',
};

export function roleMay(role: Role, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}

/** Throws `forbidden` naming what was refused and which roles may do it. */
export function requirePermission(key: ApiKeyRecord, permission: Permission): void {
  if (roleMay(key.role, permission)) return;
  const allowed = (Object.keys(rolePermissions) as Role[]).filter((r) => roleMay(r, permission));
  throw new ApiError('forbidden', `role ${key.role} may not ${refusals[permission]} (roles that may: ${allowed.join(', ')})`);
}

/** Owners and admins configure webhooks; publishers, members and viewers do not. */
export function requireConfigureRole(key: ApiKeyRecord): void {
  requirePermission(key, 'configure');
}

/** Owners, admins and publishers send events; members and viewers only read. */
export function requirePublishRole(key: ApiKeyRecord): void {
  requirePermission(key, 'publish');
}
