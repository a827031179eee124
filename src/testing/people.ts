/**
 * The per-person check of the conformance kit: the sample company is the ground truth, the vendor's
 * simulator serves it in the vendor's shape, the connector reads it back, and every sample person is
 * compared with the employee record they became (matched by the id the simulator gives them) on
 * name, work email, status, manager, groups, location, start and termination dates and employment
 * type. A field the vendor cannot express is declared not applicable in the registration (with the
 * reason), never silently skipped. Every mismatch is reported at once, naming the person and the
 * field in words. Pure functions (no vitest): `runConnectorConformance` and tests of the kit call them.
 */
import type { Employee, EmploymentStatus, EmploymentType, GroupType, OrgSnapshot } from '../model.js';
import type { SampleLocation, SampleOrg, SamplePerson, SampleType } from '../simulator/sample-org.js';

/** The fields compared for every sample person. */
export const PERSON_FIELDS = [
  'name',
  'workEmail',
  'status',
  'manager',
  'groups',
  'location',
  'startDate',
  'terminationDate',
  'employmentType',
] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

/** The sample attributes that become groups. */
export type SampleGroupAttribute = 'department' | 'division' | 'team';

/** What one sample person should read as through a vendor. */
export interface ExpectedPerson {
  firstName: string;
  lastName: string;
  workEmail: string | null;
  status: EmploymentStatus;
  /** The sample key of the manager (null: nobody). */
  managerKey: number | null;
  /** Per declared group attribute: the group name expected (null: no group of that kind). */
  groups: Partial<Record<SampleGroupAttribute, string | null>>;
  /** The location's name as the vendor names it (null: no location). */
  location: string | null;
  startDate: string | null;
  terminationDate: string | null;
  employmentType: EmploymentType | null;
}

/**
 * How a vendor's simulator renders the sample company, so the kit can check every person. Part of a
 * connector's conformance registration (`ConformanceSetup.sample`, `VendorSimulator.sample`).
 */
export interface SampleReading {
  /** The normalized employee id the simulator gives a sample person: the stable key people are matched by. */
  personId(person: SamplePerson): string;
  /**
   * Which sample attributes the vendor turns into groups, and the group type each becomes, e.g.
   * `{ department: 'DEPARTMENT', team: 'TEAM' }`: the person must belong to a group of that type
   * named like the attribute (and to none of another value). Omit an attribute the vendor has no
   * place for. Required unless `notApplicable.groups` says why the vendor has no groups.
   */
  groups?: Partial<Record<SampleGroupAttribute, GroupType>>;
  /** The name the vendor gives a sample location (default: its name, e.g. an address line for Gusto). */
  locationName?: (location: SampleLocation) => string;
  /** Fields the vendor cannot express at all, with the reason: reported as not applicable, not checked. */
  notApplicable?: Partial<Record<PersonField, string>>;
  /**
   * Where this vendor reads a person differently from the sample because of what the vendor can
   * express (no leave state, no e-mail before onboarding...): the fields that differ, given what the
   * sample says. Say why in a comment next to each case.
   */
  expect?: (person: SamplePerson, sample: ExpectedPerson) => Partial<ExpectedPerson>;
}

export interface PersonMismatch {
  /** The sample key (0 for a snapshot employee that is no sample person). */
  key: number;
  field: PersonField | 'presence';
  /** One sentence naming the person and the field. */
  message: string;
}

export interface PeopleCheck {
  /** Every sample person compared (some fields may still be not applicable). */
  checked: number;
  mismatches: PersonMismatch[];
  /** Declared not applicable: field → reason. */
  notApplicable: Partial<Record<PersonField, string>>;
}

const TYPE: Record<SampleType, EmploymentType> = {
  full_time: 'FULL_TIME',
  part_time: 'PART_TIME',
  contractor: 'CONTRACTOR',
  intern: 'INTERN',
  temporary: 'TEMPORARY',
};
const STATUS: Record<SamplePerson['status'], EmploymentStatus> = {
  active: 'ACTIVE',
  pending: 'PENDING',
  leave: 'LEAVE',
  terminated: 'TERMINATED',
};
const FIELD_WORDS: Record<PersonField, string> = {
  name: 'name',
  workEmail: 'work email',
  status: 'employment status',
  manager: 'manager',
  groups: 'groups',
  location: 'location',
  startDate: 'start date',
  terminationDate: 'termination date',
  employmentType: 'employment type',
};

