/**
 * The axios adapter of the request pipeline: axios stays the request API (config, interceptors,
 * transforms, `validateStatus`, its error types), and this adapter sends the request over Node's
 * `http`/`https` with nothing else on the way. Measured against plain `http` + `JSON.parse` in one
 * bench run (`npm run bench -- --only transport`), axios' own http adapter costs about 1.5-1.9x
 * on 1,000 requests of 167 KB: per request it re-reads its config through several layers, sets up
 * a redirect-capable request, a stream pipeline and socket keep-alive options. This adapter does
 * what the pipeline needs: the agents it is given (keep-alive, client certificates), the body
 * collected into one buffer with the `maxContentLength` check, gzip/deflate/br decompression,
 * the idle `timeout`, `AbortSignal` cancellation, a body sink for streamed JSON (`bodySink`: the
 * decoded chunks go to the pipeline's record splitter as they arrive instead of being collected),
 * and the same error codes axios' adapter uses
 * (`ERR_CANCELED`, `ECONNABORTED`, `ERR_BAD_RESPONSE`, the socket's own codes). Anything else
 * (streams, form data, `params`, `baseURL`, credentials in the URL, proxies) goes to axios' own
 * http adapter.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';

/**
 * The parts of axios the adapter uses, handed in by the pipeline: src/http/client.ts stays the one
 * module that imports axios (an architecture rule with its own test). Pass the axios default export.
 */
export interface AxiosParts {
  AxiosError: any;
  AxiosHeaders: any;
  CanceledError: any;
  getAdapter(name: 'http'): (config: any) => Promise<any>;
  VERSION: string;
}

/** What the adapter reads of axios' request config (`InternalAxiosRequestConfig`). */
interface AdapterConfig {
  url?: string | undefined;
  method?: string | undefined;
  baseURL?: string | undefined;
  params?: unknown;
  auth?: unknown;
  socketPath?: string | null | undefined;
  proxy?: unknown;
  maxRedirects?: number | undefined;
  responseType?: string | undefined;
  data?: unknown;
  headers?: unknown;
  signal?: unknown;
  timeout?: number | undefined;
  timeoutErrorMessage?: string | undefined;
  transitional?: { clarifyTimeoutError?: boolean } | undefined;
  maxContentLength?: number | undefined;
  maxBodyLength?: number | undefined;
  httpAgent?: http.Agent | undefined;
  httpsAgent?: https.Agent | undefined;
  validateStatus?: ((status: number) => boolean) | null | undefined;
  /**
   * Where a response body goes as it arrives instead of being collected (the pipeline's streaming
   * JSON, src/http/json-records.ts): asked once the status and headers are known; undefined keeps
   * the body whole. The sink gets the decoded chunks (the size limit still applies) and its `end()`
   * becomes `response.data`; it must not throw.
   */
  bodySink?: ((status: number, headers: http.IncomingHttpHeaders) => BodySink | undefined) | undefined;
}

/** A consumer of a response body's decoded chunks (see `AdapterConfig.bodySink`). */
export interface BodySink {
  write(chunk: Buffer): void;
  end(): unknown;
}

const ZLIB_LENIENT = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };

function handledHere(config: AdapterConfig): boolean {
  const data = config.data as unknown;
  return (
    typeof config.url === 'string' &&
    /^https?:\/\//i.test(config.url) &&
    !config.baseURL &&
    !config.params &&
    !config.auth &&
    !config.socketPath &&
    config.proxy === false &&
    (config.maxRedirects ?? 0) === 0 &&
    (config.responseType === undefined || config.responseType === 'text' || config.responseType === 'arraybuffer') &&
    (data === undefined || data === null || typeof data === 'string' || Buffer.isBuffer(data))
  );
}

/**
 * Decode a compressed body in one call (the body is collected first anyway); lenient on a cut-off
 * stream as axios is (what was decoded is returned; the JSON parse then reports the truncation).
 * Undefined for an encoding not handled here (the body is returned as it came, as axios does).
 */
function decode(encoding: string, body: Buffer, max: number): Buffer | undefined {
  const limit = max > -1 ? { maxOutputLength: Math.max(1, max) } : {};
  switch (encoding.toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, { ...ZLIB_LENIENT, ...limit });
    case 'deflate':
      // zlib-wrapped as the standard says, or raw deflate as some servers send it
      return (body[0]! & 0x0f) === 0x08
        ? zlib.inflateSync(body, { ...ZLIB_LENIENT, ...limit })
        : zlib.inflateRawSync(body, { ...ZLIB_LENIENT, ...limit });
    case 'br':
      return zlib.brotliDecompressSync(body, {
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
        ...limit,
      });
    default:
      return undefined;
  }
}

/** A streaming decoder for a compressed body (lenient on a cut-off stream, as `decode` is); undefined: not compressed here. */
function decoder(
  encoding: string,
  first: Buffer,
): zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | undefined {
  switch (encoding.toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(ZLIB_LENIENT);
    case 'deflate':
      return (first[0]! & 0x0f) === 0x08 ? zlib.createInflate(ZLIB_LENIENT) : zlib.createInflateRaw(ZLIB_LENIENT);
    case 'br':
      return zlib.createBrotliDecompress({
        flush: zlib.constants.BROTLI_OPERATION_FLUSH,
        finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      });
    default:
      return undefined;
  }
}

