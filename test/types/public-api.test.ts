/**
 * Type tests of the public API: a breaking change to an exported type fails typecheck (npm run
 * typecheck, part of CI) and these assertions.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  applyPlan,
  bamboohr,
  buildOrgChart,
  diffSnapshots,
  gusto,
  OrgsyncError,
  planProvisioning,
  rippling,
  scim,
  sync,
  takeSnapshot,
  workday,
  type ChangeEvent,
  type Connector,
  type Employee,
  type EmploymentStatus,
  type ErrorKind,
  type OrgSnapshot,
  type ProvisioningPlan,
} from '../../src/index.js';
import { runConnectorConformance, replayFixtures, startSimulator, sampleOrg } from '../../src/testing/index.js';

describe('public API types', () => {
  it('connector factories take their documented options', () => {
    expectTypeOf(bamboohr).parameter(0).toHaveProperty('subdomain').toEqualTypeOf<string>();
    expectTypeOf(bamboohr).parameter(0).toHaveProperty('apiKey').toEqualTypeOf<string>();
    expectTypeOf(gusto).parameter(0).toHaveProperty('companyUuid').toEqualTypeOf<string>();
    expectTypeOf(gusto).parameter(0).toHaveProperty('accessToken').toEqualTypeOf<string>();
    expectTypeOf(rippling).parameter(0).toHaveProperty('apiToken').toEqualTypeOf<string>();
    expectTypeOf(scim).parameter(0).toHaveProperty('token').toEqualTypeOf<string>();
    expectTypeOf(workday).parameter(0).toHaveProperty('tenant').toEqualTypeOf<string>();
    expectTypeOf(workday).parameter(0).toHaveProperty('password').toEqualTypeOf<string>();
    expectTypeOf(bamboohr).returns.toMatchTypeOf<Connector<any>>();
  });

  it('the model', () => {
    expectTypeOf<EmploymentStatus>().toEqualTypeOf<'ACTIVE' | 'PENDING' | 'LEAVE' | 'TERMINATED' | 'UNKNOWN'>();
    expectTypeOf<Employee['id']>().toEqualTypeOf<string>();
    expectTypeOf<Employee['managerId']>().toEqualTypeOf<string | null>();
    expectTypeOf<Employee['groupIds']>().toEqualTypeOf<string[]>();
    expectTypeOf<Employee['startDate']>().toEqualTypeOf<string | null>();
    expectTypeOf<OrgSnapshot['complete']>().toEqualTypeOf<true>();
    expectTypeOf<OrgSnapshot['employees']>().toEqualTypeOf<Employee[]>();
  });

  it('snapshots, diffs, plans', () => {
    expectTypeOf(takeSnapshot).returns.resolves.toEqualTypeOf<OrgSnapshot>();
    expectTypeOf(sync).returns.resolves.toHaveProperty('snapshot').toEqualTypeOf<OrgSnapshot>();
    expectTypeOf(diffSnapshots).returns.toEqualTypeOf<ChangeEvent[]>();
    expectTypeOf(planProvisioning).returns.toEqualTypeOf<ProvisioningPlan>();
    expectTypeOf(applyPlan).parameter(0).toEqualTypeOf<ProvisioningPlan>();
    expectTypeOf(buildOrgChart).parameter(0).toEqualTypeOf<OrgSnapshot>();
  });

  it('errors', () => {
    expectTypeOf<ErrorKind>().toEqualTypeOf<'config' | 'auth' | 'rate_limited' | 'transient' | 'vendor' | 'validation' | 'incomplete'>();
    expectTypeOf<OrgsyncError['kind']>().toEqualTypeOf<ErrorKind>();
    expectTypeOf<OrgsyncError['retryable']>().toEqualTypeOf<boolean>();
  });

  it('testing kit', () => {
    expectTypeOf(runConnectorConformance).returns.toEqualTypeOf<void>();
    expectTypeOf(replayFixtures).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(startSimulator).returns.resolves.toHaveProperty('url').toEqualTypeOf<string>();
    expectTypeOf(sampleOrg).returns.toHaveProperty('people');
  });
});
