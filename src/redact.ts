/**
 * Secret redaction. Every secret a connector is given (API keys, tokens, passwords) and every
 * derived form of it (Basic auth header values, base64) is registered with a Redactor, and all
 * text that can leave the SDK (error messages, log lines, progress events) passes through it.
 */

export const REDACTED = '[REDACTED]';

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Register a secret and its common encodings. Secrets shorter than 4 characters are ignored (too likely to match normal text). */
  add(secret: string | undefined | null): this {
    if (!secret || secret.length < 4) return this;
    const forms = new Set<string>([secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
    for (const f of forms) if (!this.secrets.includes(f)) this.secrets.push(f);
    this.secrets.sort((a, b) => b.length - a.length);
    return this;
  }

  /** Register the credentials of a Basic auth header (user:pass and its base64). */
  addBasic(user: string, pass: string): this {
    this.add(user);
    if (pass.length >= 4) this.add(pass);
    this.add(Buffer.from(`${user}:${pass}`).toString('base64'));
    return this;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    // Authorization headers of any scheme, whatever their value.
    out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer|token)\s+[^\s"',}]+/gi, `$1$2 ${REDACTED}`);
    return out;
  }

  /** True when a registered secret occurs in the text (plain substring checks: fast on large bodies). */
  containsSecret(text: string): boolean {
    for (const s of this.secrets) if (text.includes(s)) return true;
    return false;
  }

  /** True when any registered secret (or an Authorization header value) occurs in the text. */
  leaks(text: string): boolean {
    for (const s of this.secrets) if (text.includes(s)) return true;
    return /authorization["']?\s*[:=]\s*["']?(basic|bearer|token)\s+[^\s"',}]/i.test(text);
  }

  /**
   * Return the value unchanged when its JSON holds no secret (one serialization: cheap for large
   * snapshots), else a deep-redacted copy.
   */
  scrub<T>(value: T): T {
    return this.leaks(JSON.stringify(value) ?? '') ? this.redactValue(value) : value;
  }

  /** Deep-redact a JSON-like value (strings anywhere inside). */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const redacted = /^(authorization|password|api[-_]?key|token|access[-_]?token|secret)$/i.test(k) ? REDACTED : this.redactValue(v);
        // defineProperty, not assignment: a `__proto__` key in vendor data stays plain data.
        Object.defineProperty(out, k, { value: redacted, enumerable: true, writable: true, configurable: true });
      }
      return out as T;
    }
    return value;
  }
}
