/**
 * A rate budget per vendor x credential shared by every worker: a token bucket in Redis (one Lua
 * script, Redis's own clock, so worker clock skew does not matter) plus a "blocked until" key that a
 * vendor's 429/503 + Retry-After sets for everyone. Concurrency stays per process (p-limit).
 * Plugs into the request pipeline through `HttpOptions.limiter` (see src/http/rate-limit.ts).
 */
import { createRequire } from 'node:module';
import pLimit, { type LimitFunction } from 'p-limit';
import { ConfigError } from '../errors.js';
import type { LimiterKey, LimiterProvider, RateLimitStrategy } from '../http/rate-limit.js';
import { sleep } from '../http/timing.js';

const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'last')
local tokens = tonumber(b[1]) or burst
local last = tonumber(b[2]) or now
if now > last then tokens = math.min(burst, tokens + (now - last) * rate) last = now end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'last', tostring(last))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[2]) or '0')
if untilMs > cur then redis.call('SET', KEYS[2], tostring(untilMs), 'PX', ARGV[1]) end
redis.call('HSET', KEYS[1], 'tokens', '0', 'last', tostring(untilMs))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + 600000)
return 1`;

export interface RedisLimiterOptions {
  connection: string | { host: string; port: number; [k: string]: unknown };
  /** Key prefix (default `orgsync`). */
  prefix?: string;
  /** Reports each 429 pause (metrics). */
  onPause?: (key: LimiterKey, ms: number) => void;
}

export interface RedisLimiter {
  provider: LimiterProvider;
  close(): Promise<void>;
}

export function redisRateLimiter(o: RedisLimiterOptions): RedisLimiter {
  const require = createRequire(import.meta.url);
  let Redis: new (a: unknown) => any;
  try {
    Redis = require('ioredis').Redis ?? require('ioredis');
  } catch (e) {
    throw new ConfigError({
      message: `the shared rate limiter needs ioredis (npm install ioredis@5): ${(e as Error).message}`,
      code: 'dependency_missing',
    });
  }
  const redis = typeof o.connection === 'string' ? new Redis(o.connection) : new Redis({ ...o.connection });
  redis.on('error', () => undefined);
  redis.defineCommand('orgsyncTake', { numberOfKeys: 2, lua: TAKE });
  redis.defineCommand('orgsyncPause', { numberOfKeys: 2, lua: PAUSE });
  const prefix = o.prefix ?? 'orgsync';
  const limiters = new Map<string, RateLimitStrategy>();

  const make = (key: LimiterKey): RateLimitStrategy => {
    const opts = key.options;
    const base = `${prefix}:rl:${key.vendor}:${key.credentialHash}`;
    const keys = [`${base}:bucket`, `${base}:blocked`];
    const rate = Number.isFinite(opts.requests)
      ? (opts.requests * (1 - (opts.headroom ?? 0.03))) / opts.intervalMs
      : Infinity;
    const burst = Number.isFinite(opts.requests)
      ? Math.max(1, Math.min(opts.requests, Math.ceil((opts.requests * 1000) / opts.intervalMs)))
      : Infinity;
    const ttl = Math.max(60_000, opts.intervalMs * 2);
    const limit: LimitFunction = pLimit(Math.max(1, opts.concurrency));
    let localPause = 0;
    const acquire = async (signal?: AbortSignal): Promise<void> => {
      for (;;) {
        if (localPause > Date.now()) await sleep(localPause - Date.now(), signal);
        if (rate === Infinity) return;
        const wait = Number(await redis.orgsyncTake(keys[0], keys[1], String(rate), String(burst), String(ttl)));
        if (wait <= 0) return;
        await sleep(Math.max(1, wait), signal);
      }
    };
    return {
      schedule: (fn, signal) =>
        limit(async () => {
          await acquire(signal);
          return fn();
        }),
      pause(ms) {
        localPause = Math.max(localPause, Date.now() + ms);
        o.onPause?.(key, ms);
        void redis.orgsyncPause(keys[0], keys[1], String(Math.max(1, Math.ceil(ms)))).catch(() => undefined);
      },
    };
  };

  return {
    provider(key) {
      const id = `${key.vendor}:${key.credentialHash}:${key.options.requests}/${key.options.intervalMs}/${key.options.concurrency}`;
      let l = limiters.get(id);
      if (!l) limiters.set(id, (l = make(key)));
      return l;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
