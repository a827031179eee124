/**
 * Options, errors and change-type order of `diffSnapshots`.
 */
import type { EmployeeChangeType, GroupChangeType } from '../changes.js';
import { ConfigError } from '../errors.js';

export interface DiffOptions {
  /**
   * "Today", which decides whether a `terminationDate` is still ahead (TERMINATION_SCHEDULED).
   * A `Date` (its UTC calendar day is used) or `YYYY-MM-DD`. Default: today in UTC.
   */
  now?: Date | string;
  /**
   * Validate both snapshots against `OrgSnapshotSchema` before diffing (default `true`). Turn it
   * off only for snapshots you just produced and validated yourself: `complete`, connector,
   * company and duplicate-id checks still run.
   */
  validate?: boolean;
  /**
   * Diff even when `current` was taken before `previous` (default `false`: a {@link SnapshotOrderError}).
   * Backwards, every termination reads as a REHIRE, every leave as a LEAVE_END and every hire as a
   * REMOTE_DELETED; pass `true` only to look at what changed "in reverse" on purpose.
   */
  allowOlder?: boolean;
}

/**
 * `diffSnapshots` was given a `current` snapshot taken before the `previous` one (the arguments are
 * probably swapped). A usage error (`kind: 'config'`, code `snapshots_out_of_order`); the CLI exits 2.
 */
export class SnapshotOrderError extends ConfigError {
  readonly previousTakenAt: string;
  readonly currentTakenAt: string;
  constructor(previousTakenAt: string, currentTakenAt: string) {
    super({
      code: 'snapshots_out_of_order',
      message:
        `diffSnapshots: the current snapshot (taken ${currentTakenAt}) is older than the previous one (taken ${previousTakenAt}); ` +
        'diffed backwards, terminations would read as REHIRE, leaves as LEAVE_END and hires as REMOTE_DELETED. ' +
        'Pass the older snapshot first, or allow it explicitly (allowOlder: true; CLI: --allow-older).',
    });
    this.name = 'SnapshotOrderError';
    this.previousTakenAt = previousTakenAt;
    this.currentTakenAt = currentTakenAt;
  }
}

/** Every change type, employee and group, in the order events are emitted for one subject. */
export const CHANGE_TYPE_ORDER = [
  'IDENTITY_CHANGE',
  'HIRE',
  'REHIRE',
  'LEAVE_END',
  'LEAVE_START',
  'TERMINATION',
  'TERMINATION_SCHEDULED',
  'EMAIL_CHANGE',
  'TITLE_CHANGE',
  'MANAGER_CHANGE',
  'GROUP_CHANGE',
  'LOCATION_CHANGE',
  'PROFILE_UPDATE',
  'REMOTE_DELETED',
  'GROUP_CREATED',
  'GROUP_RENAMED',
  'GROUP_REPARENTED',
  'GROUP_DELETED',
] as const satisfies readonly (EmployeeChangeType | GroupChangeType)[];

export type ChangeType = EmployeeChangeType | GroupChangeType;

export const TYPE_RANK: Record<ChangeType, number> = Object.fromEntries(
  CHANGE_TYPE_ORDER.map((t, i) => [t, i]),
) as Record<ChangeType, number>;
