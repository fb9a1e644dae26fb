/**
 * The DynamoDB tables, defined once: the CDK app builds them from this, and the local stack creates the
 * same tables in DynamoDB Local from it. The key schema of every entity is documented beside it and in
 * the README's key table; key values are built only in `keys.ts`.
 */
export type AttributeType = 'S' | 'N';
export interface KeyAttribute {
  name: string;
  type: AttributeType;
}
export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /**
   * ALL answers a Query with the items themselves, but an index entry is rewritten by every write that
   * changes any attribute of its item; KEYS_ONLY is written only when the item enters or leaves the index
   * or its index keys change; `include` copies just the named attributes (and is rewritten when they change).
   */
  projection: 'ALL' | 'KEYS_ONLY' | { include: readonly string[] };
}
export interface TableDefinition {
  /** Environment variable through which a function learns the table's name. */
  envVar: string;
  description: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: readonly IndexDefinition[];
  /**
   * Indexes an earlier version defined, which a deployed table may still have: CloudFormation creates or
   * deletes one index per update and cannot change an index in place, so a replaced index goes in steps
   * (docs/operations.md, "Changing an index"). Only the CDK app reads these, and only for those named by
   * `-c legacyIndexes`; the local stack deletes them from a kept table.
   */
  legacyIndexes?: readonly IndexDefinition[];
  stream?: 'NEW_AND_OLD_IMAGES';
  ttlAttribute?: string;
}

const S = (name: string): KeyAttribute => ({ name, type: 'S' });

