/**
 * Drift detection for paged walks: records that move while a walk is under way (a person deleted or
 * inserted before the page being read) shift every later page of an offset, index or page-number
 * walk, so the walk silently misses or doubles someone. `paginate` uses this guard on every walk:
 *
 * - **overlap** (offset and SCIM `startIndex` strategies): each request after the first starts one
 *   record early, so its first record must be the last record of the previous page. Any other record
 *   there (or an empty page) proves the window moved.
 * - **announced totals** (every strategy that reads one): a total that changes mid-walk means records
 *   were added or removed while paging.
 * - **identity**: a record seen twice in one walk is dropped when it is the same record (servers
 *   whose pages overlap by themselves, or an insertion that pushed a record onto the next page).
 *   The same id with different content is handed on (an incremental walk ordered by update time
 *   legitimately sees a record again after it changed; full reads refuse it in the runtime).
 *   "Same" is decided by a fingerprint of the record's JSON (`contentFingerprint`), kept per id for
 *   the walk instead of the record itself: holding every raw record of a 100,000-person walk until
 *   it ends cost hundreds of MiB (docs/performance.md, Memory).
 *   With a **repeat window** of N pages (`paginate`'s `repeatWindow`; the connector runtime's
 *   employee walk uses 2) the guard keeps the records of the last N pages instead and fingerprints
 *   nothing: a repeat within the window is compared with its first copy (JSON), a repeat from
 *   further back is handed on and the consumer decides (the connector runtime collapses two equal
 *   employees and fails `duplicate_id` on two different ones). Fingerprinting every record was a
 *   quarter of a full sync's CPU (JSON.stringify + MD5 of each record), for repeats that almost
 *   never happen and, when they do, are next to each other.
 *
 * On a drift `paginate` walks again from the first page (bounded) and yields only records whose
 * identity it has not yielded yet, so the consumer sees everybody once. See docs/reliability.md for
 * what each strategy can and cannot detect.
 */

import { hash } from 'node:crypto';

/** Default number of walks (the first plus re-walks) before a drifting walk fails `incomplete`. */
export const DEFAULT_MAX_WALKS = 3;

/** The identity of a raw vendor record: a declared extractor, else a common id field, else undefined. */
export function defaultIdentity(item: unknown): string | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  for (const k of ['id', 'uuid', 'ID', 'Id', 'employeeId', 'employee_id']) {
    const v = Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;
    if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v)))
      return `${k}:${String(v).trim()}`;
  }
  return undefined;
}

/** Fingerprints already computed, by record object (the guard's are reused by the connector runtime). */
const fingerprints = new WeakMap<object, string>();

/**
 * A fingerprint of a record's content: the MD5 of its JSON (`JSON.stringify`, so key order counts,
 * as it did when two records were compared by their JSON). Equal records give equal fingerprints;
 * two different records giving the same one would need a deliberately built MD5 collision (from the
 * vendor, whose data we take as it comes anyway). 22 characters per record instead of the record.
 * Computed once per object: records are not changed after they are read.
 */
export function contentFingerprint(item: unknown): string {
  const memo = item !== null && typeof item === 'object';
  const known = memo ? fingerprints.get(item) : undefined;
  if (known !== undefined) return known;
  const json = JSON.stringify(item);
  // `undefined` (and functions) have no JSON; a distinct marker keeps them apart from "undefined".
  const fp = json === undefined ? '\u0000' : hash('md5', json, 'base64');
  if (memo) fingerprints.set(item, fp);
  return fp;
}

/**
 * Register the content fingerprint of a record that was parsed from a JSON text on its own (the
 * streaming body reader, src/http/json-records.ts): the caller passes `contentFingerprint(text)`,
 * the fingerprint of that text under the same hash, so the record is not serialized again. Two
 * records with the same text get the same fingerprint; a record whose vendor JSON differs only in
 * formatting from another's gets a different one (a repeat is then handed on as changed: the safe
 * direction, as for two records zod would have made equal).
 */
export function registerFingerprint(item: object, fp: string): void {
  fingerprints.set(item, fp);
}

/** Why a walk is restarted (also the `code` of the `incomplete` error when the walks run out). */
export interface Drift {
  code: 'page_shift' | 'total_changed';
  detail: string;
}

/**
 * Per-walk and cross-walk bookkeeping. `startWalk` resets what belongs to one walk; `lastWalk`
 * spans every walk of one `paginate` call.
 */
