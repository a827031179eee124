/**
 * A local Paylocity: serves the sample company in Paylocity's wire format, checks auth, pages like the
 * vendor. The conformance suite and the demo run against it.
 */
import type { SampleOrg } from '../../src/simulator/sample-org.js';
import { bearerToken, type SimResponse, type VendorRoutes } from '../../src/simulator/server.js';

export interface PaylocitySimData {
  token: string;
  employees: Array<Record<string, unknown>>;
  departments: Array<Record<string, unknown>>;
}

export function paylocityDataFromSample(org: SampleOrg): PaylocitySimData {
  // TODO: render every sample person exactly as the vendor would send them.
  void org;
  throw new Error('paylocity: the simulator data is not written yet');
}

export function paylocityRoutes(data: PaylocitySimData): VendorRoutes {
  return {
    vendor: 'paylocity',
    route: (p) => (p.startsWith('/v1/') ? p.slice(3) : null),
    handle(req): SimResponse {
      if (bearerToken(req.headers) !== data.token) return { status: 401, body: { error: 'invalid token' } };
      const offset = Number(req.query.get('offset') ?? 0);
      const limit = Math.min(100, Number(req.query.get('limit') ?? 100));
      if (req.path === '/employees') return { status: 200, body: { employees: data.employees.slice(offset, offset + limit) } };
      if (req.path === '/departments') return { status: 200, body: { departments: data.departments } };
      return { status: 404, body: { error: 'not found' } };
    },
  };
}