export const tables = {
  /** One item per location: the directory entry plus `lastUpdated`. */
  locations: {
    envVar: 'LOCATIONS_TABLE',
    description: 'directory of locations (care homes, hospices, ...) with the time of their latest return',
    partitionKey: S('locationId'),
    indexes: [
      // The listings, by area: keys only, so a save (which moves lastUpdated and the copies of the newest
      // returns, not the keys) writes none of them; a page is a Query of keys, then its items by BatchGetItem
      // (shared/repositories/locations.ts). Projecting ALL cost every save four copies of the ~1.6 KB item.
      { indexName: 'listingByLocalAuthority', partitionKey: S('localAuthority'), sortKey: S('listingKey'), projection: 'KEYS_ONLY' },
      { indexName: 'listingByRegion', partitionKey: S('region'), sortKey: S('listingKey'), projection: 'KEYS_ONLY' },
      { indexName: 'listingByCountry', partitionKey: S('country'), sortKey: S('listingKey'), projection: 'KEYS_ONLY' },
      // Sparse: only active locations carry the active* keys, sorted by when they last reported
      // (`freshness`). Counting them answers completeness and locationsExpected, and the oldest end of
      // each is exactly the stale locations, without reading anything else.
      { indexName: 'activeByLocalAuthority', partitionKey: S('activeLocalAuthority'), sortKey: S('freshness'), projection: { include: ['localAuthority', 'region'] } },
      { indexName: 'activeByRegion', partitionKey: S('activeRegion'), sortKey: S('freshness'), projection: { include: ['localAuthority', 'region'] } },
      {
        // Also what a reminder needs, so the hourly run reads each stale location once and nothing else.
        // One partition holds England's ~30,000 entries: well within a partition's limits (writes are one
        // per return); shard the key (E92000001#n) if that ever changes.
        indexName: 'activeByCountry',
        partitionKey: S('activeCountry'),
        sortKey: S('freshness'),
        projection: { include: ['localAuthority', 'region', 'name', 'providerId', 'contactEmail'] },
      },
      // Sparse: paused locations with an end date, by that date, so the hourly job resumes those due.
      { indexName: 'pausedByCountry', partitionKey: S('pausedCountry'), sortKey: S('pausedUntil'), projection: 'KEYS_ONLY' },
    ],
    // The listing indexes as they were until issue 20 (projecting ALL; byProvider never read): a deployed
    // table keeps them while `-c legacyIndexes` names them, one removed per deploy (docs/operations.md).
    legacyIndexes: [
      { indexName: 'byLocalAuthority', partitionKey: S('localAuthority'), sortKey: S('listingKey'), projection: 'ALL' },
      { indexName: 'byRegion', partitionKey: S('region'), sortKey: S('listingKey'), projection: 'ALL' },
      { indexName: 'byCountry', partitionKey: S('country'), sortKey: S('listingKey'), projection: 'ALL' },
      { indexName: 'byProvider', partitionKey: S('providerId'), sortKey: S('listingKey'), projection: 'ALL' },
    ],
  },
  /** The current version of each location's return for each day; its stream feeds the aggregates. */
  returns: {
    envVar: 'RETURNS_TABLE',
    description: "each location's daily return, latest version per day",
    partitionKey: S('locationId'),
    sortKey: S('reportDate'),
    /**
     * byDay: every return of a day, sorted by where its location was when it reported (placeKey =
     * region#localAuthority#locationId), so an export of an area's returns over a range is one paginated
     * Query per day: all of England, a region or an authority by a prefix of the sort key.
     */
    indexes: [{ indexName: 'byDay', partitionKey: S('reportDate'), sortKey: S('placeKey'), projection: 'ALL' }],
    stream: 'NEW_AND_OLD_IMAGES',
  },
  /**
   * Daily sums per area: one item per (level#area, date), moved only by the aggregator. `byLevel` lists
   * every area of a level over a date range in one query (the exports).
   */
  aggregates: {
    envVar: 'AGGREGATES_TABLE',
    description: 'daily aggregates per local authority, region and England',
    partitionKey: S('areaKey'),
    sortKey: S('date'),
    indexes: [{ indexName: 'byLevel', partitionKey: S('level'), sortKey: S('dateArea'), projection: 'ALL' }],
  },
  /**
   * What each location-day has contributed to the aggregates, and at which version: the aggregator's
   * guard against applying a delivery twice or an older version after a newer one.
   */
  aggregateLedger: {
    envVar: 'AGGREGATE_LEDGER_TABLE',
    description: "each location-day's contribution to the aggregates, and the version it came from",
    partitionKey: S('locationId'),
    sortKey: S('reportDate'),
    indexes: [],
  },
  /** Every version of every return, never overwritten: history and audit. */
  returnVersions: {
    envVar: 'RETURN_VERSIONS_TABLE',
    description: 'every version of every daily return (audit)',
    partitionKey: S('locationId'),
    sortKey: S('versionKey'),
    indexes: [],
  },
  /**
   * Where the beds are, for discharge teams: per location with a vacancy, one entry for each area it is
   * in (authority, region, England), holding every category it has vacancies in (and `any`), sorted
   * newest first by when it last reported, and one in its latitude row for searches near a place. Kept
   * by the returns stream from each location's newest return; a search is one Query of the area's
   * partition, a category kept by a filter. Each location also has a manifest entry naming its current
   * entries, so a new return replaces them. (Until issue 20, an entry per category: twice to three
   * times the items, and the write units, per save.)
   */
  vacancyIndex: {
    envVar: 'VACANCY_INDEX_TABLE',
    description: 'vacancy search: locations with vacancies by area (every category), newest first',
    partitionKey: S('searchKey'),
    sortKey: S('freshKey'),
    indexes: [],
  },
  /**
   * Every reminder, escalation and digest sent (or being sent): claimed with a conditional put before
   * the email goes, so overlapping or repeated runs never send one twice. Kept two years for audit.
   */
  reminderSends: {
    envVar: 'REMINDER_SENDS_TABLE',
    description: 'audit of reminder emails: who, which stale spell, when, SES message id',
    partitionKey: S('subject'),
    sortKey: S('sendKey'),
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  /** Who is told: providers' nominated contacts and commissioners' digest recipients. */
  contacts: {
    envVar: 'CONTACTS_TABLE',
    description: "providers' nominated contacts and commissioners' digest recipients",
    partitionKey: S('scope'),
    sortKey: S('contactId'),
    indexes: [{ indexName: 'byKind', partitionKey: S('kind'), sortKey: S('scope'), projection: 'ALL' }],
  },
  /** Requests to act for a location, pending until an admin decides; approval creates the membership. */
  registrations: {
    envVar: 'REGISTRATIONS_TABLE',
    description: 'requests by users to act for a location, and their decisions',
    partitionKey: S('registrationId'),
    indexes: [
      { indexName: 'byStatus', partitionKey: S('status'), sortKey: S('requestedAt'), projection: 'ALL' },
      { indexName: 'byLocation', partitionKey: S('locationId'), sortKey: S('requestedAt'), projection: 'ALL' },
      // A provider's own requests (the registration page).
      { indexName: 'byUser', partitionKey: S('userId'), sortKey: S('requestedAt'), projection: 'ALL' },
    ],
  },
  /**
   * The areas locations are placed in, with their names (ONS codes): councils with adult social care
   * responsibility (parent: the region), regions, and two-tier districts (parent: the county council).
   * Written by the CQC import from ONS's lookups; read by the CQC sync to place records, and by pages to
   * show names instead of codes.
   */
  areas: {
    envVar: 'AREAS_TABLE',
    description: 'councils, regions and districts with their names and parents',
    partitionKey: S('level'),
    sortKey: S('code'),
    indexes: [],
  },
  /**
   * Places people name when they search near somewhere (DESIGN §10.3): the UK's postcode districts
   * (`OL8`), each with its centre, a town and an area name. Written by `npm run import:places` (and the
   * local stack's seed) from Ordnance Survey's open data; read by the vacancy search to place `near`.
   */
  places: {
    envVar: 'PLACES_TABLE',
    description: 'postcode districts with their centres, towns and areas',
    partitionKey: S('kind'),
    sortKey: S('code'),
    indexes: [],
  },
  /**
   * Saved searches (DESIGN §10.3), one table, several kinds of item (keys in `keys.ts`):
   * - the search: `pk = search#<id>`, `sk = search`, with userId, email, query, centre, createdAt and the
   *   `byUser` keys (`userId`, `createdKey = createdAt#id`), so a user's searches are one Query, newest first;
   * - its watch items, one per 0.05° latitude row its circle covers: `pk = watch#<row>`, `sk = <id>`, with the
   *   query, centre and email, so the returns stream's consumer finds the searches a location could match
   *   with one Query of the location's row, never a Scan;
   * - per search and location, the match state: `pk = search#<id>`, `sk = match#<locationId>`, with
   *   `matching`, `lastEmailedDay` (a London day: the claim that makes it one email a day) and `seen` (the
   *   newest return judged, so an older version arriving late changes nothing);
   * - per user, a count: `pk = user#<userId>`, `sk = count`, moved in the same transaction as the search,
   *   so no race gets past 20.
   */
  savedSearches: {
    envVar: 'SAVED_SEARCHES_TABLE',
    description: 'saved searches, the latitude rows they watch, and which locations matched them',
    partitionKey: S('pk'),
    sortKey: S('sk'),
    indexes: [{ indexName: 'byUser', partitionKey: S('userId'), sortKey: S('createdKey'), projection: 'ALL' }],
  },
  /**
   * How far each sync with an outside register has got: one item per job (`cqcLocations`), holding the end
   * of the last window it finished (`syncedTo`). Moved forward only, and only when a whole window
   * succeeded, so a run that fails half-way leaves it for the next run to resume from.
   */
  syncCheckpoints: {
    envVar: 'SYNC_CHECKPOINTS_TABLE',
    description: 'how far each sync with an outside register (the CQC API) has got',
    partitionKey: S('job'),
    indexes: [],
  },
  /**
   * The service's users (one item per user: email, role, areas, active or disabled), mirroring the
   * identity provider (Cognito in AWS) so listing, the authorizer's check that a user is not disabled, and
   * role changes that take effect on the next request need no call to it; and one guard item per email
   * (`userId` = `email#<address>`), put in the same transaction, so an address is never two users.
   */
  users: {
    envVar: 'USERS_TABLE',
    description: 'users (email, role, areas, status) and a guard item per email address',
    partitionKey: S('userId'),
    indexes: [{ indexName: 'byKind', partitionKey: S('kind'), sortKey: S('email'), projection: 'ALL' }],
  },
  /**
   * The audit trail: every change made through the people routes and registrations, who made it, when,
   * and the item before and after, written in the same transaction as the change. Never updated; kept
   * two years (TTL).
   */
  audit: {
    envVar: 'AUDIT_TABLE',
    description: 'who changed what and when (users, members, contacts, pauses, registrations), before and after',
    partitionKey: S('subject'),
    sortKey: S('auditKey'),
    indexes: [
      { indexName: 'byMonth', partitionKey: S('month'), sortKey: S('auditKey'), projection: 'ALL' },
      { indexName: 'byActor', partitionKey: S('actor'), sortKey: S('auditKey'), projection: 'ALL' },
    ],
    ttlAttribute: 'expiresAt',
  },
  /** Which locations a provider user may act for. Kept here, not in the token, so it can change at once. */
  memberships: {
    envVar: 'MEMBERSHIPS_TABLE',
    description: 'provider users and the locations they may act for',
    partitionKey: S('userId'),
    sortKey: S('locationId'),
    indexes: [{ indexName: 'byLocation', partitionKey: S('locationId'), sortKey: S('userId'), projection: 'ALL' }],
  },
  /**
   * Export jobs (DESIGN §10.4): what was asked, by whom, and how far the worker got; the file itself is in
   * the exports bucket. Kept 7 days, as the files are (TTL on `expiresAtEpoch`).
   */
  exports: {
    envVar: 'EXPORTS_TABLE',
    description: 'export jobs: the request, its owner, its status and the object it wrote',
    partitionKey: S('exportId'),
    indexes: [],
    ttlAttribute: 'expiresAtEpoch',
  },
  /** Withdrawn update links: per location, "every link issued up to then". */
  revocations: {
    envVar: 'REVOCATIONS_TABLE',
    description: 'revoked update-link tokens, kept until the tokens would have expired anyway',
    partitionKey: S('revocationKey'),
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  /**
   * Powertools idempotency records for the writes that take an `Idempotency-Key` header (PUT and confirm
   * of a return, registering): one item per caller and key, `id` = `http#<hash of caller and key>`, with
   * the request's fingerprint (`validation`), `status` (INPROGRESS / COMPLETED), the stored 2xx response
   * (`data`) and `expiration` (epoch seconds, 24 h on): Powertools treats an expired record as absent,
   * and TTL deletes it later. Written only by `DynamoDBPersistenceLayer` (`shared/runtime/idempotency.ts`).
   */
  idempotency: {
    envVar: 'IDEMPOTENCY_TABLE',
    description: 'idempotency records: a write request taken with an Idempotency-Key, and its stored response',
    partitionKey: S('id'),
    indexes: [],
    ttlAttribute: 'expiration',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableId = keyof typeof tables;
export const TABLE_IDS = Object.keys(tables) as TableId[];

/**
 * The data stack's output naming a table, e.g. `LocationsTableName`: how scripts run against a deployed
 * stage (`--stage prod`) find the tables CloudFormation named.
 */
export function tableOutputKey(id: TableId): string {
  return `${id.charAt(0).toUpperCase()}${id.slice(1)}TableName`;
}

/** The CreateTable request for a definition: used by the local stack (and comparable with the CDK output). */
export function createTableInput(definition: TableDefinition, tableName: string) {
  const keyAttributes = [
    definition.partitionKey,
    ...(definition.sortKey ? [definition.sortKey] : []),
    ...definition.indexes.flatMap((index) => [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
  ];
  const attributeDefinitions = [...new Map(keyAttributes.map((a) => [a.name, a])).values()].map((a) => ({
    AttributeName: a.name,
    AttributeType: a.type,
  }));
  const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: attributeDefinitions,
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection:
              typeof index.projection === 'string'
                ? { ProjectionType: index.projection }
                : { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.include] },
          })),
        }
      : {}),
    ...(definition.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } } : {}),
  };
}
