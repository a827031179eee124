/** Shared bits of the Gusto connector tests: fixtures, ids of the fixture company, nock helpers. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type nock from 'nock';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** `../shared` beside the project (specs and recordings); absent in users' clones. */
export const sharedDir = path.resolve(root, '../shared');
export const gustoSpecPath = path.join(sharedDir, 'specs', 'gusto-openapi.yaml');
export const gustoRecordingPath = path.join(
  sharedDir,
  'recordings',
  'gusto',
  'GET_v1_companies_{company_uuid}_employees.json',
);
export const hasGustoSpec = fs.existsSync(gustoSpecPath);
export const hasGustoRecording = fs.existsSync(gustoRecordingPath);

const dir = path.join(root, 'fixtures', 'gusto');

/** A fixture body (parsed fresh each time, so tests may mutate it). */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as T;
}

/** The response headers recorded beside a body fixture (`<name>.headers.json`). */
export function fixtureHeaders(name: string): Record<string, string> {
  return fixture<Record<string, string>>(name.replace(/\.json$/, '.headers.json'));
}

/** An error fixture: `{status, headers, body}`. */
export interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export const errorReply = (f: ErrorFixture) => [f.status, JSON.stringify(f.body), f.headers] as const;

export type Row = Record<string, any>;

/** The fixture company. */
export const CO = '7c3f1a52-9d4e-4b8a-a1f6-2e0d5c9b8a31';
export const BASE = 'https://api.gusto.com';
export const TOKEN = 'gusto-oauth-access-tok-3f9a1c7e5b2d4f60';
export const API_VERSION = '2025-06-15';

/** Employee uuids of the fixture company. */
export const E = {
  maggie: '10784ab0-8056-4e24-98fa-833a3ef7aa6d',
  tomas: 'b70f41de-5724-4355-9220-ea222c6a922b',
  priya: '27330b15-37ad-426b-a604-3816f74159b4',
  jonah: 'ee4b5e71-4011-4955-88e4-fe5236b2b4b6',
  aiko: '4290ebad-33bc-4f0e-abdb-f8a44cb78af4',
  luis: 'd688c0cb-7f80-4dbd-bcf4-836570c5eb67',
  chloe: '8abd9f17-34c9-406d-af7f-548d1d909155',
  kwame: '6305f59f-93e0-4a22-a969-da77e2f4099d',
  riley: '10faf853-0912-4fdb-b7f4-12807b1a6795',
  sam: '6367bc1c-9874-4ffa-b7be-e2a3a6ed772f',
  dana: 'ac7ccf7e-0b20-40e7-8ce4-8944d9b08a69',
  marcus: '5a0ec8e8-b2a3-4947-b6b2-47eb5edc30e8',
  ines: '5a3f2447-9f61-4b6f-913b-39ef8f87784b',
  greta: '94b327eb-7867-4d14-b568-56b7d3a195a6',
  noah: '70efc464-ad1f-42c9-8573-29e5cdae0b4a',
} as const;

export const DEPT = {
  executive: '8b1a10a0-6fe3-4177-bd12-087c1a020df1',
  production: '72c5e593-ee76-4346-9ef0-ad7617cfbeca',
  retail: 'a73ee5a4-1665-487c-849f-6d91d207ac59',
  wholesale: '13fba581-f0e2-495f-aca8-9295f14ecc2c',
  finance: '72b998d6-b88b-4812-8f15-f8a6f9e064b1',
  rnd: '62dc8f32-ffb1-487b-9904-2c14aa4ee21e',
} as const;

export const LOC = {
  portland: '46653aec-9f99-42dc-8a0a-92d978a79ecf',
  seattle: 'f2977890-b0a2-415d-a5c2-24836436b43f',
  tacoma: '4894ddb2-aaa7-4d30-8a5d-b7bd3633e6bf',
} as const;

export const FILES = {
  employees1: 'GET_v1_companies_company_uuid_employees_page1.json',
  employees2: 'GET_v1_companies_company_uuid_employees_page2.json',
  departments: 'GET_v1_companies_company_uuid_departments.json',
  locations: 'GET_v1_companies_company_uuid_locations.json',
  company: 'GET_v1_companies_company_uuid.json',
} as const;

/** Every request must carry the token, the API version and ask for JSON. */
export function gustoHeaders(interceptor: nock.Interceptor, token = TOKEN, version = API_VERSION): nock.Interceptor {
  return interceptor
    .matchHeader('authorization', `Bearer ${token}`)
    .matchHeader('x-gusto-api-version', version)
    .matchHeader('accept', 'application/json');
}
