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
import {
  runConnectorConformance,
  replayFixtures,
  startSimulator,
  sampleOrg,
  simulators,
  applySampleChanges,
  type RunningSimulator,
} from '../../src/testing/index.js';
import * as api from '../../src/index.js';
import * as testing from '../../src/testing/index.js';
import { expect } from 'vitest';

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
    expectTypeOf<ErrorKind>().toEqualTypeOf<
      'config' | 'auth' | 'rate_limited' | 'transient' | 'vendor' | 'validation' | 'incomplete'
    >();
    expectTypeOf<OrgsyncError['kind']>().toEqualTypeOf<ErrorKind>();
    expectTypeOf<OrgsyncError['retryable']>().toEqualTypeOf<boolean>();
  });

  it('formatChangesText reads names from the events', () => {
    expectTypeOf(api.formatChangesText).parameter(0).toEqualTypeOf<readonly ChangeEvent[]>();
    expectTypeOf<api.FieldChange['beforeLabel']>().toEqualTypeOf<string | string[] | undefined>();
  });

  it('the runtime surface: what users need, no internal helpers', () => {
    const names = Object.keys(api);
    for (const internal of [
      '__fastEmployeeValidation',
      'csvCell',
      'dotString',
      'mermaidLabel',
      'escapeHtml',
      'deepEqual',
      'stableStringify',
      'getHeader',
      'getHeaderValues',
    ]) {
      expect(names, internal).not.toContain(internal);
    }
    for (const needed of [
      'takeSnapshot',
      'sync',
      'diffSnapshots',
      'formatChangesText',
      'summarizeChanges',
      'buildOrgChart',
      'orgChartToHtml',
      'planProvisioning',
      'applyPlan',
      'loadRuleSet',
      'FileJournal',
      'defineConnector',
      'offsetPaging',
      'verifyGustoWebhook',
      'createScimHandler',
      'OrgsyncError',
      'ConfigError',
      'readSnapshotFile',
      'writeSnapshotFile',
    ]) {
      expect(names, needed).toContain(needed);
    }
    expect(Object.keys(testing).sort()).toEqual([
      'SimTokenIssuer',
      'applySampleChanges',
      'assertSamplePeople',
      'basicAuth',
      'bearerToken',
      'checkSamplePeople',
      'errorText',
      'hasOpenssl',
      'replayFixtures',
      'runConnectorConformance',
      'sampleOrg',
      'simulators',
      'startSimulator',
      'testPki',
    ]);
  });

  it('testing kit', () => {
    expectTypeOf(simulators).toEqualTypeOf<Record<string, import('../../src/testing/index.js').VendorSimulator>>();
    expectTypeOf(simulators['bamboohr']!.start).returns.resolves.toEqualTypeOf<RunningSimulator>();
    expectTypeOf<RunningSimulator['options']>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf(applySampleChanges).returns.toHaveProperty('people');
    expectTypeOf(runConnectorConformance).returns.toEqualTypeOf<void>();
    expectTypeOf(replayFixtures).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(startSimulator).returns.resolves.toHaveProperty('url').toEqualTypeOf<string>();
    expectTypeOf(sampleOrg).returns.toHaveProperty('people');
  });
});