export class DriftGuard<Item> {
  /**
   * Without a repeat window: content fingerprints of the current walk's records by identity (to
   * tell a repeat from a changed record).
   */
  private walkItems = new Map<string, string>();
  /**
   * The walk (1, 2, ...) in which each identity was last seen: seen in this walk means a repeat;
   * seen in an earlier one means yielded then (every first appearance of a walk is yielded).
   */
  private lastWalk = new Map<string, number>();
  /** With a repeat window: the last `window` pages of the current walk, as read. */
  private recentPages: Item[][] = [];
  /** The last record of the previous page, when the strategy asked for an overlapping next page. */
  private expectOverlap: Item | undefined;
  private overlapPending = false;
  /** Walks started so far. */
  walks = 0;
  /** Records dropped because an earlier page (or walk) already yielded them. */
  dropped = 0;

  /**
   * `window`: compare a repeat with the records of the last `window` pages only, keeping those
   * records instead of fingerprints (see the top of this file); undefined: fingerprints for the
   * whole walk.
   */
  constructor(
    private readonly identity: (item: Item) => string | undefined,
    private readonly window?: number,
  ) {}

  startWalk(): void {
    this.walks++;
    this.walkItems = new Map();
    this.recentPages = [];
    this.expectOverlap = undefined;
    this.overlapPending = false;
  }

  /** The strategy asked for the next page to start `overlap` records early (only 0 or 1 is used). */
  expectNext(items: Item[], overlap: number | undefined): void {
    this.overlapPending = !!overlap && overlap > 0 && items.length > 0;
    this.expectOverlap = this.overlapPending ? items[items.length - 1] : undefined;
  }

  /**
   * Check a page against the overlap the previous decision asked for. Returns the number of leading
   * records that only re-read the previous page (0 or 1), or a drift.
   */
  checkOverlap(items: Item[]): number | Drift {
    if (!this.overlapPending) return 0;
    const expected = this.expectOverlap as Item;
    const first = items[0];
    if (first === undefined)
      return {
        code: 'page_shift',
        detail: `the page after ${this.describe(expected)} came back empty (a record before it was removed)`,
      };
    if (!this.same(first, expected)) {
      return {
        code: 'page_shift',
        detail: `the overlapping record moved: expected ${this.describe(expected)} to start the next page, got ${this.describe(first)}`,
      };
    }
    return 1;
  }

  /**
   * Records of a page to hand to the consumer: repeats of a record of this walk dropped when
   * identical (by fingerprint, or with a repeat window by the latest recent copy), records an
   * earlier walk already yielded dropped.
   */
  admit(items: Item[], skip: number): Item[] {
    const walk = this.walks;
    const windowed = this.window !== undefined;
    const out: Item[] = [];
    for (let i = skip; i < items.length; i++) {
      const item = items[i]!;
      const id = this.identity(item);
      if (id === undefined) {
        out.push(item);
        continue;
      }
      const last = this.lastWalk.get(id);
      if (last === walk) {
        // A repeat within this walk: dropped when identical; handed on when changed (the consumer
        // decides: a later copy wins; the connector runtime compares the employees), or, with a
        // repeat window, when first seen too far back to compare.
        if (this.sameAsBefore(id, item, items, i)) this.dropped++;
        else out.push(item);
        continue;
      }
      this.lastWalk.set(id, walk);
      if (!windowed) this.walkItems.set(id, contentFingerprint(item));
      if (last !== undefined) {
        // Yielded by an earlier walk.
        this.dropped++;
        continue;
      }
      out.push(item);
    }
    if (windowed) {
      this.recentPages.push(items);
      if (this.recentPages.length > Math.max(1, this.window!)) this.recentPages.shift();
    }
    return out;
  }

  /** Whether a repeat equals the copy this walk saw last (its fingerprint, or its recent copy). */
  private sameAsBefore(id: string, item: Item, page: Item[], index: number): boolean {
    if (this.window === undefined) {
      const fp = contentFingerprint(item);
      if (this.walkItems.get(id) === fp) return true;
      this.walkItems.set(id, fp);
      return false;
    }
    const prev = this.latestCopy(id, page, index);
    return prev !== undefined && JSON.stringify(prev) === JSON.stringify(item);
  }

  /** The latest copy of a record among `page[0..before)` and the recent pages (a repeat only: rare). */
  private latestCopy(id: string, page: Item[], before: number): Item | undefined {
    for (let j = before - 1; j >= 0; j--) if (this.identity(page[j]!) === id) return page[j];
    for (let p = this.recentPages.length - 1; p >= 0; p--) {
      const items = this.recentPages[p]!;
      for (let j = items.length - 1; j >= 0; j--) if (this.identity(items[j]!) === id) return items[j];
    }
    return undefined;
  }

  private same(a: Item, b: Item): boolean {
    const x = this.identity(a);
    const y = this.identity(b);
    if (x !== undefined || y !== undefined) return x === y;
    return JSON.stringify(a) === JSON.stringify(b);
  }

  private describe(item: Item): string {
    const id = this.identity(item);
    return id !== undefined ? `record ${id.slice(0, 80)}` : 'a record';
  }
}
