/**
 * Streaming JSON for large bodies: a byte-level record splitter. It scans a response body's
 * `Buffer` chunks as they arrive (nesting depth, strings and escapes; no values built), finds the
 * array at a declared path (`employees` of BambooHR's report, `Resources` of a SCIM page) and
 * parses each member of it on its own with the native `JSON.parse` (its bytes decoded as UTF-8
 * alone; a member split across chunks is joined first, so split multi-byte characters and tokens
 * are whole again). The rest of the body (other top-level fields, the array as a placeholder) is
 * collected and parsed once at the end, and each placeholder replaced by its parsed members, so
 * `end()` returns what `JSON.parse` of the whole body returns (same values, same key order, same
 * duplicate-key rule) without the whole body ever being one buffer or one string.
 *
 * Malformed input fails as `JSON.parse` would (`JsonSplitError`): a member that does not parse,
 * anything but `,` / `]` between members, a trailing comma, a body that ends inside the array
 * (cut off), or a rest that does not parse (cut off elsewhere, bytes after the end). A body where
 * the declared path holds no array is parsed whole (the caller's hooks see what they would see).
 *
 * Why not a JavaScript JSON tokenizer (`@streamparser/json` and the like): those build every value
 * in JavaScript and run several times slower than `JSON.parse`; this scanner only classifies bytes
 * and leaves the parsing to V8 (docs/performance.md, "Streaming JSON").
 */

/** What a request declares to have its JSON body streamed record by record (`RequestSpec.stream`). */
export interface StreamRecordsSpec {
  /**
   * Keys from the top-level object to the array whose members are the records: `['employees']`,
   * `['Resources']`, `['data', 'items']`; `[]` when the body itself is the array.
   */
  records: readonly string[];
  /** Match those keys in any case (SCIM attribute names are case-insensitive). */
  ignoreCase?: boolean;
  /**
   * Called with each record and the exact JSON text it was parsed from, as it is parsed (the
   * connector runtime registers the record's content fingerprint from that text).
   */
  onRecord?: (record: unknown, text: string) => void;
}

/** A body that is not the JSON it claims to be (the pipeline turns it into `malformed_body`). */
export class JsonSplitError extends Error {
  override readonly name = 'JsonSplitError';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the scanner is: in the rest of the body, between two records, or inside one. */
const enum Mode {
  Outline,
  Between,
  Member,
}

/** Between records: after `[`, after a record, after a `,`. */
const enum Gap {
  Open,
  AfterRecord,
  AfterComma,
}

/** The kind of record being scanned. */
const enum Kind {
  Container,
  String,
  Scalar,
}

let nonces = 0;

export class JsonRecordSplitter {
  private readonly path: string[];
  private readonly ignoreCase: boolean;
  private readonly onRecord: ((record: unknown, text: string) => void) | undefined;
  /**
   * `\u0000orgsync-records-<nonce>-`: the placeholder of list `k` is this string followed by `k`, a
   * value no vendor string can equal by chance.
   */
  private readonly marker: string;

  // The rest of the body ("outline"), in the pieces it arrived in; a record list starts a new run.
  private outline: Buffer[] = [];
  private readonly runs: Buffer[][] = [];
  /** The record lists found, in order (each placeholder `k` in the outline stands for `lists[k]`). */
  private readonly lists: unknown[][] = [];

  // Outline scanning state.
  /** Per open container of the outline: 1 = object whose keys lead along the path, 0 = anything else. */
  private readonly prefix: number[] = [];
  private readonly isObject: boolean[] = [];
  private expectKey = false;
  /** A key at a path level is being read: its bytes from earlier chunks, and its start in this one. */
  private inKey = false;
  private keyParts: Buffer[] = [];
  private keyStart = 0;
  private keyMatched = false;
  /** The next value is at the path: 1 = its last key (an array there is a record list), 2 = a level above. */
  private pending = 0;

  // String state (outline and records alike).
  private inString = false;
  private escaped = false;

