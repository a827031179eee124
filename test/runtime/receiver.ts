/** A real HTTP(S) receiver on 127.0.0.1 for the delivery tests: verifies every request, can fail or stall on cue. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { verifyEventDelivery, type EventDeliveryBody } from '../../src/runtime/index.js';

export interface Received {
  body: EventDeliveryBody;
  verified: boolean;
  error?: string;
  at: number;
}

export interface Receiver {
  url: string;
  /** Every request, in arrival order. */
  requests: Received[];
  /** Bodies of requests answered 2xx. */
  accepted: EventDeliveryBody[];
  secret: string;
  /** Next answers: a status, or 'hang' (answer after `hangMs`), or 'accept-then-500' (record as accepted, answer 500). */
  script: Array<number | 'hang' | 'accept-then-500'>;
  /** Answer when the script is empty (default 200). */
  fallback: number;
  hangMs: number;
  /** Requests in flight now, and the most seen at once per tenant. */
  inflight: Map<string, number>;
  maxInflightPerTenant: number;
  close(): Promise<void>;
}

export async function startReceiver(o: { tls?: { key: string; cert: string } } = {}): Promise<Receiver> {
  const r: Receiver = {
    url: '',
    requests: [],
    accepted: [],
    secret: '',
    script: [],
    fallback: 200,
    hangMs: 2000,
    inflight: new Map(),
    maxInflightPerTenant: 0,
    close: async () => undefined,
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: EventDeliveryBody;
      let verified = true;
      let error: string | undefined;
      try {
        body = verifyEventDelivery({ rawBody: raw, headers: req.headers, secret: r.secret });
      } catch (e) {
        verified = false;
        error = (e as Error).message;
        body = JSON.parse(raw.toString('utf8'));
      }
      r.requests.push({ body, verified, ...(error ? { error } : {}), at: Date.now() });
      const t = body.tenantId;
      r.inflight.set(t, (r.inflight.get(t) ?? 0) + 1);
      r.maxInflightPerTenant = Math.max(r.maxInflightPerTenant, r.inflight.get(t)!);
      const step = r.script.length ? r.script.shift()! : r.fallback;
      const answer = (status: number) => {
        r.inflight.set(t, r.inflight.get(t)! - 1);
        if (res.destroyed) return;
        res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      };
      if (!verified) return answer(401);
      if (step === 'hang') return void setTimeout(() => answer(200), r.hangMs);
      if (step === 'accept-then-500') {
        r.accepted.push(body);
        return answer(500);
      }
      if (step >= 200 && step < 300) r.accepted.push(body);
      answer(step);
    });
  };
  const server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}/orgsync/events`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  return r;
}
