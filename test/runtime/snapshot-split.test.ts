/**
 * `splitSnapshotOver`: a steady-state job's snapshot with the same body as the stored one reuses the stored
 * text (not serialised again); any difference in people, groups or locations serialises the new body.
 */
import { describe, expect, it } from 'vitest';
import { splitSnapshot, splitSnapshotOver } from '../../src/runtime/store/store.js';
import { clone, makeEmployee, makeGroup, makeLocation, makeSnapshot } from '../diff/helpers.js';

const previous = makeSnapshot({
  employees: [makeEmployee({ id: '1', customFields: { shirt: 'M', tags: ['a', 'b'] } }), makeEmployee({ id: '2' })],
  groups: [makeGroup({ id: 'g1' })],
  locations: [makeLocation({ id: 'l1' })],
});
const stored = splitSnapshot(previous).body;

describe('splitSnapshotOver', () => {
  it('reuses the stored body text when the body is equal (key order aside), with the new head', () => {
    const current = clone(previous);
    current.takenAt = '2030-01-01T00:00:00.000Z';
    // Same values, other key order: JSON-equal, so the stored text stands for it.
    const [first] = current.employees;
    current.employees[0] = Object.fromEntries(Object.entries(first!).reverse()) as typeof first & object;
    const split = splitSnapshotOver(current, previous, stored);
    expect(split.body).toBe(stored);
    expect(JSON.parse(split.head).takenAt).toBe('2030-01-01T00:00:00.000Z');
    expect(JSON.parse(split.body)).toEqual(JSON.parse(splitSnapshot(current).body));
  });

  it.each([
    ['a title', (s: any) => (s.employees[1].jobTitle = 'Head of Things')],
    ['a nested custom field', (s: any) => (s.employees[0].customFields.tags[1] = 'c')],
    ['a field present only now', (s: any) => (s.employees[0].extra = null)],
    ['a field gone', (s: any) => delete s.employees[0].customFields.shirt],
    ['one person more', (s: any) => s.employees.push(makeEmployee({ id: '3' }))],
    ['a group', (s: any) => (s.groups[0].name = 'Renamed')],
    ['a location', (s: any) => s.locations.pop()],
  ])('serialises the new body when %s differs', (_what, change) => {
    const current = clone(previous);
    change(current);
    const split = splitSnapshotOver(current, previous, stored);
    expect(split).toEqual(splitSnapshot(current));
    expect(split.body).not.toBe(stored);
  });

  it('serialises when there is no stored text or no previous snapshot', () => {
    expect(splitSnapshotOver(previous, previous, undefined)).toEqual(splitSnapshot(previous));
    expect(splitSnapshotOver(previous, undefined, stored)).toEqual(splitSnapshot(previous));
  });
});
