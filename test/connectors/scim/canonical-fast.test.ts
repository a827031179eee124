/**
 * `canonicalUser`'s fast path: a record already in the RFC's spelling is returned as it is (not a
 * copy, and not changed), and any record that needs a rewrite still gets one.
 */
import { describe, expect, it } from 'vitest';
import { canonicalUser, ENTERPRISE_USER } from '../../../connectors/scim/schemas.js';

const user = () => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER],
  id: 'u1',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: 'ada@example.com', primary: true, type: 'work' }],
  active: true,
  meta: { resourceType: 'User', lastModified: '2026-01-01T00:00:00Z' },
  [ENTERPRISE_USER]: { employeeNumber: '7', department: 'R&D' },
  'x-vendor': { anything: 1 },
});

describe('canonicalUser fast path', () => {
  it('returns a canonical record itself, unchanged', () => {
    const u = user();
    const before = JSON.stringify(u);
    expect(canonicalUser(u)).toBe(u);
    expect(JSON.stringify(u)).toBe(before);
    expect(Object.prototype.hasOwnProperty.call(u[ENTERPRISE_USER], 'manager')).toBe(false);
  });

  it('rewrites whatever is not canonical, at any level', () => {
    const variants: Array<(u: Record<string, any>) => void> = [
      (u) => ((u['Active'] = u['active']), delete u['active']),
      (u) => (u['name'] = { GivenName: 'Ada' }),
      (u) => (u['emails'] = [{ Value: 'a@example.com' }]),
      (u) => (u['meta'] = { ResourceType: 'User' }),
      (u) => (u[ENTERPRISE_USER] = { Department: 'R&D' }),
      (u) => (u[ENTERPRISE_USER] = { manager: { Value: 'm1' } }),
      (u) => (u[`${ENTERPRISE_USER}:department`] = 'Ops'),
      (u) => (u['password'] = 'hunter2'),
    ];
    for (const change of variants) {
      const u: Record<string, any> = user();
      change(u);
      const out = canonicalUser(u) as Record<string, any>;
      expect(out).not.toBe(u);
      expect(JSON.stringify(out)).not.toMatch(/"(Active|GivenName|Value|ResourceType|Department|password)"/);
    }
    const proto = JSON.parse(`{"id":"u2","__proto__":{"x":1}}`) as Record<string, unknown>;
    expect(canonicalUser(proto)).not.toBe(proto);
  });
});
