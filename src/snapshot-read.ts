/**
 * Reading snapshot files without holding them as one string. A 1,000,000-employee snapshot written
 * by `writeSnapshotFile` is about 1 GB of JSON, more than the largest string V8 can hold (~512 MB),
 * so `JSON.parse(readFile(...))` cannot read it back. This reader scans the bytes once for the top
 * level of the document (`{ "key": value, ... }`) and cuts each member of a top-level array out on
 * its own; each piece goes through `JSON.parse`, so the text accepted is exactly JSON, and each
 * employee is validated as it arrives (then the envelope, as `OrgSnapshotSchema` would).
 *
 * Errors: a file that cannot be opened is a `config` error (as before); malformed or truncated JSON
 * is a `validation` error naming the line, column and byte offset (never quoting the content); a
 * valid JSON document that is not a snapshot is a `validation` error listing the first issues.
 *
 * Length: one byte-level scanner with its error positions; the validation it calls lives in
 * model.ts/model-check.ts.
 */
import { createReadStream } from 'node:fs';
import { createError, ValidationError } from './errors.js';
import { EmployeeSchema, OrgSnapshotEnvelopeSchema, type OrgSnapshot } from './model.js';
import { compiledEmployeeCheck } from './model-check.js';
import { jsonSyntaxErrorOffset, lineColumn } from './json-position.js';

/** Where the reader stopped, for messages: 1-based line and column (in bytes), 0-based byte offset. */
export interface JsonPosition {
  line: number;
  column: number;
  offset: number;
}

/** A syntax error found while scanning (turned into a `ValidationError` by the caller). */
export class SnapshotSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: JsonPosition,
    readonly truncated: boolean,
  ) {
    super(`${reason} at line ${position.line}, column ${position.column} (byte ${position.offset})`);
  }
}

/** Receives the top level of a JSON object document: scalars/objects whole, array members one by one. */
export interface TopLevelHandler {
  /** A member `key: value` whose value is not an array. */
  value(key: string, value: unknown): void;
  /** A member whose value is an array starts (`key: [`). */
  arrayStart(key: string): void;
  /** The `index`-th element of the array member `key`. */
  element(key: string, index: number, value: unknown): void;
}

const enum S {
  Begin,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  FirstElement,
  Element,
  AfterElement,
  AfterMember,
  Capture,
  Done,
}

const WS = new Uint8Array(256);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;
const SCALAR_END = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0d, 0x2c, 0x5d, 0x7d]) SCALAR_END[c] = 1;

/**
 * A push parser for the top level of a JSON object (see the file comment). Feed it byte chunks
 * with `write`, then call `end`; it throws `SnapshotSyntaxError` at the first syntax error.
 */
export class TopLevelJsonReader {
  private state = S.Begin;
  /** The state a finished capture returns to (Colon after a key, AfterElement/AfterMember after a value). */
  private after = S.AfterMember;
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  private key = '';
  private index = 0;
  private members = 0;
  // The piece being captured: a key, an array element or a member's value.
  private parts: Buffer[] = [];
  private capStart: JsonPosition = { line: 1, column: 1, offset: 0 };
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** 0: container or string (ends by itself), 1: scalar (ends at a delimiter). */
  private scalar = false;
  private capKey = false;

  constructor(private readonly handler: TopLevelHandler) {}

  private pos(at: number): JsonPosition {
    return { line: this.line, column: at - this.lineStart + 1, offset: at };
  }

  private fail(reason: string, at: number): never {
    throw new SnapshotSyntaxError(reason, this.pos(at), false);
  }

