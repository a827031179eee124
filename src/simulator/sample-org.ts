/**
 * A deterministic sample company, vendor-neutral. Each connector's simulator renders these people
 * in its vendor's wire format, so the demo, the integration tests and the benchmarks all read the
 * same people through different vendors.
 */

export type SampleStatus = 'active' | 'pending' | 'leave' | 'terminated';
export type SampleType = 'full_time' | 'part_time' | 'contractor' | 'intern' | 'temporary';

export interface SamplePerson {
  /** 1-based sequence number; vendors derive their own ids from it. */
  key: number;
  employeeNumber: string;
  firstName: string;
  lastName: string;
  preferredName: string | null;
  workEmail: string;
  personalEmail: string;
  title: string;
  department: string;
  division: string;
  team: string | null;
  location: string;
  managerKey: number | null;
  status: SampleStatus;
  type: SampleType;
  hireDate: string;
  terminationDate: string | null;
  terminationType: 'voluntary' | 'involuntary' | null;
  updatedAt: string;
}

export interface SampleLocation {
  name: string;
  line1: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  timezone: string;
}

export interface SampleOrg {
  companyName: string;
  legalName: string;
  domain: string;
  departments: Array<{ name: string; division: string }>;
  divisions: string[];
  teams: Array<{ name: string; department: string }>;
  locations: SampleLocation[];
  people: SamplePerson[];
}

const FIRST = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Mateo',
  'Sofía',
  'Yuki',
  'Aarav',
  'Zoë',
  'Chen',
  'Fatima',
  'Lucas',
  'Amara',
  'Ingrid',
  'Kwame',
  'Priya',
  'Diego',
  'Hannah',
  'Omar',
  'Mei',
  'Elena',
  'Tomás',
  'Nia',
  'Jonas',
  'Leila',
  'Ravi',
  'Grace',
  'Kenji',
  'Anouk',
  'Sipho',
  'Camille',
];
const LAST = [
  'Okafor',
  'Nguyen',
  'García',
  'Schmidt',
  "O'Brien",
  'Tanaka',
  'Patel',
  'Kowalski',
  'Haddad',
  'Johansson',
  'Mensah',
  'Rossi',
  'Kim',
  'Dubois',
  'Silva',
  'Novak',
  'Ibrahim',
  'Larsen',
  'Moreau',
  'Fischer',
  'Cohen',
  'Müller',
  'Santos',
  'Ivanova',
];

const DEPARTMENTS = [
  { name: 'Executive', division: 'Corporate' },
  { name: 'Engineering', division: 'Product & Engineering' },
  { name: 'Product', division: 'Product & Engineering' },
  { name: 'Sales', division: 'Go To Market' },
  { name: 'Marketing', division: 'Go To Market' },
  { name: 'Customer Success', division: 'Go To Market' },
  { name: 'People', division: 'Corporate' },
  { name: 'Finance', division: 'Corporate' },
];
const TEAMS = [
  { name: 'Platform', department: 'Engineering' },
  { name: 'Payments', department: 'Engineering' },
  { name: 'Mobile', department: 'Engineering' },
  { name: 'Enterprise Sales', department: 'Sales' },
];
const LOCATIONS: SampleLocation[] = [
  {
    name: 'San Francisco HQ',
    line1: '500 Howard St',
    city: 'San Francisco',
    region: 'CA',
    postalCode: '94105',
    country: 'US',
    timezone: 'America/Los_Angeles',
  },
  {
    name: 'New York',
    line1: '28 W 23rd St',
    city: 'New York',
    region: 'NY',
    postalCode: '10010',
    country: 'US',
    timezone: 'America/New_York',
  },
  {
    name: 'London',
    line1: '1 Finsbury Ave',
    city: 'London',
    region: 'England',
    postalCode: 'EC2M 2PF',
    country: 'GB',
    timezone: 'Europe/London',
  },
  {
    name: 'Remote (US)',
    line1: '500 Howard St',
    city: 'San Francisco',
    region: 'CA',
    postalCode: '94105',
    country: 'US',
    timezone: 'America/Chicago',
  },
];

