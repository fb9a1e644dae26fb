/**
 * Every key value the code writes or queries is built here, so the key schema in `tables.ts` and the
 * README has exactly one implementation.
 *
 * | table          | partition key  | sort key                      | what                         |
 * |----------------|----------------|-------------------------------|------------------------------|
 * | locations      | locationId     | -                             | directory entry              |
 * |   listingByLocalAuthority / listingByRegion / listingByCountry (keys only): area | listingKey = type#locationId |
 * |   activeByLocalAuthority / activeByRegion / activeByCountry (sparse: active only) | freshness  |
 * | returns        | locationId     | reportDate (YYYY-MM-DD)       | latest version of a day      |
 * |   byDay: reportDate | placeKey = region#localAuthority#locationId    | a day's returns by place |
 * | returnVersions | locationId     | versionKey = date#000001      | every version, immutable     |
 * | aggregates     | areaKey = level#area | date                    | one area's sums for a day    |
 * |   byLevel: level | dateArea = date#area                               | every area of a level        |
 * | aggregateLedger| locationId     | reportDate                    | what a location-day added    |
 * | vacancyIndex   | searchKey = area#<area>   | freshKey = lastUpdated#locationId | a location with vacancies (all categories) |
 * |                | searchKey = near#row      | freshKey = lonKey#locationId      | the same, by place (geo.ts) |
 * |                | searchKey = location#id   | freshKey = manifest               | a location's entries   |
 * | reminderSends  | subject = location#id, provider#id, digest#contactId | sendKey = spell#tier or day | one email |
 * | contacts       | scope = provider#id or area#code | contactId | a person to tell; byKind: kind | scope |
 * |                | scope = location#id | contactId = reminders | where a location's reminders go |
 * |   (a provider's nominated contact: scope = provider#id, contactId = nominated)       |
 * | registrations  | registrationId | -  | a request to act for a location; byStatus, byLocation, byUser |
 * | areas          | level = localAuthority, region or district | code | an area's name and parent |
 * | places         | kind = postcodeDistrict | code (OL8) | a postcode district's centre, town and area |
 * | savedSearches  | pk = search#id | sk = search                   | a saved search; byUser: userId | createdKey = createdAt#id |
 * |                | pk = watch#row | sk = searchId                 | a search watching a latitude row (geo.ts) |
 * |                | pk = search#id | sk = match#locationId         | whether a location matched it, last emailed |
 * |                | pk = user#id   | sk = count                    | how many searches a user keeps |
 * | syncCheckpoints | job = cqcLocations | -                        | how far a sync has got       |
 * | users          | userId         | -                             | a user; byKind: kind = user | email |
 * |                | userId = email#<address> | -                   | one user per email address   |
 * | audit          | subject = user#id, location#id, provider#id, registration#id | auditKey = at#id | one change |
 * |   byMonth: month (YYYY-MM) | auditKey;  byActor: actor | auditKey                          |
 * | memberships    | userId         | locationId                    | a provider user's locations  |
 * |   byLocation: locationId | userId                               | a location's members         |
 * | exports        | exportId       | -                             | an export job and its file   |
 * | revocations    | revocationKey = location#id | -                | withdrawn update links       |
 * | idempotency    | id = http#<hash of caller and Idempotency-Key> | - | a keyed write and its response |
 *
 * The idempotency table's `id` is built by Powertools (`DynamoDBPersistenceLayer`) from
 * `idempotencyScope` in `shared/http/idempotency-key.ts`, not here.
 */
import { ENGLAND } from '#shared/model/schemas/common';
import type { LocationType } from '#shared/model/schemas/location';