/** What the sample says a person is, before any vendor limitation. */
export function samplePersonExpectation(org: SampleOrg, p: SamplePerson, reading: SampleReading): ExpectedPerson {
  const location = org.locations.find((l) => l.name === p.location);
  const groups: ExpectedPerson['groups'] = {};
  for (const attr of Object.keys(reading.groups ?? {}) as SampleGroupAttribute[]) groups[attr] = p[attr];
  return {
    firstName: p.firstName,
    lastName: p.lastName,
    workEmail: p.workEmail,
    status: STATUS[p.status],
    managerKey: p.managerKey,
    groups,
    location: location ? (reading.locationName ?? ((l: SampleLocation) => l.name))(location) : null,
    startDate: p.hireDate,
    terminationDate: p.terminationDate,
    employmentType: TYPE[p.type],
  };
}

/** Why a sample person has the status they have, in words (used in messages). */
export function statusStory(p: SamplePerson, today?: string): string {
  const future = (d: string | null) => (d && today ? (d > today ? 'future ' : 'past ') : '');
  switch (p.status) {
    case 'terminated':
      return p.terminationDate
        ? `terminated on ${p.terminationDate}`
        : 'terminated, with no termination date (the status alone says so)';
    case 'leave':
      return 'on leave, with no leave dates (the status alone says so)';
    case 'pending':
      return `a future hire starting ${p.hireDate}`;
    default:
      return p.terminationDate
        ? `active, with a ${future(p.terminationDate)}termination scheduled on ${p.terminationDate}`
        : 'active';
  }
}

const show = (v: unknown) => (v === null || v === undefined ? 'nothing' : typeof v === 'string' ? `'${v}'` : String(v));