const TITLES: Record<string, [string, string, string]> = {
  Executive: ['Chief Executive Officer', 'Chief of Staff', 'Executive Assistant'],
  Engineering: ['VP of Engineering', 'Engineering Manager', 'Software Engineer'],
  Product: ['VP of Product', 'Group Product Manager', 'Product Manager'],
  Sales: ['VP of Sales', 'Sales Manager', 'Account Executive'],
  Marketing: ['VP of Marketing', 'Marketing Manager', 'Marketing Specialist'],
  'Customer Success': ['VP of Customer Success', 'Support Manager', 'Support Specialist'],
  People: ['VP of People', 'HR Manager', 'HR Generalist'],
  Finance: ['CFO', 'Controller', 'Accountant'],
};

/** Deterministic PRNG (mulberry32). @internal shared with tests that need seeded randomness. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface SampleOrgOptions {
  /** Number of people (default 40). */
  size?: number;
  /** "Today" for the sample: decides future hires and scheduled terminations (default: the real today, UTC). */
  today?: string;
  seed?: number;
}

/**
 * Generate the sample company. The first people form the leadership: a CEO, then one VP per
 * department reporting to the CEO, managers under VPs, individual contributors under managers.
 * The mix includes terminated people (past), terminated people without a termination date and
 * people on leave without dates (their status alone decides them), a scheduled termination (future
 * date, still active), future hires (pending), contractors, interns, part-timers and names with
 * accents and apostrophes.
 */
export function sampleOrg(options: SampleOrgOptions = {}): SampleOrg {
  const size = Math.max(1, options.size ?? 40);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const rand = rng(options.seed ?? 42);
  const people: SamplePerson[] = [];
  const usedEmails = new Set<string>();
  const nextSuffix = new Map<string, number>();
  const managersByDept = new Map<string, number[]>();
  const vpByDept = new Map<string, number>();

  for (let key = 1; key <= size; key++) {
    const firstName = FIRST[(key * 7 + Math.floor(rand() * 3)) % FIRST.length]!;
    const lastName = LAST[(key * 5 + Math.floor(rand() * 4)) % LAST.length]!;
    let dept: (typeof DEPARTMENTS)[number];
    let level: 0 | 1 | 2;
    let managerKey: number | null;
    if (key === 1) {
      dept = DEPARTMENTS[0]!;
      level = 0;
      managerKey = null;
    } else if (key <= DEPARTMENTS.length) {
      dept = DEPARTMENTS[key - 1]!;
      level = 0;
      managerKey = 1;
      vpByDept.set(dept.name, key);
    } else {
      dept = DEPARTMENTS[1 + ((key * 3) % (DEPARTMENTS.length - 1))]!;
      const mgrs = managersByDept.get(dept.name) ?? [];
      const needManager = mgrs.length === 0 || (mgrs.length < 1 + Math.floor(size / 60) && rand() < 0.08);
      if (needManager) {
        level = 1;
        managerKey = vpByDept.get(dept.name) ?? 1;
        mgrs.push(key);
        managersByDept.set(dept.name, mgrs);
      } else {
        level = 2;
        managerKey = mgrs[Math.floor(rand() * mgrs.length)]!;
      }
    }
    if (key === 1) level = 0;
    const title = key === 1 ? 'Chief Executive Officer' : TITLES[dept.name]![key <= DEPARTMENTS.length ? 0 : level]!;
    const base = `${firstName}.${lastName}`
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    // Linear de-duplication: the next free suffix per base name.
    let localPart = base;
    if (usedEmails.has(localPart)) {
      let n = nextSuffix.get(base) ?? 2;
      while (usedEmails.has(`${base}${n}`)) n++;
      localPart = `${base}${n}`;
      nextSuffix.set(base, n + 1);
    }
    usedEmails.add(localPart);
    const hireDate = addDays('2019-01-07', Math.floor(rand() * 2300));
    const team =
      dept.name === 'Engineering'
        ? TEAMS[key % 3]!.name
        : dept.name === 'Sales' && key % 2 === 0
          ? 'Enterprise Sales'
          : null;

    let status: SampleStatus = 'active';
    let type: SampleType = 'full_time';
    let terminationDate: string | null = null;
    let terminationType: SamplePerson['terminationType'] = null;
    let hire = hireDate;
    const leader = key <= DEPARTMENTS.length;
    const m = key % 20;
    if (!leader && level === 2) {
      if (m === 3 || m === 13) {
        status = 'terminated';
        // Every other involuntary leaver (keys 33, 73, 113...) has no termination date: the status
        // alone says they left, as HR systems allow ("Inactive" with the date never filled in).
        const dateless = m === 13 && key % 40 === 33;
        terminationDate = dateless ? null : addDays(today, -30 - key);
        terminationType = m === 3 ? 'voluntary' : 'involuntary';
      } else if (m === 7) {
        terminationDate = addDays(today, 14);
        terminationType = 'voluntary';
      } else if (m === 9) {
        status = 'pending';
        hire = addDays(today, 10 + (key % 5));
      } else if (m === 11) status = 'leave';
      else if (m === 5) type = 'contractor';
      else if (m === 15) type = 'part_time';
      else if (m === 17) type = 'intern';
      else if (m === 19) type = 'temporary';
    }
    people.push({
      key,
      employeeNumber: String(1000 + key),
      firstName,
      lastName,
      preferredName: key % 9 === 4 ? firstName.slice(0, 3) : null,
      workEmail: `${localPart}@acme.example`,
      personalEmail: `${localPart}.home@mail.example`,
      title,
      department: dept.name,
      division: dept.division,
      team,
      location: LOCATIONS[key % LOCATIONS.length]!.name,
      managerKey,
      status,
      type,
      hireDate: hire,
      terminationDate,
      terminationType,
      updatedAt: `${addDays(today, -(key % 90))}T12:${String(key % 60).padStart(2, '0')}:00Z`,
    });
  }
  return {
    companyName: 'Acme Robotics',
    legalName: 'Acme Robotics, Inc.',
    domain: 'acme.example',
    departments: DEPARTMENTS,
    divisions: [...new Set(DEPARTMENTS.map((d) => d.division))],
    teams: TEAMS,
    locations: LOCATIONS,
    people,
  };
}

