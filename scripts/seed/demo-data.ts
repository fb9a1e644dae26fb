/**
 * Deterministic demo data: locations across several local authorities and regions (all four types) and
 * a few weeks of returns, some stale past 24 h and 48 h, some with warnings, some corrected. Built from
 * the same schemas and rules as real submissions, so it can never hold a return the API would refuse.
 */
import { categoriesAllowedFor, Location, type LocationType, type VacancyCategory } from '#shared/model/schemas/location';
import { DailyReturnInput, RETURN_SCHEMA_VERSION, type StoredReturn } from '#shared/model/schemas/return';
import { addDays, londonDay, londonStartOfDay, toInstant } from '#shared/model/returns/report-date';
import { returnWarnings } from '#shared/model/returns/warnings';

/** mulberry32: small, seedable, good enough for demo figures. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_AREAS = [
  { localAuthority: 'E08000004', name: 'Oldham', region: 'E12000002' },
  { localAuthority: 'E08000003', name: 'Manchester', region: 'E12000002' },
  { localAuthority: 'E06000027', name: 'Torbay', region: 'E12000009' },
  { localAuthority: 'E06000026', name: 'Plymouth', region: 'E12000009' },
  { localAuthority: 'E09000033', name: 'Westminster', region: 'E12000007' },
  { localAuthority: 'E08000025', name: 'Birmingham', region: 'E12000005' },
  { localAuthority: 'E06000018', name: 'Nottingham', region: 'E12000004' },
  { localAuthority: 'E08000021', name: 'Newcastle upon Tyne', region: 'E12000001' },
  { localAuthority: 'E08000035', name: 'Leeds', region: 'E12000003' },
  { localAuthority: 'E06000045', name: 'Southampton', region: 'E12000008' },
] as const;

type DemoCouncil = (typeof DEMO_AREAS)[number]['localAuthority'];

/** A place in a demo council: its postal town, the part of it (if the town is bigger), and a postcode district there. */
interface DemoPlace {
  town: string;
  locality?: string;
  district: string;
}

/**
 * Where each demo council is: roughly the centre of its main town (WGS84), a few of its places with a
 * postcode district of theirs, and the Ofcom drama range its phone numbers come from (numbers that are
 * never given to anyone: 020 7946 0000–0999 for London, 01632 960000–960999 anywhere else).
 */
export const DEMO_PLACES: Record<DemoCouncil, { latitude: number; longitude: number; places: readonly DemoPlace[] }> = {
  E08000004: { latitude: 53.5444, longitude: -2.1169, places: [{ town: 'Oldham', locality: 'Chadderton', district: 'OL9' }, { town: 'Oldham', locality: 'Royton', district: 'OL2' }, { town: 'Oldham', locality: 'Hathershaw', district: 'OL8' }] },
  E08000003: { latitude: 53.4808, longitude: -2.2426, places: [{ town: 'Manchester', locality: 'Didsbury', district: 'M20' }, { town: 'Manchester', locality: 'Chorlton', district: 'M21' }, { town: 'Manchester', locality: 'Levenshulme', district: 'M19' }] },
  E06000027: { latitude: 50.4619, longitude: -3.5253, places: [{ town: 'Torquay', district: 'TQ1' }, { town: 'Torquay', locality: 'Chelston', district: 'TQ2' }, { town: 'Paignton', district: 'TQ3' }] },
  E06000026: { latitude: 50.3755, longitude: -4.1427, places: [{ town: 'Plymouth', locality: 'Mannamead', district: 'PL3' }, { town: 'Plymouth', locality: 'Plympton', district: 'PL7' }, { town: 'Plymouth', locality: 'Plymstock', district: 'PL9' }] },
  E09000033: { latitude: 51.4975, longitude: -0.1357, places: [{ town: 'London', locality: 'Pimlico', district: 'SW1V' }, { town: 'London', locality: 'Maida Vale', district: 'W9' }, { town: 'London', locality: "St John's Wood", district: 'NW8' }] },
  E08000025: { latitude: 52.4862, longitude: -1.8904, places: [{ town: 'Birmingham', locality: 'Edgbaston', district: 'B15' }, { town: 'Birmingham', locality: 'Moseley', district: 'B13' }, { town: 'Birmingham', locality: 'Erdington', district: 'B23' }] },
  E06000018: { latitude: 52.9548, longitude: -1.1581, places: [{ town: 'Nottingham', locality: 'Sherwood', district: 'NG5' }, { town: 'Nottingham', locality: 'Lenton', district: 'NG7' }, { town: 'Nottingham', locality: 'Bulwell', district: 'NG6' }] },
  E08000021: { latitude: 54.9783, longitude: -1.6178, places: [{ town: 'Newcastle upon Tyne', locality: 'Jesmond', district: 'NE2' }, { town: 'Newcastle upon Tyne', locality: 'Gosforth', district: 'NE3' }, { town: 'Newcastle upon Tyne', locality: 'Heaton', district: 'NE6' }] },
  E08000035: { latitude: 53.7997, longitude: -1.5492, places: [{ town: 'Leeds', locality: 'Headingley', district: 'LS6' }, { town: 'Leeds', locality: 'Roundhay', district: 'LS8' }, { town: 'Leeds', locality: 'Horsforth', district: 'LS18' }] },
  E06000045: { latitude: 50.9097, longitude: -1.4044, places: [{ town: 'Southampton', locality: 'Shirley', district: 'SO15' }, { town: 'Southampton', locality: 'Portswood', district: 'SO17' }, { town: 'Southampton', locality: 'Bitterne', district: 'SO18' }] },
};