/** Compare every sample person with the snapshot. Never throws; see `assertSamplePeople`. */
export function checkSamplePeople(
  snapshot: OrgSnapshot,
  org: SampleOrg,
  reading: SampleReading,
  o: { today?: string; fields?: readonly PersonField[] } = {},
): PeopleCheck {
  const notApplicable = { ...(reading.notApplicable ?? {}) };
  const fields = (o.fields ?? PERSON_FIELDS).filter((f) => !notApplicable[f]);
  const mismatches: PersonMismatch[] = [];
  const byId = new Map(snapshot.employees.map((e) => [e.id, e]));
  const idOfKey = new Map(org.people.map((p) => [p.key, reading.personId(p)]));
  const keyOfId = new Map([...idOfKey].map(([k, id]) => [id, k]));
  const byKey = new Map(org.people.map((p) => [p.key, p]));
  const groups = new Map(snapshot.groups.map((g) => [g.id, g]));
  const locations = new Map(snapshot.locations.map((l) => [l.id, l]));
  const who = (p: SamplePerson) =>
    `${p.firstName} ${p.lastName} (sample person #${p.key}, employee ${idOfKey.get(p.key)})`;
  const nameOfKey = (k: number | null) =>
    k === null ? 'nobody' : byKey.has(k) ? `${byKey.get(k)!.firstName} ${byKey.get(k)!.lastName} (#${k})` : `#${k}`;
  // Every value a group attribute takes in the sample: a person must not carry another one.
  const valuesOf = (attr: SampleGroupAttribute) =>
    new Set(org.people.map((p) => p[attr]).filter((v): v is string => !!v));

  if (!reading.groups && !notApplicable.groups && fields.includes('groups')) {
    mismatches.push({
      key: 0,
      field: 'groups',
      message:
        'the registration says neither which sample attributes become groups (`sample.groups`) nor why groups do not apply (`sample.notApplicable.groups`)',
    });
  }

  for (const p of org.people) {
    const id = idOfKey.get(p.key)!;
    const e = byId.get(id);
    if (!e) {
      mismatches.push({
        key: p.key,
        field: 'presence',
        message: `${who(p)}, ${statusStory(p, o.today)}, is missing: no employee has id ${id}`,
      });
      continue;
    }
    const base = samplePersonExpectation(org, p, reading);
    const vendor = reading.expect?.(p, base) ?? {};
    const exp: ExpectedPerson = { ...base, ...vendor, groups: { ...base.groups, ...(vendor.groups ?? {}) } };
    const miss = (field: PersonField, detail: string) =>
      mismatches.push({ key: p.key, field, message: `${who(p)}: ${FIELD_WORDS[field]} ${detail}` });
    for (const field of fields) {
      switch (field) {
        case 'name':
          if (e.firstName !== exp.firstName || e.lastName !== exp.lastName)
            miss(
              field,
              `should be ${show(`${exp.firstName} ${exp.lastName}`)}, but reads ${show(`${e.firstName ?? ''} ${e.lastName ?? ''}`.trim())}`,
            );
          break;
        case 'workEmail':
          if (!sameText(e.workEmail, exp.workEmail))
            miss(field, `should be ${show(exp.workEmail)}, but reads ${show(e.workEmail)}`);
          break;
        case 'status':
          if (e.employmentStatus !== exp.status)
            miss(
              field,
              `should be ${exp.status} (the person is ${statusStory(p, o.today)}), but reads ${e.employmentStatus}${e.employmentStatusRaw ? ` (vendor value ${show(e.employmentStatusRaw)})` : ''}`,
            );
          break;
        case 'manager': {
          const got = e.managerId === null ? null : (keyOfId.get(e.managerId) ?? -1);
          if (got !== exp.managerKey)
            miss(
              field,
              `should be ${nameOfKey(exp.managerKey)}, but reads ${got === -1 ? `id ${show(e.managerId)}, who is nobody of the sample company` : nameOfKey(got)}`,
            );
          break;
        }
        case 'groups':
          for (const [attr, type] of Object.entries(reading.groups ?? {}) as Array<[SampleGroupAttribute, GroupType]>) {
            const want = exp.groups[attr] ?? null;
            const held = e.groupIds.map((g) => groups.get(g)).filter((g) => g !== undefined && g.type === type);
            const others = held
              .filter((g) => g!.name !== want && valuesOf(attr).has(g!.name))
              .map((g) => show(g!.name));
            const listed =
              e.groupIds
                .map((g) =>
                  groups.has(g) ? `${show(groups.get(g)!.name)} (${groups.get(g)!.type})` : `unknown group ${show(g)}`,
                )
                .join(', ') || 'none';
            if (want !== null && !held.some((g) => g!.name === want))
              miss(
                field,
                `should include the ${attr} ${show(want)} as a ${type} group, but the groups read are ${listed}`,
              );
            else if (others.length)
              miss(
                field,
                `should hold ${want === null ? `no ${attr}` : `only the ${attr} ${show(want)}`} as a ${type} group, but also reads ${others.join(', ')}`,
              );
          }
          break;
        case 'location': {
          const got =
            e.locationId === null ? null : (locations.get(e.locationId)?.name ?? `unknown location id ${e.locationId}`);
          if (got !== exp.location) miss(field, `should be ${show(exp.location)}, but reads ${show(got)}`);
          break;
        }
        case 'startDate':
          if (e.startDate !== exp.startDate)
            miss(field, `should be ${show(exp.startDate)}, but reads ${show(e.startDate)}`);
          break;
        case 'terminationDate':
          if (e.terminationDate !== exp.terminationDate)
            miss(
              field,
              `should be ${show(exp.terminationDate)} (the person is ${statusStory(p, o.today)}), but reads ${show(e.terminationDate)}`,
            );
          break;
        case 'employmentType':
          if (e.employmentType !== exp.employmentType)
            miss(
              field,
              `should be ${show(exp.employmentType)} (sample: ${p.type}), but reads ${show(e.employmentType)}${e.employmentTypeRaw ? ` (vendor value ${show(e.employmentTypeRaw)})` : ''}`,
            );
          break;
      }
    }
  }
  for (const e of snapshot.employees) {
    if (!keyOfId.has(e.id))
      mismatches.push({
        key: 0,
        field: 'presence',
        message: `employee ${e.id} (${describe(e)}) is nobody of the sample company: ids must be the ones the simulator gives (\`sample.personId\`)`,
      });
  }
  return { checked: org.people.length, mismatches, notApplicable };
}

const describe = (e: Employee) => [e.displayName, e.workEmail].filter(Boolean).join(', ');
const sameText = (a: string | null, b: string | null) =>
  a === null || b === null ? a === b : a.trim().toLowerCase() === b.trim().toLowerCase();

/** The report of a failed check: how many people are wrong, then one line per mismatch (capped). */
export function formatMismatches(vendor: string, check: PeopleCheck, max = 40): string {
  const people = new Set(check.mismatches.map((m) => m.key)).size;
  const lines = check.mismatches.slice(0, max).map((m) => `  - ${m.message}`);
  if (check.mismatches.length > max) lines.push(`  ... and ${check.mismatches.length - max} more`);
  return `${vendor} reads ${people} of ${check.checked} sample people wrongly (${check.mismatches.length} fields):\n${lines.join('\n')}`;
}

/** Throw an Error listing every mismatch (person and field, in words) when any field of anyone is wrong. */
export function assertSamplePeople(
  vendor: string,
  snapshot: OrgSnapshot,
  org: SampleOrg,
  reading: SampleReading,
  o: { today?: string; fields?: readonly PersonField[] } = {},
): PeopleCheck {
  const check = checkSamplePeople(snapshot, org, reading, o);
  if (check.mismatches.length) throw new Error(formatMismatches(vendor, check));
  return check;
}