  write(chunk: Buffer): void {
    const n = chunk.length;
    const base = this.offset;
    let i = 0;
    let capFrom = this.state === S.Capture ? 0 : -1;
    while (i < n) {
      const c = chunk[i]!;
      if (this.state === S.Capture) {
        // Scan the captured value: strings, nesting, and its end.
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) this.escaped = true;
          else if (c === 0x22) {
            this.inString = false;
            if (this.depth === 0 && !this.scalar) {
              this.finishCapture(chunk, capFrom, i + 1);
              i++;
              continue;
            }
          } else if (c === 0x0a) this.newline(base + i);
          i++;
          continue;
        }
        if (this.scalar) {
          if (SCALAR_END[c]) {
            this.finishCapture(chunk, capFrom, i);
            continue; // the delimiter is read by the next state
          }
          i++;
          continue;
        }
        if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) this.depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (--this.depth === 0) {
            this.finishCapture(chunk, capFrom, i + 1);
            i++;
            continue;
          }
        } else if (c === 0x0a) this.newline(base + i);
        i++;
        continue;
      }
      if (WS[c]) {
        if (c === 0x0a) this.newline(base + i);
        i++;
        continue;
      }
      const at = base + i;
      switch (this.state) {
        case S.Begin:
          if (c !== 0x7b)
            this.fail(
              c === 0x5b ? 'the file is a JSON array, not a snapshot object' : 'expected "{" (a snapshot object)',
              at,
            );
          this.state = S.KeyOrEnd;
          break;
        case S.KeyOrEnd:
        case S.Key:
          if (c === 0x7d && this.state === S.KeyOrEnd && this.members === 0) {
            this.state = S.Done;
            break;
          }
          if (c !== 0x22) this.fail('expected a property name in double quotes', at);
          this.startCapture(at, false, true, S.Colon);
          capFrom = i;
          this.inString = true;
          break;
        case S.Colon:
          if (c !== 0x3a) this.fail('expected ":" after a property name', at);
          this.state = S.Value;
          break;
        case S.Value:
          this.members++;
          if (c === 0x5b) {
            this.index = 0;
            this.handler.arrayStart(this.key);
            this.state = S.FirstElement;
            break;
          }
          capFrom = i;
          if (this.startValue(c, at, S.AfterMember)) i++;
          continue;
        case S.FirstElement:
        case S.Element:
          if (c === 0x5d && this.state === S.FirstElement) {
            this.state = S.AfterMember;
            break;
          }
          if (c === 0x5d || c === 0x2c) this.fail('expected a value in the array', at);
          capFrom = i;
          if (this.startValue(c, at, S.AfterElement)) i++;
          continue;
        case S.AfterElement:
          if (c === 0x2c) this.state = S.Element;
          else if (c === 0x5d) this.state = S.AfterMember;
          else this.fail('expected "," or "]" after an array element', at);
          break;
        case S.AfterMember:
          if (c === 0x2c) this.state = S.Key;
          else if (c === 0x7d) this.state = S.Done;
          else this.fail('expected "," or "}" after a property', at);
          break;
        case S.Done:
          this.fail('unexpected content after the end of the snapshot object', at);
      }
      i++;
    }
    if (this.state === S.Capture && capFrom >= 0) this.parts.push(chunk.subarray(capFrom, n));
    this.offset += n;
  }

  /** The input ended: throws unless the document was complete. */
  end(): void {
    if (this.state === S.Capture && this.scalar && !this.inString) {
      this.finishCapture(Buffer.alloc(0), 0, 0);
    }
    if (this.state !== S.Done) {
      throw new SnapshotSyntaxError(
        this.offset === 0 ? 'the file is empty' : 'the file ends early (truncated)',
        this.pos(this.offset),
        true,
      );
    }
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  /**
   * Start capturing a value at its first byte. Containers and strings count their opening byte here
   * (true: the caller moves past it); a scalar is scanned from its first byte (false).
   */
  private startValue(c: number, at: number, after: S): boolean {
    this.startCapture(at, !(c === 0x7b || c === 0x5b || c === 0x22), false, after);
    if (c === 0x22) this.inString = true;
    else if (c === 0x7b || c === 0x5b) this.depth = 1;
    return !this.scalar;
  }

  private startCapture(at: number, scalar: boolean, isKey: boolean, after: S): void {
    this.state = S.Capture;
    this.capStart = this.pos(at);
    this.scalar = scalar;
    this.capKey = isKey;
    this.after = after;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.parts = [];
  }

  private finishCapture(chunk: Buffer, from: number, to: number): void {
    const last = chunk.subarray(from < 0 ? 0 : from, to);
    let text: string;
    try {
      text = this.parts.length ? Buffer.concat([...this.parts, last]).toString('utf8') : last.toString('utf8');
    } catch (e) {
      // One record (or value) larger than the largest string V8 can hold.
      throw new ValidationError({
        code: 'snapshot_too_large',
        message: `A value starting at line ${this.capStart.line}, column ${this.capStart.column} (byte ${this.capStart.offset}) is too large to read (${(e as Error).message}).`,
      });
    }
    this.parts = [];
    this.state = this.after;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      const within = jsonSyntaxErrorOffset(text) ?? 0;
      // Positions are counted in bytes, like the scanner's (the piece is in characters).
      const s = this.capStart;
      const lineBreak = text.lastIndexOf('\n', within - 1);
      const line = s.line + lineColumn(text, within).line - 1;
      const inLine = Buffer.byteLength(text.slice(lineBreak + 1, within));
      const column = lineBreak < 0 ? s.column + inLine : inLine + 1;
      const offset = s.offset + Buffer.byteLength(text.slice(0, within));
      throw new SnapshotSyntaxError('invalid JSON', { line, column, offset }, false);
    }
    if (this.capKey) {
      this.key = value as string;
      return;
    }
    if (this.after === S.AfterElement) this.handler.element(this.key, this.index++, value);
    else this.handler.value(this.key, value);
  }
}