  private mode = Mode.Outline;
  private gap = Gap.Open;
  private kind = Kind.Container;
  private depth = 0;
  /** Bytes of the record being scanned that arrived in earlier chunks. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private current: unknown[] = [];
  /** Bytes received before the current chunk (for messages). */
  private offset = 0;
  private head: Buffer | undefined = Buffer.alloc(0);
  private failed: JsonSplitError | undefined;

  constructor(spec: Pick<StreamRecordsSpec, 'records' | 'ignoreCase' | 'onRecord'>) {
    this.ignoreCase = spec.ignoreCase === true;
    this.path = spec.records.map((k) => (this.ignoreCase ? k.toLowerCase() : k));
    this.onRecord = spec.onRecord;
    this.marker = `\u0000orgsync-records-${(nonces++).toString(36)}.${Math.random().toString(36).slice(2)}-`;
    // The top-level value: the list itself (no keys), or the object whose keys lead to it.
    this.pending = this.path.length === 0 ? 1 : 2;
  }

  /** Records parsed so far (all lists). */
  get records(): number {
    let n = 0;
    for (const l of this.lists) n += l.length;
    return n;
  }

  /** Feed the next chunk of the body. Throws `JsonSplitError` as soon as the body cannot be JSON. */
  write(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    if (this.head) {
      // A UTF-8 byte order mark is dropped, as the whole-body decoder does.
      const h = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (h.length < 3) return void (this.head = h);
      this.head = undefined;
      chunk = h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf ? h.subarray(3) : h;
    }
    try {
      this.scan(chunk);
    } catch (e) {
      this.failed = e instanceof JsonSplitError ? e : new JsonSplitError(String((e as Error)?.message ?? e));
      throw this.failed;
    }
    this.offset += chunk.length;
  }

  /** The body ended: what `JSON.parse` of the whole body gives, and the outline's text (record lists as `[]`). */
  end(): { value: unknown; outline: string; records: number } {
    if (this.failed) throw this.failed;
    if (this.head) {
      const h = this.head;
      this.head = undefined;
      try {
        if (h.length) this.scan(h);
      } catch (e) {
        throw (this.failed = e instanceof JsonSplitError ? e : new JsonSplitError(String(e)));
      }
    }
    if (this.mode !== Mode.Outline) {
      this.failed = new JsonSplitError(
        `the body ended inside the list at '${this.where()}' after ${this.current.length} record(s) (cut off)`,
      );
      throw this.failed;
    }
    // Runs of outline bytes between record lists (a list starts and ends at an ASCII byte, so no
    // character is split between two runs), decoded one by one.
    this.runs.push(this.outline);
    this.outline = [];
    const runs = this.runs.map((r) => (r.length === 1 ? r[0]! : Buffer.concat(r)).toString('utf8'));
    const records = this.records;
    if (this.lists.length === 0) {
      const text = runs[0]!;
      try {
        return { value: JSON.parse(text), outline: text, records };
      } catch (e) {
        throw (this.failed = new JsonSplitError((e as Error).message));
      }
    }
    const marker = this.marker;
    const quoted = JSON.stringify(marker).slice(0, -1);
    let text = runs[0]!;
    for (let k = 1; k < runs.length; k++) text += `${quoted}${k - 1}"${runs[k]}`;
    const lists = this.lists;
    let value: unknown;
    try {
      value = JSON.parse(text, (_key, v: unknown) =>
        typeof v === 'string' && v.charCodeAt(0) === 0 && v.startsWith(marker)
          ? lists[Number(v.slice(marker.length))]
          : v,
      );
    } catch (e) {
      throw (this.failed = new JsonSplitError((e as Error).message));
    }
    return { value, outline: runs.join('[]'), records };
  }

  private where(): string {
    return this.path.join('.') || '(the body)';
  }

  private fail(message: string, at: number): never {
    throw new JsonSplitError(`${message} at byte ${this.offset + at}`);
  }

  private keyMatches(key: string): boolean {
    const d = this.prefix.length; // the object holding this key is at depth d (1 = the top level)
    const want = this.path[d - 1];
    return want !== undefined && (this.ignoreCase ? key.toLowerCase() : key) === want;
  }

  private pushOutline(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.outline.push(from === 0 && to === buf.length ? buf : buf.subarray(from, to));
  }

