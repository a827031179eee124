/**
 * Progress on stderr: on a terminal one line redrawn in place (people read, pages, % of the total
 * the vendor announces, ETA, rate-limit waits); plain lines otherwise; nothing with --quiet.
 */
import { describe, expect, it } from 'vitest';
import { createProgress, LiveProgress } from '../../src/cli/progress.js';
import { captureIo } from '../helpers/cli.js';

/** A terminal-like stream that records what is written. */
function fakeTty() {
  const writes: string[] = [];
  const stream = {
    isTTY: true,
    columns: 200,
    rows: 40,
    write: (s: string) => (writes.push(s), true),
    on: () => stream,
    once: () => stream,
    removeListener: () => stream,
  } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

describe('CLI progress', () => {
  it('on a terminal: one line updated in place with people, pages, %, ETA and rate-limit waits', () => {
    const { stream, writes } = fakeTty();
    let now = 0;
    const cap = captureIo();
    const p = createProgress({ io: { ...cap.io, stderrStream: stream }, label: 'gusto', now: () => now });
    expect(p).toBeInstanceOf(LiveProgress);
    const live = p as LiveProgress;
    now = 2_000;
    p.event({ type: 'page', vendor: 'gusto', resource: 'employees', page: 1, items: 100, total: 400 });
    expect(live.line()).toBe('gusto: 100 of 400 people read (25%) · 1 page · ETA 6.0 s');
    now = 3_000;
    p.event({
      type: 'retry',
      vendor: 'gusto',
      method: 'GET',
      url: '/employees',
      attempt: 1,
      delayMs: 30_000,
      reason: 'HTTP 429 Too Many Requests',
    });
    expect(live.line()).toMatch(/rate limited, waiting 30\.0 s$/);
    now = 40_000;
    p.event({ type: 'page', vendor: 'gusto', resource: 'employees', page: 2, items: 100, total: 400 });
    p.event({ type: 'resource', vendor: 'gusto', resource: 'departments', count: 12 });
    expect(live.line()).toBe('gusto: 200 of 400 people read (50%) · 2 pages · 12 departments · ETA 40.0 s');
    // Drawn in place: cursor codes, no newline-separated log, and nothing on the plain stderr channel.
    const drawn = writes.join('');
    expect(drawn).toContain('100 of 400 people read (25%)');
    expect(drawn).toMatch(/\x1b\[/);
    expect(cap.errText()).toBe('');
    p.done();
    // The next phase (the demo's second sync) starts a fresh line; the total page count stays.
    p.phase('second sync');
    expect(live.line()).toBe('gusto: second sync');
    expect(p.pages).toBe(2);
    p.done();
  });

  it('not a terminal: plain lines; --quiet: nothing', () => {
    const plain = captureIo();
    const p = createProgress({ io: plain.io, label: 'scim' });
    p.event({ type: 'page', vendor: 'scim', resource: 'employees', page: 1, items: 100, total: 250 });
    p.event({
      type: 'retry',
      vendor: 'scim',
      method: 'GET',
      url: '/Users',
      attempt: 1,
      delayMs: 2000,
      reason: 'HTTP 503',
    });
    p.phase('writing x.json');
    expect(plain.errText()).toBe(
      'scim: employees page 1 (100 records of 250)\nscim: retrying in 2.0 s: HTTP 503\nscim: writing x.json\n',
    );
    const quiet = captureIo();
    const { stream, writes } = fakeTty();
    const q = createProgress({ io: { ...quiet.io, stderrStream: stream }, label: 'scim', quiet: true });
    q.event({ type: 'page', vendor: 'scim', resource: 'employees', page: 1, items: 100 });
    q.phase('writing');
    q.done();
    expect(q.pages).toBe(1);
    expect(quiet.errText()).toBe('');
    expect(writes).toEqual([]);
  });
});