/**
 * Simulated HR changes between two runs of the demo: a hire, a departure, a promotion with a new
 * manager, a department move, an email change and a leave.
 */
export function applySampleChanges(org: SampleOrg, today = new Date().toISOString().slice(0, 10)): SampleOrg {
  const people = org.people.map((p) => ({ ...p }));
  const active = people.filter((p) => p.status === 'active' && p.key > org.departments.length && !p.terminationDate);
  const [leaver, mover, promoted, renamed, onLeave] = active.slice(-5);
  if (leaver) {
    leaver.status = 'terminated';
    leaver.terminationDate = today;
    leaver.terminationType = 'involuntary';
  }
  if (mover) {
    mover.department = mover.department === 'Marketing' ? 'Sales' : 'Marketing';
    mover.division = 'Go To Market';
    mover.team = null;
    mover.managerKey =
      org.people.find((p) => p.key <= org.departments.length && p.department === mover.department)?.key ??
      mover.managerKey;
  }
  if (promoted) promoted.title = `Senior ${promoted.title}`;
  if (renamed) renamed.workEmail = renamed.workEmail.replace('@', '.new@');
  if (onLeave) onLeave.status = 'leave';
  const key = people.length + 1;
  people.push({
    ...people[people.length - 1]!,
    key,
    employeeNumber: String(1000 + key),
    firstName: 'Wren',
    lastName: 'Castellanos',
    preferredName: null,
    workEmail: 'wren.castellanos@acme.example',
    personalEmail: 'wren.c@mail.example',
    title: 'Software Engineer',
    department: 'Engineering',
    division: 'Product & Engineering',
    team: 'Platform',
    managerKey: people.find((p) => p.department === 'Engineering' && p.key > org.departments.length)?.key ?? 2,
    status: 'active',
    type: 'full_time',
    hireDate: today,
    terminationDate: null,
    terminationType: null,
  });
  return { ...org, people };
}