  /** One record's bytes are complete: `buf[start, end)` plus the parts from earlier chunks. */
  private emit(buf: Buffer, start: number, end: number): void {
    let text: string;
    if (this.parts.length === 0) text = buf.toString('utf8', start, end);
    else {
      this.parts.push(buf.subarray(0, end));
      text = Buffer.concat(this.parts, this.partBytes + end).toString('utf8');
      this.parts = [];
      this.partBytes = 0;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (e) {
      this.fail(
        `record ${this.current.length + 1} of '${this.where()}' is not valid JSON (${(e as Error).message})`,
        end,
      );
    }
    this.current.push(record);
    this.onRecord?.(record, text);
  }

  private scan(buf: Buffer): void {
    const n = buf.length;
    let i = 0;
    /** Start of the outline bytes of this chunk not yet kept (-1: inside the record list). */
    let outlineFrom = this.mode === Mode.Outline ? 0 : -1;
    /** Start of the current record in this chunk (0 when it began in an earlier one). */
    let start = 0;
    let inString = this.inString;
    let escaped = this.escaped;
    let depth = this.depth;
    /** The chunk as a one-byte string (made when a record is scanned). */
    let text: string | undefined;

    while (i < n) {
      if (this.mode === Mode.Member) {
        // The hot loop: inside one record only strings, escapes and depth matter.
        const kind = this.kind;
        let done = -1;
        if (kind === Kind.Container || kind === Kind.String) {
          // Strings are skipped with `indexOf` on the chunk as a one-byte string (a quote or a
          // backslash is one byte in UTF-8, never part of a multi-byte character), the few bytes
          // between strings are looked at one by one.
          text ??= buf.toString('latin1');
          for (;;) {
            if (inString) {
              const end = stringEnd(text, i, escaped);
              if (end < 0) {
                escaped = trailingEscape(text, escaped ? i + 1 : i);
                i = n;
                break;
              }
              escaped = false;
              inString = false;
              i = end + 1;
              if (kind === Kind.String) {
                done = i;
                break;
              }
              continue;
            }
            let c = 0;
            for (; i < n; i++) {
              c = text.charCodeAt(i);
              if (c === QUOTE) break;
              if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
              else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) break;
            }
            if (i >= n) break;
            i++;
            if (c === QUOTE) inString = true;
            else {
              done = i;
              break;
            }
          }
        } else {
          for (; i < n; i++) {
            const c = buf[i]!;
            if (c === COMMA || c === CLOSE_ARRAY || c === CLOSE_OBJECT || isWs(c)) {
              done = i;
              break;
            }
          }
        }
        if (done < 0) break; // the record goes on in the next chunk
        this.emit(buf, start, done);
        this.mode = Mode.Between;
        this.gap = Gap.AfterRecord;
        continue;
      }

      const c = buf[i]!;
      if (this.mode === Mode.Between) {
        i++;
        if (isWs(c)) continue;
        if (this.gap === Gap.AfterRecord) {
          if (c === COMMA) this.gap = Gap.AfterComma;
          else if (c === CLOSE_ARRAY) {
            this.closeList();
            outlineFrom = i;
          } else this.fail(`expected ',' or ']' after record ${this.current.length} of '${this.where()}'`, i - 1);
          continue;
        }
        if (c === CLOSE_ARRAY) {
          if (this.gap === Gap.AfterComma) this.fail(`a ',' before ']' in '${this.where()}'`, i - 1);
          this.closeList();
          outlineFrom = i;
          continue;
        }
        if (c === COMMA) this.fail(`a record is missing before ',' in '${this.where()}'`, i - 1);
        // A record starts here.
        start = i - 1;
        this.mode = Mode.Member;
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          this.kind = Kind.Container;
          depth = 1;
          inString = false;
        } else if (c === QUOTE) {
          this.kind = Kind.String;
          inString = true;
        } else this.kind = Kind.Scalar; // a number or literal: up to the next delimiter
        escaped = false;
        continue;
      }

      // Outline: the rest of the body, followed only along the declared path.
      i++;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (this.inKey) this.keyEnded(buf, i - 1);
        }
        continue;
      }
      if (isWs(c)) continue;
      const pending = this.pending;
      this.pending = 0;
      if (c === QUOTE) {
        inString = true;
        if (this.expectKey && this.prefix[this.prefix.length - 1] === 1) {
          this.inKey = true;
          this.keyStart = i;
        }
      } else if (c === OPEN_ARRAY && pending === 1) {
        // A record list: the outline gets a placeholder, the members are parsed one by one.
        this.pushOutline(buf, outlineFrom, i - 1);
        this.runs.push(this.outline);
        this.outline = [];
        this.current = [];
        this.lists.push(this.current);
        this.mode = Mode.Between;
        this.gap = Gap.Open;
        outlineFrom = -1;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.prefix.push(c === OPEN_OBJECT && pending === 2 ? 1 : 0);
        this.isObject.push(c === OPEN_OBJECT);
        this.expectKey = c === OPEN_OBJECT;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.prefix.pop();
        this.isObject.pop();
        this.expectKey = false;
      } else if (c === COLON) {
        if (this.keyMatched) this.pending = this.prefix.length === this.path.length ? 1 : 2;
        this.keyMatched = false;
        this.expectKey = false;
      } else if (c === COMMA) {
        this.expectKey = this.isObject[this.isObject.length - 1] === true;
      }
    }

    // Keep what this chunk holds of the outline, the record in progress, or the key in progress.
    if (this.mode === Mode.Outline && outlineFrom >= 0) this.pushOutline(buf, outlineFrom, n);
    if (this.mode === Mode.Member) {
      const piece = start === 0 ? buf : buf.subarray(start);
      this.parts.push(piece);
      this.partBytes += piece.length;
    }
    if (this.inKey) {
      this.keyParts.push(buf.subarray(this.keyStart));
      this.keyStart = 0; // the key goes on from the next chunk's first byte
    }
    this.inString = inString;
    this.escaped = escaped;
    this.depth = depth;
  }

  private closeList(): void {
    this.mode = Mode.Outline;
    // The list's value is complete: the containing object now expects `,` or `}`.
    this.expectKey = false;
  }

  private keyEnded(buf: Buffer, end: number): void {
    let bytes: Buffer;
    if (this.keyParts.length) {
      this.keyParts.push(buf.subarray(this.keyStart, end));
      bytes = Buffer.concat(this.keyParts);
      this.keyParts = [];
    } else bytes = buf.subarray(this.keyStart, end);
    this.inKey = false;
    this.keyStart = 0;
    const raw = bytes.toString('utf8');
    let key: string;
    if (raw.includes('\\')) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        key = raw; // the outline's own parse reports it
      }
    } else key = raw;
    this.keyMatched = this.keyMatches(key);
  }
}