const STREETS = ['Church Road', 'Station Road', 'Park Avenue', 'Victoria Street', 'Mill Lane', 'Grove Road', 'Queens Road', 'Orchard Close', 'Manor Drive', 'Albert Terrace'];
/** The letters a postcode's inward code may end with. */
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

/**
 * A plausible address, postcode, phone number and position for the i-th demo location in its council.
 * From a random stream of its own, so the rest of the demo data is what it was before locations had these.
 */
function demoContactDetails(i: number, council: DemoCouncil, random: () => number): Pick<Location, 'address' | 'postcode' | 'phone' | 'latitude' | 'longitude'> {
  const { latitude, longitude, places } = DEMO_PLACES[council];
  const place = pick(random, places);
  const street = `${1 + Math.floor(random() * 180)} ${pick(random, STREETS)}`;
  const postcode = `${place.district} ${1 + Math.floor(random() * 9)}${pick(random, [...INWARD_LETTERS])}${pick(random, [...INWARD_LETTERS])}`;
  // Unique within each range for the first thousand locations (17 and 1000 share no factor).
  const line = String((i * 17 + 123) % 1000).padStart(3, '0');
  const phone = council === 'E09000033' ? `020 7946 0${line}` : `01632 960${line}`;
  // Within a couple of kilometres of the council's centre, to the CQC's six decimal places.
  const near = (centre: number, spread: number) => Math.round((centre + (random() - 0.5) * 2 * spread) * 1e6) / 1e6;
  return {
    address: [street, place.locality, place.town].filter(Boolean).join(', '),
    postcode,
    phone,
    latitude: near(latitude, 0.02),
    longitude: near(longitude, 0.03),
  };
}

const NAME_FIRST = ['Neville', 'Oak', 'Willow', 'Meadow', 'Cedar', 'Rose', 'Beech', 'Holly', 'Ash', 'Elm', 'Laurel', 'Heather'];
const NAME_LAST: Record<LocationType, readonly string[]> = {
  careHome: ['House', 'Lodge', 'Court', 'Grange', 'Manor', 'View', 'Gardens'],
  hospice: ['Hospice'],
  communityRehab: ['Rehabilitation Unit', 'Intermediate Care Centre'],
  substanceMisuse: ['Recovery Centre', 'Detox Unit'],
};

/** How recently each demo location last reported, so reminders and staleness have something to show. */
export type Freshness = 'fresh' | 'over24h' | 'over48h' | 'never';

export interface DemoLocation {
  location: Location;
  freshness: Freshness;
}