/** The snapshot keys, in the order of `OrgSnapshotSchema` (issues are listed in this order). */
const SNAPSHOT_KEYS = [
  'schemaVersion',
  'connector',
  'takenAt',
  'complete',
  'company',
  'employees',
  'groups',
  'locations',
  'watermark',
  'warnings',
  'unresolvedManagerRefs',
];
const KNOWN = new Set(SNAPSHOT_KEYS);
const EMPLOYEE_KEYS = new Set(Object.keys(EmployeeSchema.shape));
const MAX_ISSUES = 5;

/** Assembles and validates a snapshot from the top-level reader's events. */
class SnapshotAssembler implements TopLevelHandler {
  readonly out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  readonly issues: Array<{ path: PropertyKey[]; message: string }> = [];

  value(key: string, value: unknown): void {
    if (KNOWN.has(key)) this.out[key] = value;
  }

  arrayStart(key: string): void {
    if (KNOWN.has(key)) this.out[key] = [];
    // A repeated key replaces the earlier value, as in JSON.parse; its earlier issues go too.
    if (key === 'employees')
      for (let i = this.issues.length - 1; i >= 0; i--)
        if (this.issues[i]!.path[0] === 'employees') this.issues.splice(i, 1);
  }

  element(key: string, index: number, value: unknown): void {
    if (!KNOWN.has(key)) return; // ignored like any unknown key (its JSON is still checked)
    const list = this.out[key] as unknown[];
    if (key !== 'employees') return void list.push(value);
    list.push(this.employee(index, value));
  }

  /** One employee, validated as it arrives: the compiled check, else zod (which also explains). */
  private employee(index: number, value: unknown): unknown {
    if (compiledEmployeeCheck?.(value) && onlyKnownKeys(value as Record<string, unknown>)) return value;
    const r = EmployeeSchema.safeParse(value);
    if (r.success) return r.data;
    for (const issue of r.error.issues) {
      if (this.issues.length >= MAX_ISSUES) break;
      this.issues.push({ path: ['employees', index, ...issue.path], message: issue.message });
    }
    return value;
  }
}

function onlyKnownKeys(o: Record<string, unknown>): boolean {
  for (const k in o) if (!EMPLOYEE_KEYS.has(k)) return false;
  return true;
}

/**
 * Read a snapshot from byte chunks (a file stream, or any async iterable). `what` names the source
 * in messages. The same validation and results as `OrgSnapshotSchema.parse(JSON.parse(text))`.
 */
export async function readSnapshotChunks(chunks: AsyncIterable<Buffer | string>, what: string): Promise<OrgSnapshot> {
  const assembler = new SnapshotAssembler();
  const reader = new TopLevelJsonReader(assembler);
  try {
    for await (const chunk of chunks) reader.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    reader.end();
  } catch (e) {
    if (e instanceof SnapshotSyntaxError) {
      throw new ValidationError({
        code: e.truncated ? 'snapshot_truncated' : 'snapshot_malformed',
        message: `${what} is not valid JSON: ${e.reason} at line ${e.position.line}, column ${e.position.column} (byte ${e.position.offset}).`,
      });
    }
    if (e instanceof ValidationError && e.code === 'snapshot_too_large') {
      throw new ValidationError({ code: e.code, message: `${what} cannot be read: ${e.message}` });
    }
    throw e;
  }
  const employees = assembler.out['employees'];
  const envelope = OrgSnapshotEnvelopeSchema.safeParse({
    ...assembler.out,
    employees: Array.isArray(employees) ? [] : employees,
  });
  const issues = [...assembler.issues];
  if (!envelope.success) for (const i of envelope.error.issues) issues.push({ path: i.path, message: i.message });
  if (!envelope.success || issues.length) {
    const order = (p: PropertyKey[]) => SNAPSHOT_KEYS.indexOf(String(p[0]));
    const listed = issues
      .map((issue, n) => ({ issue, n }))
      .sort((a, b) => order(a.issue.path) - order(b.issue.path) || a.n - b.n)
      .slice(0, MAX_ISSUES)
      .map(({ issue }) => `${issue.path.map(String).join('.')}: ${issue.message}`);
    throw new ValidationError({
      issues: listed,
      message: `${what} is not a complete orgsync snapshot: ${listed.join('; ')}.`,
    });
  }
  return { ...envelope.data, employees: employees as OrgSnapshot['employees'] };
}

/** Read and validate a snapshot file, streaming (any size that fits in memory as objects). */
export async function readSnapshotFile(file: string): Promise<OrgSnapshot> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  try {
    return await readSnapshotChunks(stream, `Snapshot '${file}'`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      throw createError({ kind: 'config', message: `Cannot read snapshot '${file}': ${code}.` });
    }
    throw e;
  } finally {
    stream.destroy();
  }
}
