import { describe, expect, it } from 'vitest';
import { ApiError, apiKeyRecord, assignableRoles, requirePermission, rolePermissions, roles } from '../src/index.js';

const at = '2026-01-01T00:00:00.000Z';

describe('roles', () => {
  it('reads an API key record of the previous shape (role member) as a read-only key', () => {
    const previous = {
      kind: 'apiKey',
      id: 'key_1',
      tenantId: 'ten_1',
      name: 'ci',
      role: 'member',
      keyHash: 'ab',
      keyPrefix: 'hk_abcd',
      createdAt: at,
      updatedAt: at,
    };
    const record = apiKeyRecord.parse(previous);
    expect(rolePermissions[record.role]).toEqual([]);
    expect(() => requirePermission(record, 'publish')).toThrow(ApiError);
  });

  it('names what was refused and who may do it', () => {
    const viewer = apiKeyRecord.parse({
      kind: 'apiKey',
      id: 'k',
      tenantId: 't',
      name: 'v',
      role: 'viewer',
      keyHash: 'x',
      keyPrefix: 'hk_',
      createdAt: at,
      updatedAt: at,
    });
    expect(() => requirePermission(viewer, 'publish')).toThrow(
      'role viewer may not publish events (roles that may: owner, admin, publisher)',
    );
    expect(() => requirePermission(viewer, 'configure')).toThrow('role viewer may not change configuration (roles that may: owner, admin)');
  });

  it('gives every role a permission list and offers every role but member to new keys', () => {
    expect(Object.keys(rolePermissions).sort()).toEqual([...roles].sort());
    expect(roles.filter((r) => !(assignableRoles as readonly string[]).includes(r))).toEqual(['member']);
  });
});
