/**
 * Adapters from the framework-agnostic handler to servers: Node's `http.createServer` listener and
 * an Express-compatible middleware (typed structurally: express is not imported). Both read the
 * request body themselves with the handler's size limit (a larger body is answered 413 with a SCIM
 * error as soon as the limit is crossed, without reading the rest).
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { scimErrorBody } from './errors.js';
import type { ScimHandler, ScimResponse } from './handler.js';

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}

function send(res: ServerResponse, r: ScimResponse, close = false): void {
  const headers: Record<string, string> = { ...r.headers };
  let payload: Buffer | undefined;
  if (r.body !== undefined && r.status !== 204) {
    payload = Buffer.from(JSON.stringify(r.body), 'utf8');
    headers['content-length'] = String(payload.length);
  }
  if (close) headers['connection'] = 'close';
  res.writeHead(r.status, headers);
  res.end(payload);
}

function tooLarge(limit: number): ScimResponse {
  return {
    status: 413,
    headers: { 'content-type': 'application/scim+json; charset=utf-8' },
    body: scimErrorBody(413, undefined, `The request body is larger than the limit of ${limit} bytes.`),
  };
}

function originOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  if (!host || !/^[\w.:[\]-]+$/.test(host)) return undefined;
  const fwd = String(req.headers['x-forwarded-proto'] ?? '')
    .split(',')[0]
    ?.trim();
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${fwd === 'https' || tls ? 'https' : 'http'}://${host}`;
}

/**
 * A `clientError` listener for a Node server: requests Node itself refuses before the handler sees
 * them (a request line or headers over `maxHeaderSize`: a very long GET filter; malformed HTTP) are
 * answered with a SCIM error body (431 / 400), not Node's empty-bodied response.
 * Use: `server.on('clientError', scimClientErrorListener)`.
 */
export function scimClientErrorListener(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const overflow = err.code === 'HPE_HEADER_OVERFLOW';
  const status = overflow ? 431 : 400;
  const detail = overflow
    ? 'The request line or headers are too large (a filter this long is refused; use POST /.search with a shorter filter).'
    : 'The request is not valid HTTP.';
  const body = JSON.stringify(scimErrorBody(status, undefined, detail));
  const reason = overflow ? 'Request Header Fields Too Large' : 'Bad Request';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/scim+json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** A `(req, res)` listener for `http.createServer` / `https.createServer`. */
export function toNodeListener(handler: ScimHandler): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void (async () => {
      let body: Buffer;
      try {
        body = await readBody(req, handler.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          send(res, tooLarge(handler.maxBodyBytes), true);
          req.resume();
          return;
        }
        res.destroy();
        return;
      }
      const origin = originOf(req);
      const r = await handler.handle({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: body.length ? body : undefined,
        ...(origin ? { baseUrl: `${origin}${handler.basePath}` } : {}),
      });
      send(res, r);
    })().catch(() => {
      if (!res.headersSent)
        send(res, {
          status: 500,
          headers: { 'content-type': 'application/scim+json; charset=utf-8' },
          body: scimErrorBody(500, undefined, 'Internal server error.'),
        });
      else res.destroy();
    });
  };
}

/** The parts of an Express request the middleware uses (no dependency on express's types). */
export interface ExpressLikeRequest extends IncomingMessage {
  /** The path the middleware is mounted at (`app.use('/scim/v2', mw)` -> `/scim/v2`). */
  baseUrl?: string;
  /** A body a body-parser already read (only used when it did: `_body` set). */
  body?: unknown;
  _body?: boolean;
}

/**
 * Express middleware: `app.use('/scim/v2', toExpressMiddleware(handler))`. Paths are taken relative
 * to where it is mounted. Works with or without `express.json()` before it (note `express.json()`
 * only parses `application/json` by default, not `application/scim+json`: without a matching
 * parser the middleware reads the body itself).
 */
export function toExpressMiddleware(
  handler: ScimHandler,
): (req: ExpressLikeRequest, res: ServerResponse, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    void (async () => {
      let body: unknown;
      if (req._body === true) body = req.body;
      else {
        try {
          const buf = await readBody(req, handler.maxBodyBytes);
          body = buf.length ? buf : undefined;
        } catch (e) {
          if (e instanceof BodyTooLarge) {
            send(res, tooLarge(handler.maxBodyBytes), true);
            req.resume();
            return;
          }
          next(e);
          return;
        }
      }
      const origin = originOf(req);
      const mount = (req.baseUrl ?? '').replace(/\/+$/, '');
      const r = await handler.handle({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body,
        ...(origin ? { baseUrl: `${origin}${mount}` } : {}),
      });
      send(res, r);
    })().catch(next);
  };
}
