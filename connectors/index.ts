/** Registry of shipped connectors: id -> factory. The CLI and the conformance suite read it. */
import type { ConnectorFactory } from '../src/connector/define.js';
import { bamboohr } from './bamboohr/index.js';
import { gusto } from './gusto/index.js';
import { hibob } from './hibob/index.js';
import { deel } from './deel/index.js';
import { personio } from './personio/index.js';
import { rippling } from './rippling/index.js';
import { scim } from './scim/index.js';
import { workday } from './workday/index.js';
import { adpWfn } from './adp-wfn/index.js';
import { paylocity } from './paylocity/index.js';

export { adpWfn, bamboohr, deel, gusto, hibob, paylocity, personio, rippling, scim, workday };

export const connectors: Record<string, ConnectorFactory<any>> = {
  bamboohr,
  gusto,
  hibob,
  deel,
  personio,
  rippling,
  scim,
  workday,
  'adp-wfn': adpWfn,
  paylocity,
};