/** The adapter (an axios `AxiosAdapter`); see the file comment for what is and is not handled here. */
export function createNodeHttpAdapter(ax: AxiosParts): (config: AdapterConfig) => Promise<unknown> {
  const { AxiosError, AxiosHeaders, CanceledError } = ax;
  const axiosHttp = ax.getAdapter('http');
  return (config) => (handledHere(config) ? send(config) : axiosHttp(config));

  function send(config: AdapterConfig): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const url = new URL(config.url!);
      if (url.username || url.password) return resolve(axiosHttp(config));
      const isHttps = url.protocol === 'https:';
      const method = (config.method ?? 'get').toUpperCase();
      const signal = config.signal as AbortSignal | undefined;
      let done = false;
      const fail = (e: unknown) => {
        if (done) return;
        done = true;
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      };
      if (signal?.aborted) return fail(new CanceledError(undefined, config));

      const headers = AxiosHeaders.from(config.headers).toJSON(true) as Record<string, string | string[]>;
      const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
      if (!has('user-agent')) headers['User-Agent'] = `axios/${ax.VERSION}`;
      if (!has('accept-encoding')) headers['Accept-Encoding'] = 'gzip, deflate, br';
      const raw = config.data as string | Buffer | undefined | null;
      const body = raw === undefined || raw === null ? undefined : typeof raw === 'string' ? Buffer.from(raw) : raw;
      if (body) {
        const maxBody = config.maxBodyLength ?? -1;
        if (maxBody > -1 && body.length > maxBody) {
          return fail(
            new AxiosError('Request body larger than maxBodyLength limit', AxiosError.ERR_BAD_REQUEST, config),
          );
        }
        headers['Content-Length'] = String(body.length);
      }

      const agent = isHttps ? config.httpsAgent : config.httpAgent;
      const req = (isHttps ? https : http).request(url, { method, headers, ...(agent ? { agent } : {}) });
      function onAbort() {
        req.destroy();
        fail(new CanceledError(undefined, config, req));
      }
      signal?.addEventListener('abort', onAbort, { once: true });

      req.on('error', (err) => fail(AxiosError.from(err, undefined, config, req)));
      const timeout = config.timeout ?? 0;
      if (timeout > 0) {
        req.setTimeout(timeout, () => {
          const clarify = config.transitional?.clarifyTimeoutError;
          req.destroy();
          fail(
            new AxiosError(
              config.timeoutErrorMessage ?? `timeout of ${timeout}ms exceeded`,
              clarify ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED,
              config,
              req,
            ),
          );
        });
      }

      req.on('response', (res) => {
        if (done) return void res.resume();
        const status = res.statusCode ?? 0;
        const responseHeaders = new AxiosHeaders(res.headers);
        const response: { data: unknown; [k: string]: unknown } = {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
          config,
          request: req,
          data: undefined,
        };
        const encoding = method === 'HEAD' || status === 204 ? undefined : res.headers['content-encoding'];
        const max = config.maxContentLength ?? -1;
        const tooLarge = () =>
          new AxiosError(`maxContentLength size of ${max} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, req);
        const settle = () => {
          done = true;
          signal?.removeEventListener('abort', onAbort);
          const validate = config.validateStatus;
          if (!status || !validate || validate(status)) resolve(response);
          else
            reject(
              new AxiosError(
                `Request failed with status code ${status}`,
                status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
                config,
                req,
                response,
              ),
            );
        };
        const sink = method === 'HEAD' || status === 204 ? undefined : config.bodySink?.(status, res.headers);
        if (sink) return void stream(sink);
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (max > -1 && size > max) {
            req.destroy();
            fail(tooLarge());
          }
        });
        res.on('aborted', () => {
          req.destroy();
          fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, req, response));
        });
        res.on('error', (e: Error) => fail(AxiosError.from(e, undefined, config, req, response)));
        res.on('end', () => {
          if (done) return;
          let buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
          if (encoding && buffer.length > 0) {
            try {
              const decoded = decode(encoding, buffer, max);
              if (decoded) {
                buffer = decoded;
                responseHeaders.delete('content-encoding');
              }
            } catch (e) {
              const err = e as { code?: string };
              return fail(
                err.code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge() : AxiosError.from(e, undefined, config, req, response),
              );
            }
          }
          if (config.responseType === 'arraybuffer') response.data = buffer;
          else {
            const text = buffer.toString('utf8');
            response.data = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
          }
          settle();
        });

        /** The body goes to the sink chunk by chunk (decompressed as it arrives); nothing is collected here. */
        function stream(into: BodySink): void {
          let received = 0;
          let decoded = 0;
          let inflater: ReturnType<typeof decoder> | null = null; // null: not decided yet (first chunk)
          const feed = (chunk: Buffer) => {
            if (done) return;
            decoded += chunk.length;
            if (max > -1 && decoded > max) {
              req.destroy();
              return fail(tooLarge());
            }
            into.write(chunk);
          };
          const finish = () => {
            if (done) return;
            if (inflater) responseHeaders.delete('content-encoding');
            response.data = into.end();
            settle();
          };
          res.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (max > -1 && received > max) {
              req.destroy();
              return fail(tooLarge());
            }
            if (inflater === null) {
              inflater = encoding && chunk.length > 0 ? decoder(encoding, chunk) : undefined;
              if (inflater) {
                inflater.on('data', feed);
                inflater.on('error', (e: Error) => fail(AxiosError.from(e, undefined, config, req, response)));
                inflater.on('end', finish);
              }
            }
            if (inflater) inflater.write(chunk);
            else feed(chunk);
          });
          res.on('aborted', () => {
            req.destroy();
            fail(new AxiosError('stream has been aborted', AxiosError.ERR_BAD_RESPONSE, config, req, response));
          });
          res.on('error', (e: Error) => fail(AxiosError.from(e, undefined, config, req, response)));
          res.on('end', () => {
            if (inflater) inflater.end();
            else finish();
          });
        }
      });
      req.end(body);
    });
  }
}
