import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { demoLocations } from '../../scripts/seed/demo-data';
import { demoUsers } from '../../scripts/seed/demo-users';
import { createLocalGateway } from '../../scripts/local/stack';
import { putLocations } from '../../shared/repositories/locations';
import { addDays, londonDay } from '../../shared/returns/report-date';
import type { Location } from '../../shared/schemas/location';
import type { DailyReturnInput } from '../../shared/schemas/return';

/** The local gateway on a free port, for the file's tests: HTTP in, the deployed handlers, DynamoDB Local. */
export function useGateway(): { url: () => string } {
  let base = '';
  let close: () => Promise<void> = async () => undefined;
  beforeAll(async () => {
    const server = createLocalGateway(demoUsers(demoLocations()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());
  return { url: () => base };
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  user?: string;
}

export async function call(base: string, method: string, path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.user) headers['x-local-user'] = options.user;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(base + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** A fresh location nobody else's test touches. */
export function newLocation(overrides: Partial<Location> = {}): Location {
  return {
    locationId: `1-9${String(randomInt(0, 99_999_999)).padStart(8, '0')}`,
    providerId: '1-900000001',
    name: 'Test House',
    type: 'careHome',
    categories: ['residential', 'nursing'],
    registeredBeds: 60,
    localAuthority: 'E08000004',
    region: 'E12000002',
    active: true,
    lastUpdated: null,
    ...overrides,
  };
}

export async function createLocation(overrides: Partial<Location> = {}): Promise<Location> {
  const location = newLocation(overrides);
  await putLocations([location]);
  return location;
}

export const today = () => londonDay(new Date());
export const daysAgo = (days: number) => addDays(today(), -days);

/** The example body of DESIGN §5. */
export function designExample(): DailyReturnInput {
  return {
    vacancies: {
      residential: { male: 0, female: 1, any: 0 },
      nursing: { male: 0, female: 0, any: 2 },
      dementiaResidential: { male: 0, female: 0, any: 0 },
      dementiaNursing: { male: 0, female: 0, any: 0 },
      mentalHealth: { male: 0, female: 0, any: 0 },
      learningDisability: { male: 0, female: 0, any: 0 },
    },
    beds: { occupied: 41, vacantReserved: 1, vacantNotAdmittable: 0, notAdmittableReason: 'refurbishment' },
    admissions: { status: 'open' },
    outbreak: { active: false, residentsConfirmed: 0, residentsSuspected: 0, staffConfirmed: 0 },
    workforce: { staffEmployed: 52, staffAbsent: 2, staffAbsentCovid: 0, agencyStaffShifts: 3 },
    ppe: { gloves: 30, aprons: 30, fluidResistantMasks: 14, ffp3Masks: 7, eyeProtection: 21, handHygiene: 60 },
    visiting: 'open',
    notes: 'optional, at most 1000 characters',
  };
}

export const returnPath = (locationId: string, reportDate: string) => `/v1/locations/${locationId}/returns/${reportDate}`;
