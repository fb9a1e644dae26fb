/**
 * The members migration: memberships written before members could be managers carry no `manager` flag,
 * and their locations no counts (`members`, `managers`), or counts that a later change added to from
 * nothing. So the unreachable report says "no member" where there are members, and no one can look after
 * a team from the team page. For every location that has memberships (or keeps a count other than zero):
 * the exact counts, from its memberships; where it has members but no manager, its earliest-granted member
 * made a manager (audited as a `member.change` by `migrate:members`); then the counts set, on condition
 * they are still what was read, so a member change racing the migration makes the location "raced" (a
 * rerun finishes it) instead of being overwritten. Memberships of a location the directory does not have
 * are reported, not written.
 *
 * Idempotent (a location whose counts are exact and which has a manager, or no member, is only read) and
 * so resumable: run it again until it reports nothing left to fix.
 */
import { subjects } from '#shared/model/people/audit';
import { locationsWithCountsPage, membershipLocationsPage, storedCounts, writeExactCounts, type ManagerToMake, type StoredCounts } from '#shared/repositories/member-migration';
import { membersOfLocation, type Membership } from '#shared/repositories/memberships';

export const MIGRATION_ACTOR = 'migrate:members';

export interface MemberMigrationSummary {
  /** Locations checked: every location with a membership, and every other one keeping a count other than zero. */
  locations: number;
  /** Locations whose counts were set to the exact numbers (including those given a manager). */
  countsFixed: number;
  /** Members made managers: one per location that had members and no manager. */
  managersMade: number;
  /** Locations a member change reached between the read and the write: left as they were; run again. */
  raced: string[];
  /** Locations with memberships but no directory entry: counted, not written. */
  orphans: Array<{ locationId: string; memberships: number }>;
}

/** What the migration read of one location: its counts first (strongly consistent), then its memberships. */
export interface LocationMembersRead {
  locationId: string;
  /** Undefined when the directory has no such location. */
  counts: StoredCounts | undefined;
  memberships: Membership[];
}

export type LocationOutcome =
  | { kind: 'unchanged' }
  | { kind: 'fixed'; managerMade: Membership | undefined }
  | { kind: 'raced' }
  | { kind: 'orphan'; memberships: number };

/**
 * The counts before the memberships: a member change after the counts were read moves them, so the
 * conditional write sees it, however stale the memberships it counted.
 */
export async function readLocationMembers(locationId: string): Promise<LocationMembersRead> {
  const counts = await storedCounts(locationId);
  return { locationId, counts, memberships: await membersOfLocation(locationId) };
}

/** The member who becomes the manager of a team without one: the earliest granted (then the lowest user ID). */
export function firstGranted(memberships: readonly Membership[]): Membership | undefined {
  const order = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  // As instants (a grant written without milliseconds sorts among those with them); one unreadable, last.
  const instant = (membership: Membership) => {
    const time = Date.parse(membership.grantedAt);
    return Number.isNaN(time) ? Number.MAX_SAFE_INTEGER : time;
  };
  return [...memberships].sort((a, b) => order(instant(a), instant(b)) || order(a.grantedAt, b.grantedAt) || order(a.userId, b.userId))[0];
}

/** An absent count reads as zero: it is exact when zero is. */
const exactAlready = (stored: number | undefined, exact: number) => stored === exact || (stored === undefined && exact === 0);

/** One location, from what was read of it: nothing written unless something is wrong, and only if nothing changed since. */
export async function migrateLocation(read: LocationMembersRead, now: Date): Promise<LocationOutcome> {
  const { locationId, counts, memberships } = read;
  if (!counts) return memberships.length > 0 ? { kind: 'orphan', memberships: memberships.length } : { kind: 'unchanged' };
  const managers = memberships.filter((membership) => membership.manager === true).length;
  const toMake = managers === 0 ? firstGranted(memberships) : undefined;
  const exact = { members: memberships.length, managers: managers + (toMake ? 1 : 0) };
  if (!toMake && exactAlready(counts.members, exact.members) && exactAlready(counts.managers, exact.managers)) return { kind: 'unchanged' };
  const manager: ManagerToMake | undefined = toMake && {
    before: toMake,
    audit: { actor: MIGRATION_ACTOR, action: 'member.change', subject: subjects.location(locationId), before: toMake, after: { ...toMake, manager: true } },
    at: now,
  };
  if (!(await writeExactCounts(locationId, counts, exact, manager))) return { kind: 'raced' };
  return { kind: 'fixed', managerMade: toMake };
}

/** Locations between two progress reports. */
const PROGRESS_EVERY = 25;

export interface MemberMigrationProgress {
  /** Membership rows scanned so far. */
  membershipsRead: number;
  /** Locations to check, once the scans are done (until then, those found so far). */
  locationsFound: number;
  locationsChecked: number;
}

export async function migrateMembers(options: { now?: () => Date; onProgress?: (progress: MemberMigrationProgress) => void } = {}): Promise<MemberMigrationSummary> {
  const now = options.now ?? (() => new Date());
  const progress: MemberMigrationProgress = { membershipsRead: 0, locationsFound: 0, locationsChecked: 0 };
  const report = () => options.onProgress?.({ ...progress });

  // Every location with a membership, page after page; then those keeping a count with none left.
  const withMemberships = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await membershipLocationsPage(startKey);
    for (const locationId of page.locationIds) withMemberships.add(locationId);
    progress.membershipsRead += page.locationIds.length;
    progress.locationsFound = withMemberships.size;
    report();
    startKey = page.startKey;
  } while (startKey);
  const locationIds = [...withMemberships];
  do {
    const page = await locationsWithCountsPage(startKey);
    locationIds.push(...page.locationIds.filter((locationId) => !withMemberships.has(locationId)));
    progress.locationsFound = locationIds.length;
    startKey = page.startKey;
  } while (startKey);
  report();

  const summary: MemberMigrationSummary = { locations: 0, countsFixed: 0, managersMade: 0, raced: [], orphans: [] };
  for (const locationId of locationIds) {
    const outcome = await migrateLocation(await readLocationMembers(locationId), now());
    summary.locations += 1;
    if (outcome.kind === 'orphan') summary.orphans.push({ locationId, memberships: outcome.memberships });
    else if (outcome.kind === 'raced') summary.raced.push(locationId);
    else if (outcome.kind === 'fixed') {
      summary.countsFixed += 1;
      if (outcome.managerMade) summary.managersMade += 1;
    }
    progress.locationsChecked = summary.locations;
    if (summary.locations % PROGRESS_EVERY === 0 || summary.locations === locationIds.length) report();
  }
  return summary;
}
