/**
 * The fixtures against the SCIM schemas the RFC publishes (RFC 7643 §8.7, in ../shared/specs/scim):
 * every deviation from the RFC must be one of the documented real-world quirks listed here, so the
 * fixtures cannot drift from SCIM's shape unnoticed. Skipped where ../shared is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames, hasScimSpecs, scimSpecs, type ErrorFixture } from './helpers.js';
import { validateError, validateListResponse, validateResource, type SchemaDef } from './scim-schema.js';

const schema = (file: string): SchemaDef =>
  JSON.parse(fs.readFileSync(path.join(scimSpecs, file), 'utf8')) as SchemaDef;

/** Each fixture's deviations from the RFC: the quirks real servers have, on purpose. */
const DOCUMENTED_QUIRKS: Record<string, string[]> = {
  'GET_Users_startIndex_1.json': [
    'Resources[2].active: expected boolean, got string', // "True" (Entra without aadOptscim062020)
    'Resources[2].enterprise.manager.$ref: required', // manager as {value} only
    'Resources[3].active: expected boolean, got string', // "False"
    'Resources[3].emails[0].primary: expected boolean, got string', // "True"
    'Resources[3].enterprise.manager: expected complex, got string', // Entra's plain-string manager
  ],
  'GET_Users_startIndex_5.json': [
    'totalResults: expected integer, got string', // "10"
    'Resources[1].enterprise.manager: expected complex, got string', // a userName as manager
    'Resources[2].enterprise.Manager.$ref: required', // {value} only, under the capitalised key "Manager"
    'Resources[3].enterprise.managerId: not an attribute of the schema', // OneLogin-style managerId
  ],
  'GET_Users_startIndex_9.json': [
    'Resources[0].id: expected string, got number', // numeric id
    'Resources[0].active: expected boolean, got string', // an unrendered template "{$user.active}"
    'Resources[1].enterprise.manager.$ref: required', // a manager who left: {value, displayName}
  ],
  'GET_Users_filter_lastModified.json': [
    'Resources[0].active: expected boolean, got string',
    'Resources[0].emails[0].primary: expected boolean, got string',
    'Resources[0].enterprise.manager: expected complex, got string',
    'Resources[1].enterprise.manager.$ref: required',
  ],
  'GET_Groups_startIndex_1.json': [],
  'GET_Groups_empty.json': [],
  'GET_ServiceProviderConfig.json': [],
  '401.json': [],
  '403.json': [],
  '404.json': ['status: expected string, got number'], // SCIM-SDK / GitHub style
  '400_invalid_filter.json': ['status: expected string, got number'],
  '429_retry_after.json': [],
  '500.json': [],
  '200_error_body.json': ['status: expected string, got number'],
};

describe.skipIf(!hasScimSpecs)(
  'SCIM fixtures against the RFC 7643 schemas in ../shared/specs/scim (skipped when that folder is absent)',
  () => {
    const user = hasScimSpecs ? schema('rfc7643-8.7.1-schema-user.json') : (undefined as never);
    const enterprise = hasScimSpecs ? schema('rfc7643-8.7.1-schema-enterprise_user.json') : (undefined as never);
    const group = hasScimSpecs ? schema('rfc7643-8.7.1-schema-group.json') : (undefined as never);
    const spc = hasScimSpecs
      ? schema('rfc7643-8.7.2-schema-service_provider_configuration.json')
      : (undefined as never);

    it('every fixture is covered by this test', () => {
      expect(fixtureNames().sort()).toEqual(Object.keys(DOCUMENTED_QUIRKS).sort());
    });

    for (const [name, expected] of Object.entries(DOCUMENTED_QUIRKS)) {
      it(`${name} deviates from the RFC only by its documented quirks`, () => {
        let issues: string[];
        if (name.startsWith('GET_Users')) issues = validateListResponse(fixture(name), user, [enterprise]);
        else if (name.startsWith('GET_Groups')) issues = validateListResponse(fixture(name), group);
        else if (name === 'GET_ServiceProviderConfig.json')
          issues = validateResource({ id: 'spc', ...fixture<Record<string, unknown>>(name) }, spc);
        else {
          const f = fixture<ErrorFixture>(name);
          issues = validateError(f.body);
          expect(f.headers['content-type']).toMatch(/^application\/scim\+json/);
          const bodyStatus = Number((f.body as { status: unknown }).status);
          expect(f.status === bodyStatus || (f.status === 200 && bodyStatus >= 400)).toBe(true);
        }
        expect(issues.sort()).toEqual([...expected].sort());
      });
    }

    it('the validator itself accepts the RFC samples and catches a broken copy', () => {
      const sample = JSON.parse(fs.readFileSync(path.join(scimSpecs, 'rfc7643-8.3-enterprise_user.json'), 'utf8'));
      // The RFC's own sample carries a password (writeOnly) and x509Certificates; both are schema attributes.
      expect(validateResource(sample, user, [enterprise])).toEqual([]);
      const broken = { ...sample, active: 'yes', nickname2: 'x', emails: { value: 'a@b' } };
      delete broken.userName;
      expect(validateResource(broken, user, [enterprise]).sort()).toEqual(
        [
          'active: expected boolean, got string',
          'emails: expected a multi-valued list, got object',
          'nickname2: not an attribute of the schema',
          'userName: required',
        ].sort(),
      );
      const rfcGroup = JSON.parse(fs.readFileSync(path.join(scimSpecs, 'rfc7643-8.4-group.json'), 'utf8'));
      expect(validateResource(rfcGroup, group)).toEqual([]);
      const rfcError = JSON.parse(fs.readFileSync(path.join(scimSpecs, 'rfc7644-3.12-error-bad_request.json'), 'utf8'));
      expect(validateError(rfcError)).toEqual([]);
    });
  },
);