/**
 * The index of the quote that closes a string whose content starts at `from` (the byte there is
 * escaped when `escaped`: a backslash ended the previous chunk), or -1 when it does not close in
 * `text`. A quote after an odd run of backslashes is part of the string.
 */
function stringEnd(text: string, from: number, escaped: boolean): number {
  const first = escaped ? from + 1 : from;
  let q = text.indexOf('"', first);
  while (q >= 0) {
    let k = q - 1;
    while (k >= first && text.charCodeAt(k) === BACKSLASH) k--;
    if (((q - 1 - k) & 1) === 0) return q;
    q = text.indexOf('"', q + 1);
  }
  return -1;
}

/** Whether a string that runs to the end of `text` (content from `from`) ends with an unpaired backslash. */
function trailingEscape(text: string, from: number): boolean {
  let k = text.length - 1;
  while (k >= from && text.charCodeAt(k) === BACKSLASH) k--;
  return ((text.length - 1 - k) & 1) === 1;
}

/** Split a whole body at once (tests, and bodies that arrived in one piece): `JSON.parse` semantics. */
export function splitJson(
  body: Buffer | readonly Buffer[],
  spec: Pick<StreamRecordsSpec, 'records' | 'ignoreCase' | 'onRecord'>,
): { value: unknown; outline: string; records: number } {
  const s = new JsonRecordSplitter(spec);
  for (const b of Buffer.isBuffer(body) ? [body] : body) s.write(b);
  return s.end();
}