const TYPE_PLAN: LocationType[] = [
  ...Array<LocationType>(48).fill('careHome'),
  ...Array<LocationType>(4).fill('hospice'),
  ...Array<LocationType>(4).fill('communityRehab'),
  ...Array<LocationType>(4).fill('substanceMisuse'),
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function careHomeCategories(random: () => number): VacancyCategory[] {
  const nursing = random() < 0.45;
  const categories: VacancyCategory[] = [nursing ? 'nursing' : 'residential'];
  if (random() < 0.6) categories.push(nursing ? 'dementiaNursing' : 'dementiaResidential');
  if (random() < 0.25) categories.push('residential');
  if (random() < 0.15) categories.push('mentalHealth');
  if (random() < 0.1) categories.push('learningDisability');
  return [...new Set(categories)];
}

export function demoLocations(count = TYPE_PLAN.length, seed = 20261124): DemoLocation[] {
  const random = seededRandom(seed);
  const placeRandom = seededRandom(seed ^ 0x5eed);
  const freshnessCycle: Freshness[] = ['fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'over24h', 'over48h', 'fresh', 'fresh', 'never'];
  const result: DemoLocation[] = [];
  let providerId = '';
  for (let i = 0; i < count; i += 1) {
    const type = TYPE_PLAN[i % TYPE_PLAN.length]!;
    const area = DEMO_AREAS[i % DEMO_AREAS.length]!;
    // Roughly every third location starts a new provider, so some providers run several homes.
    if (i % 3 === 0) providerId = `1-${String(101_000_000 + i * 7919).padStart(9, '0')}`;
    const registeredBeds = type === 'careHome' ? 18 + Math.floor(random() * 70) : 8 + Math.floor(random() * 22);
    const location = Location.parse({
      locationId: `1-${String(109_000_000 + i * 104_729).padStart(9, '0')}`,
      providerId,
      name: `${pick(random, NAME_FIRST)} ${pick(random, NAME_LAST[type])}, ${area.name}`,
      type,
      categories: type === 'careHome' ? careHomeCategories(random) : categoriesAllowedFor(type),
      registeredBeds,
      localAuthority: area.localAuthority,
      region: area.region,
      active: true,
      lastUpdated: null,
      ...demoContactDetails(i, area.localAuthority, placeRandom),
    });
    result.push({ location, freshness: freshnessCycle[i % freshnessCycle.length]! });
  }
  return result;
}

/**
 * When the latest return was submitted and for which day. Fresh homes filed yesterday's return within
 * the last 24 hours, which leaves today open: the first PUT for today is a 201, as for a real home.
 */
function latestSubmission(freshness: Freshness, now: Date, random: () => number): { at: Date; reportDate: string } | undefined {
  const hours = (h: number) => h * 3_600_000;
  const today = londonDay(now);
  switch (freshness) {
    case 'fresh': {
      const yesterday = addDays(today, -1);
      const earliest = Math.max(now.getTime() - hours(23), londonStartOfDay(yesterday).getTime() + hours(7));
      const latest = Math.max(earliest, londonStartOfDay(today).getTime() - 60_000);
      return { at: new Date(earliest + random() * (latest - earliest)), reportDate: yesterday };
    }
    case 'over24h':
    case 'over48h': {
      const at = new Date(now.getTime() - hours(freshness === 'over24h' ? 26 + random() * 18 : 50 + random() * 70));
      return { at, reportDate: londonDay(at) };
    }
    case 'never':
      return undefined;
  }
}

function figures(location: Location, occupied: number, random: () => number, day: number): DailyReturnInput {
  const spare = Math.max(0, location.registeredBeds - occupied);
  const reserved = spare > 2 && random() < 0.2 ? 1 : 0;
  const notAdmittable = spare - reserved > 2 && random() < 0.1 ? 1 : 0;
  let vacant = spare - reserved - notAdmittable;
  const vacancies: DailyReturnInput['vacancies'] = {};
  location.categories.forEach((category, index) => {
    const share = index === location.categories.length - 1 ? vacant : Math.floor(random() * (vacant + 1));
    vacant -= share;
    const male = Math.floor(random() * (share + 1) * 0.3);
    const female = Math.floor(random() * (share - male + 1) * 0.4);
    vacancies[category] = { male, female, any: share - male - female };
  });
  const staffEmployed = Math.round(location.registeredBeds * (1.1 + random() * 0.4));
  const staffAbsent = Math.floor(random() * Math.max(2, staffEmployed * 0.08));
  const outbreakActive = random() < 0.04;
  const closed = outbreakActive || random() < 0.03;
  const ppeDays = () => (random() < 0.05 ? Math.floor(random() * 6) : 7 + Math.floor(random() * 60));
  return DailyReturnInput.parse({
    vacancies,
    beds: {
      occupied,
      vacantReserved: reserved,
      vacantNotAdmittable: notAdmittable,
      ...(notAdmittable > 0 ? { notAdmittableReason: pick(random, ['refurbishment', 'staffing', 'infectionControl'] as const) } : {}),
    },
    admissions: closed ? { status: pick(random, ['closed', 'restricted'] as const), reason: outbreakActive ? 'outbreak' : 'staffing' } : { status: 'open' },
    outbreak: {
      active: outbreakActive,
      residentsConfirmed: outbreakActive ? 1 + Math.floor(random() * 4) : 0,
      residentsSuspected: outbreakActive ? Math.floor(random() * 3) : 0,
      staffConfirmed: outbreakActive ? Math.floor(random() * 2) : 0,
    },
    workforce: {
      staffEmployed,
      staffAbsent,
      staffAbsentCovid: Math.min(staffAbsent, Math.floor(random() * 2)),
      agencyStaffShifts: Math.floor(random() * 6),
    },
    ppe: {
      gloves: ppeDays(),
      aprons: ppeDays(),
      fluidResistantMasks: ppeDays(),
      ffp3Masks: ppeDays(),
      eyeProtection: ppeDays(),
      handHygiene: ppeDays(),
    },
    visiting: closed ? 'restricted' : 'open',
    ...(day % 9 === 0 ? { notes: 'Routine day; one resident in hospital.' } : {}),
  });
}

/** A few slipped digits, so the demo shows what warnings look like. */
function withDataEntrySlip(input: DailyReturnInput, random: () => number): DailyReturnInput {
  return random() < 0.5
    ? { ...input, workforce: { ...input.workforce, staffAbsent: input.workforce.staffEmployed + 3 } }
    : { ...input, beds: { ...input.beds, occupied: input.beds.occupied * 10 } };
}

/**
 * The instant on `day` at the London time of day of the latest submission. Stepping back whole 24-hour
 * blocks instead would cross a clock change and date a return after the day it was sent.
 */
function sameLondonTimeOn(day: string, latest: { at: Date; reportDate: string }): Date {
  const sinceMidnight = latest.at.getTime() - londonStartOfDay(latest.reportDate).getTime();
  const start = londonStartOfDay(day).getTime();
  const dayLength = londonStartOfDay(addDays(day, 1)).getTime() - start;
  return new Date(start + Math.min(sinceMidnight, dayLength - 60_000));
}

export interface DemoReturns {
  /** Every stored version, oldest first; the last version of each day is the current one. */
  versions: StoredReturn[];
  lastUpdated: string | null;
  newestReportDate?: string;
}

/** `days` of returns, one a day up to the latest submission, with the odd correction and data-entry slip. */
export function demoReturns(demo: DemoLocation, now: Date, days = 21, seed = 7): DemoReturns {
  const random = seededRandom(seed + Number(demo.location.locationId.replace(/\D/g, '').slice(-6)));
  const latest = latestSubmission(demo.freshness, now, random);
  if (!latest) return { versions: [], lastUpdated: null };
  const { location } = demo;
  let occupied = Math.round(location.registeredBeds * (0.8 + random() * 0.15));
  let previous: DailyReturnInput | undefined;
  const versions: StoredReturn[] = [];
  for (let k = days - 1; k >= 0; k -= 1) {
    const reportDate = addDays(latest.reportDate, -k);
    const submittedAt = sameLondonTimeOn(reportDate, latest);
    occupied = Math.max(0, Math.min(location.registeredBeds, occupied + Math.round((random() - 0.5) * 3)));
    let input = figures(location, occupied, random, k);
    if (random() < 0.03) input = withDataEntrySlip(input, random);
    const corrected = random() < 0.06;
    const base = {
      locationId: location.locationId,
      reportDate,
      submittedBy: 'demo-seed',
      schemaVersion: RETURN_SCHEMA_VERSION,
    };
    const first = { ...input, ...base, version: 1, submittedAt: toInstant(submittedAt), firstSubmittedAt: toInstant(submittedAt), warnings: returnWarnings(input, location, previous) };
    versions.push(first);
    if (corrected) {
      const fixed = { ...input, beds: { ...input.beds, occupied: Math.max(0, input.beds.occupied - 1) } };
      const fixedAt = new Date(submittedAt.getTime() + 20 * 60_000);
      versions.push({ ...fixed, ...base, version: 2, submittedAt: toInstant(fixedAt > now ? submittedAt : fixedAt), firstSubmittedAt: first.submittedAt, warnings: returnWarnings(fixed, location, previous) });
    }
    previous = input;
  }
  return { versions, lastUpdated: versions.at(-1)?.submittedAt ?? null, newestReportDate: latest.reportDate };
}
