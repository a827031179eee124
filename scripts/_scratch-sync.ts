import { performance } from 'node:perf_hooks';
import { sampleOrg } from '../src/simulator/sample-org.js';
import { simulators } from '../connectors/simulators.js';
import { connectors } from '../connectors/index.js';
import { sync } from '../src/sync.js';
import { parseKeyring, generateKeySpec } from '../src/runtime/index.js';
import { Redactor } from '../src/redact.js';
const running = await simulators['bamboohr']!.start(sampleOrg({ size: 50 }));
const { apiKey, ...options } = running.options as Record<string, string>;
const http = { rateLimit: { requests: 1_000_000, intervalMs: 1000, concurrency: 16 } };
const f = connectors['bamboohr']!;
const first = await sync(f({ ...options, apiKey, http } as any), {});
const prevText = JSON.stringify(first.snapshot);
const kr = parseKeyring(generateKeySpec());
const ct = kr.encrypt(JSON.stringify({ apiKey }), 't1');
const variants: Record<string, () => Promise<unknown>> = {
  plain: () => sync(f({ ...options, apiKey, http } as any), { previous: first.snapshot }),
  signal: () => sync(f({ ...options, apiKey, http: { ...http, signal: new AbortController().signal } } as any), { previous: first.snapshot }),
  progress: () => { let n = 0; return sync(f({ ...options, apiKey, http: { ...http, onProgress: (e: any) => void (e.type === 'request' && n++) } } as any), { previous: first.snapshot }); },
  parsedPrev: () => sync(f({ ...options, apiKey, http } as any), { previous: JSON.parse(prevText) }),
  decrypt: async () => { const c = JSON.parse(kr.decrypt(ct, 't1')); const r = new Redactor(); for (const v of Object.values(c)) r.add(v as string); },
  decOnly: async () => JSON.parse(kr.decrypt(ct, 't1')),
  redactor: async () => { const r = new Redactor(); r.add(apiKey!); },
  construct: async () => f({ ...options, apiKey, http } as any),
};
for (let i = 0; i < 30; i++) for (const v of Object.values(variants)) await v();
const sums: Record<string, number> = {};
for (let i = 0; i < 300; i++) for (const [k, v] of Object.entries(variants)) { const t = performance.now(); await v(); sums[k] = (sums[k] ?? 0) + performance.now() - t; }
for (const [k, v] of Object.entries(sums)) console.log(k.padEnd(12), (v / 300).toFixed(3));
await running.sim.close();
