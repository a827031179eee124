/**
 * Secret redaction. Every secret a connector is given (API keys, tokens, passwords) and every
 * derived form of it (Basic auth header values, base64) is registered with a Redactor, and all
 * text that can leave the SDK (error messages, log lines, progress events) passes through it.
 */

export const REDACTED = '[REDACTED]';

export class Redactor {
  private secrets: string[] = [];
  /** One case-insensitive alternation of every form (longest first), built on first use. */
  private pattern: { test: RegExp; all: RegExp } | null = null;

  private matcher(): { test: RegExp; all: RegExp } | null {
    if (this.secrets.length === 0) return null;
    if (!this.pattern) {
      const alts = [...new Set(this.secrets.map((f) => f.toLowerCase()))]
        .sort((a, b) => b.length - a.length)
        .map(escapeRegExp)
        .join('|');
      this.pattern = { test: new RegExp(alts, 'i'), all: new RegExp(alts, 'gi') };
    }
    return this.pattern;
  }

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  /**
   * Register a secret and every form a vendor may echo it back in: as is, lower- and upper-cased,
   * URL-encoded (upper- or lower-case hex), form-encoded (`+` for spaces), base64 and base64url
   * (with and without padding). Secrets shorter than 4 characters are ignored (too likely to match
   * normal text).
   */
  add(secret: string | undefined | null): this {
    if (!secret || secret.length < 4) return this;
    for (const f of secretForms(secret)) if (f.length >= 4 && !this.secrets.includes(f)) this.secrets.push(f);
    this.secrets.sort((a, b) => b.length - a.length);
    this.pattern = null;
    return this;
  }

  /** Register the credentials of a Basic auth header (user, pass, and every form of `user:pass`). */
  addBasic(user: string, pass: string): this {
    this.add(user);
    if (pass.length >= 4) this.add(pass);
    this.add(`${user}:${pass}`);
    return this;
  }

  redact(text: string): string {
    const m = this.matcher();
    let out = m ? text.replace(m.all, REDACTED) : text;
    // Authorization headers of any scheme, whatever their value.
    out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer|token)\s+[^\s"',}]+/gi, `$1$2 ${REDACTED}`);
    return out;
  }

  /** True when a registered secret occurs in the text, in any case (one regex pass: fast on large bodies). */
  containsSecret(text: string): boolean {
    return this.matcher()?.test.test(text) ?? false;
  }

  /** True when any registered secret (or an Authorization header value) occurs in the text. */
  leaks(text: string): boolean {
    if (this.containsSecret(text)) return true;
    return /authorization["']?\s*[:=]\s*["']?(basic|bearer|token)\s+[^\s"',}]/i.test(text);
  }

  /**
   * Return the value unchanged when its JSON holds no secret (one serialization: cheap for large
   * snapshots), else a deep-redacted copy.
   */
  scrub<T>(value: T): T {
    return this.leaks(JSON.stringify(value) ?? '') ? this.redactValue(value) : value;
  }

  /**
   * Make an error safe to print, log or serialize, in place: the message and stack of the error and
   * of every error in its `cause` chain are redacted, and its other own properties too (an attached
   * `response`, `config` or `request` object is replaced by a redacted plain copy of its data), so
   * `util.inspect(err)`, `String(err)`, `JSON.stringify(err)` and `console.error(err)` show no secret.
   * Returns the same error.
   */
  redactError<T>(error: T): T {
    const seen = new Set<unknown>();
    let cur: unknown = error;
    for (let depth = 0; cur && typeof cur === 'object' && !seen.has(cur) && depth < 20; depth++) {
      seen.add(cur);
      const e = cur as Record<string, unknown>;
      for (const key of Reflect.ownKeys(e)) {
        if (typeof key !== 'string' || key === 'cause') continue;
        const desc = Object.getOwnPropertyDescriptor(e, key);
        if (!desc || !('value' in desc)) continue;
        const v = desc.value;
        let safe: unknown;
        if (typeof v === 'string') safe = this.redact(v);
        else if (/^(config|request|response|headers|req|res|socket|agent)$/i.test(key))
          safe = this.redactValue(plain(v));
        else if (v && typeof v === 'object') safe = this.redactValue(plain(v));
        else continue;
        if (safe === v) continue;
        try {
          Object.defineProperty(e, key, { ...desc, value: safe });
        } catch {
          /* a frozen property: leave it (messages and stacks of Error objects are always writable) */
        }
      }
      cur = e['cause'];
      if (cur !== undefined && cur !== null && typeof cur !== 'object') {
        try {
          Object.defineProperty(e, 'cause', {
            value: this.redact(String(cur)),
            writable: true,
            configurable: true,
            enumerable: false,
          });
        } catch {
          /* ignore */
        }
        break;
      }
    }
    return error;
  }

  /** Deep-redact a JSON-like value (strings anywhere inside). */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const redacted = /^(authorization|password|api[-_]?key|token|access[-_]?token|secret)$/i.test(k)
          ? REDACTED
          : this.redactValue(v);
        // defineProperty, not assignment: a `__proto__` key in vendor data stays plain data.
        Object.defineProperty(out, k, { value: redacted, enumerable: true, writable: true, configurable: true });
      }
      return out as T;
    }
    return value;
  }
}

/** Every form of one secret worth looking for in text a vendor sends back. */
export function secretForms(secret: string): Set<string> {
  const forms = new Set<string>();
  for (const base of new Set([secret, secret.toLowerCase(), secret.toUpperCase()])) {
    const url = encodeURIComponent(base);
    const b64 = Buffer.from(base).toString('base64');
    const b64url = Buffer.from(base).toString('base64url');
    forms.add(base);
    forms.add(url);
    forms.add(url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    forms.add(new URLSearchParams({ x: base }).toString().slice(2));
    forms.add(b64);
    forms.add(b64.replace(/=+$/, ''));
    forms.add(b64url);
  }
  return forms;
}

/** A JSON-like copy of a value (own enumerable data only, cycles and functions dropped). */
function plain(v: unknown): unknown {
  try {
    const seen = new WeakSet<object>();
    return JSON.parse(
      JSON.stringify(v, (_k, x: unknown) => {
        if (typeof x === 'bigint') return String(x);
        if (x && typeof x === 'object') {
          if (seen.has(x)) return undefined;
          seen.add(x);
        }
        return x;
      }) ?? 'null',
    );
  } catch {
    return '[unserializable]';
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