export const keys = {
  location: (locationId: string) => ({ locationId }),
  /** Sorts a listing by type then ID, so `type=` is a begins_with on the sort key instead of a filter. */
  listingKey: (type: LocationType, locationId: string) => `${type}#${locationId}`,
  listingPrefix: (type: LocationType) => `${type}#`,
  /** Every location sits in the England partition of `listingByCountry`, which serves the national listing. */
  country: () => ENGLAND,
  /** Sorts before any instant: a location that never reported is the stalest of all. */
  neverReported: () => '0',
  freshness: (lastUpdated: string | null | undefined) => lastUpdated ?? keys.neverReported(),
  dailyReturn: (locationId: string, reportDate: string) => ({ locationId, reportDate }),
  /** Where a return's location was when it reported: a prefix of it is a region or an authority of a day. */
  returnPlace: (region: string, localAuthority: string, locationId: string) => `${region}#${localAuthority}#${locationId}`,
  returnPlacePrefix: (region: string, localAuthority?: string) => (localAuthority ? `${region}#${localAuthority}#` : `${region}#`),
  exportJob: (exportId: string) => ({ exportId }),
  ledger: (locationId: string, reportDate: string) => ({ locationId, reportDate }),
  /** An area's vacancy entries, every category in one partition (until issue 20, `area#category`: one per category). */
  vacancySearch: (area: string) => `area#${area}`,
  vacancyEntry: (area: string, lastUpdated: string, locationId: string) => ({
    searchKey: keys.vacancySearch(area),
    freshKey: `${lastUpdated}#${locationId}`,
  }),
  /** Near-search entries: the latitude row's partition, the longitude first in the sort key (shared/model/vacancies/geo.ts). */
  nearSearch: (row: number) => `near#${row}`,
  nearEntry: (row: number, lonKey: string, locationId: string) => ({ searchKey: keys.nearSearch(row), freshKey: `${lonKey}#${locationId}` }),
  vacancyManifest: (locationId: string) => ({ searchKey: `location#${locationId}`, freshKey: 'manifest' }),
  aggregate: (areaKey: string, date: string) => ({ areaKey, date }),
  dateArea: (date: string, area: string) => `${date}#${area}`,
  /** Zero-padded so versions sort as numbers within a day. */
  versionKey: (reportDate: string, version: number) => `${reportDate}#${String(version).padStart(6, '0')}`,
  membership: (userId: string, locationId: string) => ({ userId, locationId }),
  area: (level: 'localAuthority' | 'region' | 'district', code: string) => ({ level, code }),
  postcodeDistrict: (code: string) => ({ kind: 'postcodeDistrict', code }),
  user: (userId: string) => ({ userId }),
  /** Guards an address: at most one user has it. */
  userEmail: (email: string) => ({ userId: `email#${email}` }),
  userKind: () => 'user',
  audit: (subject: string, at: string, id: string) => ({ subject, auditKey: `${at}#${id}` }),
  auditMonth: (at: string) => at.slice(0, 7),
  registration: (registrationId: string) => ({ registrationId }),
  /** Saved searches (tables.ts): the search, its watch items by latitude row, its match state per location, a user's count. */
  savedSearch: (searchId: string) => ({ pk: `search#${searchId}`, sk: 'search' }),
  savedSearchCreated: (createdAt: string, searchId: string) => `${createdAt}#${searchId}`,
  searchWatch: (row: number, searchId: string) => ({ pk: `watch#${row}`, sk: searchId }),
  searchWatchRow: (row: number) => `watch#${row}`,
  searchMatch: (searchId: string, locationId: string) => ({ pk: `search#${searchId}`, sk: `match#${locationId}` }),
  searchMatchPrefix: () => 'match#',
  savedSearchCount: (userId: string) => ({ pk: `user#${userId}`, sk: 'count' }),
  /** One checkpoint per sync job; `cqcLocations` is the daily sync with the CQC API's location changes. */
  syncCheckpoint: (job: 'cqcLocations') => ({ job }),
  /** A stale spell is named by the last update that began it ('0' for a location that never reported). */
  locationSend: (locationId: string, spell: string, tier: 'reminder' | 'escalation') => ({ subject: `location#${locationId}`, sendKey: `${spell}#${tier}` }),
  providerDigest: (providerId: string, runAt: string) => ({ subject: `provider#${providerId}`, sendKey: `escalations#${runAt}` }),
  commissionerDigest: (contactId: string, day: string) => ({ subject: `digest#${contactId}`, sendKey: day }),
  /** Once a day per provider: its stale locations no reminder reaches. */
  unreachableDigest: (providerId: string, day: string) => ({ subject: `provider#${providerId}`, sendKey: `unreachable#${day}` }),
  providerContacts: (providerId: string) => `provider#${providerId}`,
  areaContacts: (area: string) => `area#${area}`,
  /** The addresses a location's reminders go to: one item per location in the contacts table. */
  locationContact: (locationId: string) => ({ scope: `location#${locationId}`, contactId: 'reminders' }),
  /** A provider's nominated contact (escalations, digests): one per provider. */
  providerNominated: (providerId: string) => ({ scope: `provider#${providerId}`, contactId: 'nominated' }),
  revokedLocationLinks: (locationId: string) => ({ revocationKey: `location#${locationId}` }),
  returnVersion: (locationId: string, reportDate: string, version: number) => ({
    locationId,
    versionKey: keys.versionKey(reportDate, version),
  }),
};
