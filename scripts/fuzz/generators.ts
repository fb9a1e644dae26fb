/**
 * fast-check generators of malformed and hostile HTTP requests for every route of the route table, and
 * the model that says, for each generated request, what the API must answer. Used by
 * `test/fuzz/http-api.fuzz.test.ts` (part of `npm test`) and `npm run fuzz` (scripts/fuzz/).
 *
 * A request is assembled from parts — caller (Authorization), path parameters, query, body,
 * Content-Type, If-Match, Idempotency-Key, noise headers — each drawn from a mix of valid and hostile
 * values. The model then walks the checks in the order the API makes them (route match, token, location
 * id, access, Idempotency-Key, then the route's own checks) and decides:
 * - `malformed`: some part is bad (an invalid id, date, body, query, header or token) → a 4xx;
 * - `refused`: every part is well formed but the caller may not do it, or it names something that is not
 *   there or cannot take it (403, 404, 409, 412);
 * - `probe`: a read (GET) the model cannot call bad or good (a page token that decodes to the right
 *   shape, a query that is valid to the schema) → 2xx or 4xx, never 5xx; a GET writes nothing either way;
 * - `framing`: HTTP that is broken below the API (Content-Length mismatch, bad chunking, header syntax),
 *   sent on a raw socket → a 4xx from the HTTP layer or a closed connection, never a 5xx or a hang.
 * Anything that could be a valid write is dropped (filtered), so "nothing is written" must hold for every
 * request generated. Validity is judged with the API's own zod schemas and the location rules (the
 * contract), on the raw bytes sent (so the gateway's handling of the bytes is under test too).
 */
import fc from 'fast-check';
import type * as z from 'zod';
import { LOCAL_ISSUER } from '#scripts/local/issuer';
import { MAX_BODY_BYTES } from '#shared/http/request';
import { addDays } from '#shared/model/returns/report-date';
import { locationRuleErrors } from '#shared/model/returns/location-rules';
import { matchRoute, routes, type RouteDefinition, type RouteId } from '#shared/model/routes';
import { CalendarDate, LocationId, type Role } from '#shared/model/schemas/common';
import { LocationContact, MemberChange, MemberPath, PauseRequest, ProviderContact, ProviderPath, UserChange, UserInvite, UserPath } from '#shared/model/schemas/people';
import type { Location } from '#shared/model/schemas/location';
import { RegistrationDecision, RegistrationPath, RegistrationRequest } from '#shared/model/schemas/registrations';
import { ConfirmInput, DailyReturnInput } from '#shared/model/schemas/return';
import { SavedSearchPath, SavedSearchRequest, UnsubscribeRequest } from '#shared/model/schemas/saved-searches';
import { ExportJobParams, ExportRequest } from '#shared/model/schemas/exports';
import { BULK_MAX_BODY_BYTES, BulkUploadEnvelope, BulkUploadItemShape, BulkUploadJson } from '#shared/model/schemas/bulk';
import * as zod from 'zod';
import { tables, type TableDefinition } from '#shared/model/tables';
import { designExample } from '#scripts/seed/design-example';

// ---------------------------------------------------------------------------------------------------
// The world the target is seeded with (scripts/fuzz/target.ts builds it)

export type Caller = 'providerMember' | 'providerOther' | 'discharge' | 'commissionerOwn' | 'national' | 'admin' | 'linkOwn' | 'linkOther';
export type LocationKey = 'careHome' | 'hospice' | 'inactive' | 'unknown';

export interface FuzzWorld {
  /** The London day when the world was built. */
  today: string;
  /** The one stored return: the care home's, this day, version 1. */
  returnDay: string;
  locations: Record<LocationKey, string>;
  /** `own`: the commissioner's region (care home, inactive); `other`: the hospice's. */
  own: { localAuthority: string; region: string };
  other: { localAuthority: string; region: string };
  tokens: Record<Caller, string>;
  badTokens: Array<{ name: string; token: string }>;
}

type Who = { kind: 'user'; role: Role } | { kind: 'link'; location: LocationKey };
const WHO: Record<Caller, Who> = {
  providerMember: { kind: 'user', role: 'provider' },
  providerOther: { kind: 'user', role: 'provider' },
  discharge: { kind: 'user', role: 'discharge' },
  commissionerOwn: { kind: 'user', role: 'commissioner' },
  national: { kind: 'user', role: 'national' },
  admin: { kind: 'user', role: 'admin' },
  linkOwn: { kind: 'link', location: 'careHome' },
  linkOther: { kind: 'link', location: 'hospice' },
};
const CALLERS = Object.keys(WHO) as Caller[];

interface Facts {
  exists: boolean;
  active: boolean;
  /** Is the provider user `providerMember` a member (so nobody can register it)? Never a manager. */
  member: boolean;
  /** Does the commissioner's region cover it? */
  ownArea: boolean;
  location?: Pick<Location, 'type' | 'categories'>;
}
const FACTS: Record<LocationKey, Facts> = {
  careHome: { exists: true, active: true, member: true, ownArea: true, location: { type: 'careHome', categories: ['residential', 'nursing'] } },
  hospice: { exists: true, active: true, member: true, ownArea: false, location: { type: 'hospice', categories: ['inpatient'] } },
  inactive: { exists: true, active: false, member: true, ownArea: true, location: { type: 'careHome', categories: ['residential', 'nursing'] } },
  unknown: { exists: false, active: false, member: false, ownArea: false },
};

// ---------------------------------------------------------------------------------------------------
// The generated request

export type CaseKind = 'malformed' | 'refused' | 'probe' | 'framing';

export interface FuzzCase {
  kind: CaseKind;
  /** The route id, `unmatched` (no route: 404/405) or `framing`. */
  label: string;
  /** The route of the route table whose path the request was built from. */
  route: RouteId;
  method: string;
  /** Path and query, exactly as sent. */
  path: string;
  /** In order; a name may repeat. Values are latin1 (what Node's HTTP client allows). */
  headers: Array<[string, string]>;
  body?: Buffer;
  /** The bad parts (malformed), and why a well-formed request is refused. */
  defects: string[];
  refusals: string[];
  /** The statuses the model allows (malformed, refused); undefined for probes and framing. */
  expect?: number[];
  /** Framing cases: the bytes written to the socket, and whether to half-close after them. */
  raw?: { bytes: Buffer; halfClose: boolean };
}

// ---------------------------------------------------------------------------------------------------
// Building blocks: hostile text, numbers, JSON

/** Text that has broken parsers, databases and logs before. */
export const HOSTILE_TEXT = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '\udc00x', '\u200b', '\u200e', '\u200f', '\u202e', '\u2066', '\ufeff', '\uffff',
  '\ufffd', 'e\u0301', '👩‍⚕️', '\u0085', '\u2028', '\u2029', '\t', '\r\n', '\u001b[31m', '𝟏', '１', '٣', "' OR '1'='1", '"; DROP TABLE returns; --',
  '{"$gt":""}', '$where', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '${jndi:ldap://x/a}', '{{7*7}}', '<script>alert(1)</script>',
  '../../etc/passwd', '..\\..\\windows\\win.ini', '%00', '%2e%2e%2f', '*', '%', '_', 'attribute_not_exists(locationId)', '#', ':id', 'NaN', 'Infinity', '-Infinity',
  'null', 'undefined', 'true', '0x10', '1e308', '-0', '9007199254740993', '1_000', 'E92000001', 'region', '1-123456', '2026-02-30', '=cmd|"/c calc"!A1', '@SUM(1)',
] as const;

const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...HOSTILE_TEXT), { minLength: 2, maxLength: 4 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_TEXT, 'x', '9'), fc.integer({ min: 50, max: 1200 })).map(([text, times]) => (text || 'x').repeat(times)) },
);

/** A JSON token written as is: numbers JSON.stringify cannot write (1e309, -0, 2^53+1), or broken JSON. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Number tokens that are valid JSON (some are whole numbers a count accepts: 1e2, 1.0, -0). */
const NUMBER_TOKENS = [
  '1e308', '1e309', '-1e309', '-0', '0.0', '-0.0', '9007199254740993', '9007199254740992', '1.0', '1e2', '1E2', '100e-2', '0.1e1', '1e-400', '-1',
  '123456789012345678901234567890', '10001', '10000', '10000.5', '1e4', '5e-324', '0.5', '2.2250738585072014e-308', '1e+2', '365', '366', '0',
];
/** Tokens that make the text invalid JSON. */
const BROKEN_TOKENS = ['NaN', 'Infinity', '-Infinity', '0x10', '00', '01', '1.', '.5', '+1', '1e', '-', '1_000', '0b1', '１', 'undefined', "'x'", 'True'];

const deepNesting = fc
  .tuple(fc.integer({ min: 64, max: 6000 }), fc.constantFrom('array', 'object', 'unbalanced'))
  .map(([depth, style]) =>
    style === 'array' ? new RawJson('['.repeat(depth) + ']'.repeat(depth)) : style === 'object' ? new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)) : new RawJson('['.repeat(depth)),
  );

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', '$gt', '', ' ', 'colour', 'vacancies ', 'Vacancies', 'notes\u0000', 'a.b', '0', 'id') },
  { weight: 2, arbitrary: hostileText },
);

type JsonTree = unknown;

const hostileValue: fc.Arbitrary<JsonTree> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NUMBER_TOKENS).map((text) => new RawJson(text)) },
  { weight: 1, arbitrary: fc.constantFrom(...BROKEN_TOKENS).map((text) => new RawJson(text)) },
  { weight: 4, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.integer({ min: -20_000, max: 20_000 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: deepNesting },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(hostileText, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) },
);

/** JSON text of a tree whose leaves may be RawJson; object members keep their order (and may repeat). */
export function jsonText(value: JsonTree): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value instanceof Members) return `{${value.entries.map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`).join(',')}}`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An object written member by member: keys may repeat, `__proto__` stays a plain member. */
class Members {
  constructor(readonly entries: Array<[string, JsonTree]>) {}
}

const toMembers = (value: JsonTree): JsonTree => {
  if (value instanceof RawJson || value instanceof Members || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toMembers);
  return new Members(Object.entries(value).map(([key, member]) => [key, toMembers(member)]));
};

/** Paths to every member and element of a tree (the root is `[]`). */
function pathsOf(value: JsonTree, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const here = [prefix];
  if (value instanceof Members) return [...here, ...value.entries.flatMap(([key, member], index) => pathsOf(member, [...prefix, index]).map((path) => path))];
  if (Array.isArray(value)) return [...here, ...value.flatMap((member, index) => pathsOf(member, [...prefix, index]))];
  return here;
}

type Mutation = { action: 'replace' | 'delete' | 'addMember' | 'wrapInArray' | 'duplicateMember'; at: number; key: string; value: JsonTree };

/** Apply one mutation at the `at`-th path (modulo the number of paths). Paths index Members by position. */
function mutate(tree: JsonTree, mutation: Mutation): JsonTree {
  const paths = pathsOf(tree);
  const path = paths[mutation.at % paths.length]!;
  const edit = (node: JsonTree, rest: Array<string | number>): JsonTree => {
    if (rest.length === 0) {
      switch (mutation.action) {
        case 'replace':
          return mutation.value;
        case 'wrapInArray':
          return [node];
        case 'addMember':
          return node instanceof Members ? new Members([...node.entries, [mutation.key, mutation.value]]) : mutation.value;
        case 'duplicateMember':
          return node instanceof Members && node.entries.length > 0 ? new Members([...node.entries, [node.entries[0]![0], mutation.value]]) : mutation.value;
        case 'delete':
          return new RawJson('null');
      }
    }
    const [head, ...tail] = rest as [number, ...number[]];
    if (node instanceof Members) {
      if (tail.length === 0 && mutation.action === 'delete') return new Members(node.entries.filter((_, index) => index !== head));
      return new Members(node.entries.map(([key, member], index) => [key, index === head ? edit(member, tail) : member]));
    }
    if (Array.isArray(node)) return node.map((member, index) => (index === head ? edit(member, tail) : member));
    return node;
  };
  return edit(tree, path);
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  action: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'addMember', 'wrapInArray', 'duplicateMember'),
  at: fc.nat(),
  key: hostileKey,
  value: hostileValue,
});

/** Bytes that are not UTF-8 (overlong, lone surrogates in CESU form, stray continuations) or control bytes. */
const BYTE_INJECTIONS: number[][] = [
  [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xc1, 0xbf], [0x80], [0xbf], [0xff], [0xfe], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xed, 0xa0, 0x80],
  [0xed, 0xb0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc3], [0x00], [0x1f], [0x0a], [0x7f], [0xef, 0xbb, 0xbf], [0xe2, 0x80, 0xae], [0xf0, 0x9f, 0x98],
];

type ByteEdit =
  | { kind: 'truncate'; at: number }
  | { kind: 'inject'; at: number; bytes: number[] }
  | { kind: 'append'; text: string }
  | { kind: 'prepend'; bytes: number[] };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('inject' as const), at: fc.nat(), bytes: fc.constantFrom<number[]>(...BYTE_INJECTIONS) }),
  fc.record({ kind: fc.constant('append' as const), text: fc.constantFrom('}', ']', ',', 'x', '\u0000', ' ', '\n', '{}', '//', '/* */', 'null', '"') }),
  fc.record({ kind: fc.constant('prepend' as const), bytes: fc.constantFrom<number[]>([0xef, 0xbb, 0xbf], [0xfe, 0xff], [0xff, 0xfe], [0x20], [0x00], [0x0d, 0x0a], [0x2c]) }),
);

/** Edit the bytes of a JSON text; `inject` lands inside a string value when there is one, so only the bytes are wrong. */
function applyByteEdit(text: string, edit: ByteEdit): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  switch (edit.kind) {
    case 'truncate':
      return bytes.subarray(0, bytes.byteLength === 0 ? 0 : edit.at % bytes.byteLength);
    case 'inject': {
      const starts = [...text.matchAll(/:"/g)].map((match) => Buffer.byteLength(text.slice(0, match.index + 2), 'utf8'));
      const at = starts.length > 0 ? starts[edit.at % starts.length]! : edit.at % (bytes.byteLength + 1);
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(edit.bytes), bytes.subarray(at)]);
    }
    case 'append':
      return Buffer.concat([bytes, Buffer.from(edit.text, 'utf8')]);
    case 'prepend':
      return Buffer.concat([Buffer.from(edit.bytes), bytes]);
  }
}

/** Bodies over the 64 KiB limit (and some just under it), in several shapes. */
const bigBody = (valid: () => JsonTree) =>
  fc.tuple(fc.integer({ min: MAX_BODY_BYTES - 256, max: 4 * MAX_BODY_BYTES }), fc.constantFrom('notes', 'whitespace', 'multibyte', 'deep', 'member', 'array')).map(([size, shape]) => {
    const base = jsonText(valid());
    switch (shape) {
      case 'notes':
        return Buffer.from(jsonText({ ...(valid() as object), notes: 'x'.repeat(size) }), 'utf8');
      case 'whitespace':
        return Buffer.from(base.replace('{', `{${' '.repeat(size)}`), 'utf8');
      case 'multibyte':
        return Buffer.from(jsonText({ ...(valid() as object), notes: 'é'.repeat(Math.ceil(size / 2)) }), 'utf8');
      case 'deep':
        return Buffer.from('['.repeat(Math.ceil(size / 2)) + ']'.repeat(Math.ceil(size / 2)), 'utf8');
      case 'member':
        return Buffer.from(base.replace('{', `{"padding":"${'a'.repeat(size)}",`), 'utf8');
      case 'array':
        return Buffer.from(`[${'0,'.repeat(Math.ceil(size / 2))}0]`, 'utf8');
    }
  });

const GARBAGE_BODIES = [
  '', ' ', '\n', 'null', '[]', '""', '0', 'true', '{}{}', '{"a":1,}', "{'a':1}", '{"a":1 /* c */}', '\ufeff{}', 'a=1&b=2', '<xml/>', '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}', '{"', '{', '}', '[', '{"a"}', '{"a":}', '{:1}', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":"\\x41"}',
  '{"a":"\\uZZZZ"}', '{"a":01}', '[1,]', 'NaN', '{"$where":"sleep(1000)"}',
];

// ---------------------------------------------------------------------------------------------------
// Bodies, judged on their bytes as the contract says (DESIGN §5, README "rules as built")

interface BodySpec {
  schema: z.ZodType;
  /** An empty body means `{}` (confirm, revoke, approve, reject; the bulk upload: no rows). */
  optional: boolean;
  /** The route's body limit, when not 64 KiB (`request.maxBodyBytes`). */
  maxBytes?: number;
  valid: (world: FuzzWorld, target: LocationKey | undefined) => JsonTree;
}

const inpatientReturn = () => {
  const { vacancies: _careHome, ...rest } = designExample();
  return { ...rest, vacancies: { inpatient: { male: 1, female: 0, any: 2 } }, beds: { occupied: 12, vacantReserved: 0, vacantNotAdmittable: 0 } };
};

const BODIES: Partial<Record<RouteId, BodySpec>> = {
  putReturn: { schema: DailyReturnInput, optional: false, valid: (_world, target) => (target === 'hospice' ? inpatientReturn() : designExample()) },
  confirmReturn: { schema: ConfirmInput, optional: true, valid: () => ({}) },
  revokeUpdateLinks: { schema: ConfirmInput, optional: true, valid: () => ({}) },
  register: { schema: RegistrationRequest, optional: false, valid: (world, target) => ({ locationId: world.locations[target ?? 'careHome'] }) },
  approveRegistration: { schema: RegistrationDecision, optional: true, valid: () => ({ note: 'checked with the provider' }) },
  rejectRegistration: { schema: RegistrationDecision, optional: true, valid: () => ({}) },
  // The JSON form; its rows are judged in verdictFor. The schema here is the shape the upload reads
  // before it checks a row (the envelope, each item's keys, a `return`): what fails it is a 400 first.
  inviteUser: { schema: UserInvite, optional: false, valid: () => ({ email: 'new.user@home.example', role: 'commissioner', areas: ['E12000002'] }) },
  changeUser: { schema: UserChange, optional: false, valid: () => ({ role: 'commissioner', areas: ['E08000004'], disabled: false }) },
  putMember: { schema: MemberChange, optional: true, valid: () => ({ manager: true }) },
  putLocationContact: { schema: LocationContact, optional: false, valid: () => ({ reminderEmails: ['manager@home.example', 'deputy@home.example'], phone: '01392 491261' }) },
  putProviderContact: { schema: ProviderContact, optional: false, valid: () => ({ email: 'group@providers.example' }) },
  createSavedSearch: { schema: SavedSearchRequest, optional: false, valid: () => ({ query: { near: 'OL8', withinMiles: 5, category: 'nursing', admitting: 'true' }, email: 'ward@hospital.example' }) },
  // Public, so drawn only by method and path (unmatchedCase); its body is judged here all the same.
  unsubscribeSavedSearch: { schema: UnsubscribeRequest, optional: false, valid: () => ({ token: 'not.a.token' }) },
  createExport: { schema: ExportRequest, optional: false, valid: (world) => ({ kind: 'aggregates', level: 'region', area: world.own.region, from: addDays(world.today, -3), to: world.today, format: 'csv' }) },
  pauseLocation: { schema: PauseRequest, optional: false, valid: (world) => ({ reason: 'closed for refurbishment', until: addDays(world.today, 30) }) },
  bulkReturns: {
    schema: zod.custom((value) => BulkUploadEnvelope.safeParse(value).success && (value as { items: unknown[] }).items.every((item) => BulkUploadItemShape.safeParse(item).success && (item as { return?: unknown }).return !== undefined)),
    optional: true,
    maxBytes: BULK_MAX_BODY_BYTES,
    valid: (world, target) => ({ items: [{ locationId: world.locations[target ?? 'careHome'], reportDate: world.today, return: target === 'hospice' ? inpatientReturn() : designExample() }] }),
  },
};

export type BodyVerdict = { ok: true; value: unknown } | { ok: false; status: 400 | 413 | 415; why: string };

/** Is this Content-Type one the API reads as JSON? (absent, application/json or any +json type) */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'application/json' || type.endsWith('+json');
}

/** What a body's bytes must get: the size limit, an empty optional body, the media type, UTF-8, JSON, the schema. */
export function bodyVerdict(bytes: Buffer, contentType: string | undefined, spec: BodySpec): BodyVerdict {
  if (bytes.byteLength > (spec.maxBytes ?? MAX_BODY_BYTES)) return { ok: false, status: 413, why: `body over ${spec.maxBytes ?? MAX_BODY_BYTES} bytes` };
  if (bytes.byteLength === 0 && spec.optional) return { ok: true, value: {} };
  if (!isJsonContentType(contentType)) return { ok: false, status: 415, why: `content-type ${contentType}` };
  if (bytes.byteLength === 0) return { ok: false, status: 400, why: 'empty body' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, status: 400, why: 'not UTF-8 JSON' };
  }
  const result = spec.schema.safeParse(parsed);
  return result.success ? { ok: true, value: result.data } : { ok: false, status: 400, why: 'fails the schema' };
}

const bodyBytes = (spec: BodySpec, world: FuzzWorld, target: LocationKey | undefined): fc.Arbitrary<Buffer | undefined> => {
  const valid = () => spec.valid(world, target);
  const validTree = () => toMembers(valid());
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(Buffer.from(jsonText(valid()), 'utf8')) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => Buffer.from(jsonText(mutations.reduce(mutate, validTree())), 'utf8')) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.array(mutation, { maxLength: 2 }), byteEdit)
        .map(([mutations, edit]) => applyByteEdit(jsonText(mutations.reduce(mutate, validTree())), edit)),
    },
    { weight: 1, arbitrary: hostileValue.map((value) => Buffer.from(jsonText(value), 'utf8')) },
    { weight: 1, arbitrary: bigBody(valid) },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_BODIES).map((text) => Buffer.from(text, 'utf8')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  );
};

// ---------------------------------------------------------------------------------------------------
// Path parameters, as raw path segments on the wire

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Percent-encode every byte of the UTF-8 form but the unreserved characters (lone surrogates become U+FFFD). */
export function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => (UNRESERVED.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** As API Gateway (and compilePath) decode a path parameter: percent-decoded, or left raw if that fails. */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const RAW_ID_SEGMENTS = [
  '..%2F', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%2E%2E%2F%2E%2E', '%00', '1-123456%00', '..', '.', '%ZZ', '%', '%C0%AF', '%ED%A0%80', '%E2%80%AE1-123456',
  '1-123456%E2%80%8B', '%EF%BB%BF1-123456', '%27%20OR%20%271%27%3D%271', '%7B%22%24gt%22%3A%22%22%7D', '*', '~', '1-123456%2A', '1-12345678901234567890',
  '1%2D123456', '1-%31%32%33%34%35%36', '%31-123456', '1-123456%0A', '1-123456%0D%0A', '1-123456%20', '%201-123456', '+1-123456', '1-123456+', '1-12345%36',
  'I-123456', 'l-123456', '1_123456', '1--123456', '1-1234567%2E0', '1-%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96', '%24%7B7*7%7D', 'null', 'undefined',
  '1-123456;x=1', '1-123456.json', 'con', 'NUL', '%5C..%5C..', '1-123456%5C', '1-123456%2F..', '1-123456%3Fx%3D1', '1-123456%23', '1-123456%3B',
];

const hostileIdSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...RAW_ID_SEGMENTS) },
  { weight: 2, arbitrary: hostileText.filter((text) => text.length > 0).map(pct) },
  { weight: 1, arbitrary: fc.integer({ min: 12, max: 4000 }).map((digits) => `1-${'9'.repeat(digits)}`) },
  { weight: 1, arbitrary: fc.stringMatching(/^1-[0-9]{1,5}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^[02-9]-[0-9]{6,11}$/) },
  { weight: 1, arbitrary: fc.stringMatching(/^1-[0-9]{6,11}$/) },
);

const locationSegment = (world: FuzzWorld) =>
  fc.oneof(
    { weight: 7, arbitrary: fc.constantFrom<LocationKey>('careHome', 'hospice', 'inactive', 'unknown').map((key) => world.locations[key]) },
    { weight: 3, arbitrary: hostileIdSegment },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom<LocationKey>('careHome', 'hospice'), fc.constantFrom('%00', '%20', '%2F..', '.json', ';x', '%0A', '/', '%E2%80%8B', '~', '%2500'))
        .map(([key, suffix]) => world.locations[key] + suffix),
    },
  );

const dateSegment = (world: FuzzWorld) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 5 }).map((back) => addDays(world.today, -back)) },
    { weight: 1, arbitrary: fc.constant(world.returnDay) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '2026-02-30', '2026-02-29', '2025-02-29', '0000-00-00', '0000-01-01', '9999-12-31', '2026-13-01', '2026-00-10', '2026-06-31', '2026-1-1', '20260101',
        '2026-01-01T00:00:00Z', '2026-01-01T00%3A00%3A00%2B01%3A00', '2026-01-01%2B01%3A00', '2026-01-01+01:00', '2026-01-01Z', '%2B002026-01-01', '-002026-01-01',
        '%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-01-01', '2026-W01', 'today', 'yesterday', '1970-01-01', '2024-02-29', '2026%2D01%2D01', '2026-01-01%00', '2026-01-01%20',
        '..', '%2e%2e', '2026-01-01.', '1e308', '-0', 'NaN', '2026-01-01%0A', '275760-09-13', '2026-001',
      ),
    },
    { weight: 2, arbitrary: fc.integer({ min: 2, max: 400_000 }).map((ahead) => addDays(world.today, ahead)) },
    { weight: 2, arbitrary: fc.integer({ min: 9, max: 800_000 }).map((back) => addDays(world.today, -back)) },
    { weight: 1, arbitrary: hostileText.filter((text) => text.length > 0).map(pct) },
  );

const registrationSegment = fc.oneof(
  { weight: 5, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase()) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '%7B6f1c2f2e-3d4b-4c5a-8b9c-0d1e2f3a4b5c%7D',
      '6f1c2f2e3d4b4c5a8b9c0d1e2f3a4b5c', '6f1c2f2e-3d4b-4c5a-8b9c-0d1e2f3a4b5c%00', '6f1c2f2e-3d4b-4c5a-8b9c-0d1e2f3a4b5', '..%2F..', '%ZZ', '*', '1-123456',
      '6f1c2f2e-3d4b-4c5a-8b9c-0d1e2f3a4b5cc', 'g6f1c2f2-3d4b-4c5a-8b9c-0d1e2f3a4b5c',
    ),
  },
  { weight: 1, arbitrary: hostileIdSegment },
);

/** The provider user of the world (a member of every location it has): scripts/fuzz/target.ts. */
export const PROVIDER_USER = 'fuzz-provider';

/** User ids: unknown ones (no user is in the users table), the world's own, and hostile text. */
const userSegment = fc.oneof(
  { weight: 4, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: fc.constantFrom(PROVIDER_USER, 'fuzz-admin', 'fuzz-commissioner', 'local:abc', 'a@b.example', '..', '.', '-', 'x'.repeat(128), 'x'.repeat(129)) },
  { weight: 2, arbitrary: registrationSegment },
);

// ---------------------------------------------------------------------------------------------------
// Headers

/** Header values Node's HTTP client will send: tab, printable ASCII and latin1 (0x80–0xff). */
const headerUnit = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.constant('\t') },
);
const headerGarbage = (maxLength: number) => fc.string({ unit: headerUnit, maxLength });
/**
 * A header value as it goes on the wire: text beyond latin1 is sent as its UTF-8 bytes (read back as
 * latin1, as Node reads every header); NUL, CR, LF and other controls, which no client can send in a
 * header, become '?'.
 */
export function asHeaderValue(text: string): string {
  const bytes = /[^\x00-\xff]/.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text;
  return bytes.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url');
const base64urlText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 400 });

/** JWTs put together by hand: headers and claims of every type, a signature nobody made. Never valid. */
const forgedJwt = fc
  .tuple(
    fc.oneof(
      fc.record(
        {
          alg: fc.constantFrom('RS256', 'HS256', 'none', 'None', 'NONE', 'ES256', 'PS256', 'RS512', 'EdDSA', '', 'rs256', 123, null),
          kid: fc.oneof(fc.constant('local-1'), hostileText, fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 })),
          typ: fc.constantFrom('JWT', 'at+jwt', 'JOSE', ''),
          crit: fc.array(fc.constantFrom('b64', 'exp', 'kid', ''), { maxLength: 2 }),
          b64: fc.boolean(),
          jku: fc.constantFrom('http://127.0.0.1:1/jwks.json', 'file:///etc/passwd'),
          x5u: fc.constant('http://127.0.0.1:1/x.pem'),
          zip: fc.constant('DEF'),
        },
        { requiredKeys: ['alg'] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    fc.oneof(
      fc.record(
        {
          iss: fc.oneof(fc.constantFrom(LOCAL_ISSUER, 'capacity-tracker/update-link', 'https://cognito-idp.eu-west-2.amazonaws.com/x'), hostileText, fc.integer(), fc.jsonValue({ maxDepth: 1 })),
          aud: fc.oneof(fc.constantFrom('capacity-tracker-local', 'capacity-tracker/returns'), fc.array(fc.string(), { maxLength: 3 }), fc.integer()),
          sub: fc.oneof(hostileText, fc.integer()),
          exp: fc.oneof(fc.integer(), fc.constantFrom(1e308, -1, 0, 9_999_999_999, Number.MAX_SAFE_INTEGER), hostileText),
          iat: fc.oneof(fc.integer(), hostileText),
          nbf: fc.integer(),
          'cognito:groups': fc.oneof(fc.array(fc.constantFrom('admin', 'national', 'provider', 'x'), { maxLength: 3 }), hostileText, fc.jsonValue({ maxDepth: 1 })),
          'custom:areas': fc.oneof(hostileText, fc.constant('E92000001')),
          token_use: fc.constantFrom('id', 'access', ''),
          loc: hostileText,
          jti: hostileText,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    fc.oneof(fc.constant(''), base64urlText),
  )
  .map(([header, payload, signature]) => `${base64urlJson(header)}.${base64urlJson(payload)}.${signature}`);

/** Change one character of a real token, never the last of a part (its spare bits can leave the bytes unchanged). */
const tamperedToken = (world: FuzzWorld) =>
  fc.tuple(fc.constantFrom(...CALLERS), fc.nat(), fc.constantFrom(0, 1, 2), fc.constantFrom('A', 'B', 'x', '_', '-', '0')).map(([caller, at, part, char]) => {
    const parts = world.tokens[caller].split('.');
    const text = parts[part]!;
    const index = at % Math.max(1, text.length - 1);
    const replacement = text[index] === char ? (char === 'A' ? 'B' : 'A') : char;
    parts[part] = text.slice(0, index) + replacement + text.slice(index + 1);
    return parts.join('.');
  });

interface AuthPart {
  /** Authorization header lines, in order (empty: none sent). */
  values: string[];
  /** The caller the API must see, or null: no valid token (401). */
  caller: Caller | null;
  why?: string;
}

const authPart = (world: FuzzWorld): fc.Arbitrary<AuthPart> => {
  const validCaller = fc.constantFrom(...CALLERS);
  const valid = fc.tuple(validCaller, fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer  ', 'Bearer\t', ' Bearer '), fc.boolean()).map(([caller, scheme, twice]) => {
    const value = `${scheme}${world.tokens[caller]}${scheme.startsWith(' ') ? ' ' : ''}`;
    return { values: twice ? [value, value] : [value], caller } satisfies AuthPart;
  });
  const bad = (why: string, value: fc.Arbitrary<string | undefined>) => value.map((text) => ({ values: text === undefined ? [] : [text], caller: null, why }) satisfies AuthPart);
  const token = (caller: Caller) => world.tokens[caller];
  return fc.oneof(
    { weight: 20, arbitrary: valid },
    { weight: 2, arbitrary: bad('no Authorization', fc.constant(undefined)) },
    { weight: 3, arbitrary: fc.constantFrom(...world.badTokens).map(({ name, token: text }) => ({ values: [`Bearer ${text}`], caller: null, why: name }) satisfies AuthPart) },
    { weight: 2, arbitrary: bad('tampered token', tamperedToken(world).map((text) => `Bearer ${text}`)) },
    { weight: 2, arbitrary: bad('forged token', forgedJwt.map((text) => `Bearer ${text}`)) },
    {
      weight: 2,
      arbitrary: bad(
        'malformed Authorization',
        fc.constantFrom(
          '', 'Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', `Basic ${token('admin')}`, `Bearer${token('admin')}`, `Bearer ${token('admin')}.`, `Bearer ${token('admin')} ${token('admin')}`,
          `Token ${token('admin')}`, `Bearer "${token('admin')}"`, `Bearer ${token('admin')},Bearer ${token('admin')}`, 'Bearer null', 'Bearer undefined', 'Bearer a.b.c',
          `Bearer ${token('admin').split('.').slice(0, 2).join('.')}`, `Bearer ${token('admin')}\t.x`, 'Negotiate YII=', `Bearer ${'A'.repeat(9000)}.${'B'.repeat(100)}.`,
        ),
      ),
    },
    { weight: 1, arbitrary: bad('garbage Authorization', headerGarbage(300)) },
    { weight: 1, arbitrary: bad('garbage Authorization', headerGarbage(60).map((text) => `Bearer ${text}`)) },
    { weight: 1, arbitrary: bad('oversized Authorization', fc.integer({ min: 2000, max: 11_000 }).map((size) => `Bearer ${'x'.repeat(size)}`)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...world.badTokens), validCaller)
        .map(([badToken, caller]) => ({ values: [`Bearer ${badToken.token}`, `Bearer ${world.tokens[caller]}`], caller: null, why: `duplicate Authorization, first ${badToken.name}` }) satisfies AuthPart),
    },
  );
};

/** If-Match as the route reads it: `*`, or a version in quotes (lenient about the quotes); anything else is a 400. */
export function ifMatchVerdict(header: string): { ok: true; version: number | 'any' } | { ok: false } {
  const value = header.trim();
  if (value === '*') return { ok: true, version: 'any' };
  const match = /^"?([1-9][0-9]{0,8})"?$/.exec(value);
  return match?.[1] ? { ok: true, version: Number(match[1]) } : { ok: false };
}

const ifMatchValue = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('*', '"1"', '1', '"2"', ' "1" ') },
  { weight: 2, arbitrary: fc.integer({ min: 1000, max: 999_999_999 }).map((version) => `"${version}"`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'W/"1"', 'w/"1"', '"0"', '"01"', '"-1"', '"1.0"', '"1e3"', '""', '', '"9999999999"', '"1", "2"', 'abc', '"abc"', '**', '* ', '"*"', '"1', '1"2', '"+1"', '"0x1"',
      '"１"', '"1"\t"2"', '"99999999999999999999"', 'null', '"NaN"', '"Infinity"',
    ),
  },
  { weight: 1, arbitrary: headerGarbage(80) },
);

/** Idempotency-Key as the route reads it: an sf-string or bare token of 1–255 printable ASCII characters. */
export function idempotencyKeyOk(header: string): boolean {
  const value = header.trim();
  const quoted = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/.exec(value);
  const key = quoted?.[1] !== undefined ? quoted[1].replace(/\\(["\\])/g, '$1') : value;
  return key.length >= 1 && key.length <= 255 && /^[\x20-\x7e]+$/.test(key);
}

const idempotencyKeyValue = fc.oneof(
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.uuid().map((id) => `"${id}"`) },
  { weight: 3, arbitrary: fc.constantFrom('', '""', '" "', `${'k'.repeat(256)}`, `"${'k'.repeat(256)}"`, '"\\x"', 'a\tb', '\t', '"a', 'a"') },
  { weight: 2, arbitrary: headerGarbage(300) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 4000 }).map((size) => 'i'.repeat(size)) },
);

const contentTypeValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/problem+json', 'application/vnd.api+json', 'application/json;charset=latin1', 'application/json; charset=utf-16') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'text/plain', 'text/json', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'json', 'application/jsonp',
      'application/json-seq', 'application/*', '*/*', 'application/json+', 'application/ json', 'application/jso', 'image/png', 'text/html; charset=utf-8', ';application/json',
    ),
  },
  { weight: 1, arbitrary: headerGarbage(60) },
);

/** Headers no route reads (or reads harmlessly): garbage must change nothing. */
const noiseHeader: fc.Arbitrary<[string, string]> = fc.tuple(
  fc.constantFrom('x-forwarded-for', 'user-agent', 'cookie', 'accept', 'accept-encoding', 'x-amzn-trace-id', 'x-http-method-override', 'origin', 'referer', 'x-api-key', 'if-none-match', 'range', 'x-fuzz', 'forwarded', 'x-requested-with', 'accept-language'),
  fc.oneof(headerGarbage(200), hostileText.map(asHeaderValue), fc.constantFrom('gzip', 'gzip, deflate, br', 'DELETE', 'a=1; b=2; __proto__=x', '127.0.0.1, 10.0.0.1', '../../etc/passwd')),
);

// ---------------------------------------------------------------------------------------------------
// Queries

/** A query as the gateway hands it on: URLSearchParams decoding, repeats joined with commas. */
export function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    const previous = Object.prototype.hasOwnProperty.call(query, name) ? query[name] : undefined;
    Object.defineProperty(query, name, { value: previous === undefined ? value : `${previous},${value}`, enumerable: true, writable: true, configurable: true });
  }
  return query;
}

/** A page token that decodes to an object of short strings: a listing might accept it (outcome unknown). */
function plausibleToken(token: string): boolean {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return (
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((value) => typeof value === 'string' && value.length > 0 && value.length <= 256)
    );
  } catch {
    return false;
  }
}

/** Key attribute names of the tables a route reads: what a page token of it could hold. */
function keyAttributesOf(route: RouteDefinition): string[][] {
  return Object.keys(route.tables).flatMap((id) => {
    const table: TableDefinition = tables[id as keyof typeof tables];
    const own = [table.partitionKey.name, ...(table.sortKey ? [table.sortKey.name] : [])];
    return [own, ...table.indexes.map((index) => [...new Set([...own, index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])])])];
  });
}

const queryValues = (world: FuzzWorld): Record<string, string[]> => ({
  area: [world.own.region, world.own.localAuthority, 'E92000001', world.other.region, world.other.localAuthority],
  level: ['region', 'localAuthority', 'england'],
  type: ['careHome', 'hospice', 'communityRehab', 'substanceMisuse'],
  limit: ['1', '10', '50', '100'],
  from: [addDays(world.today, -10), addDays(world.today, -3), world.returnDay],
  to: [world.today, world.returnDay, addDays(world.today, -2)],
  category: ['any', 'residential', 'nursing', 'inpatient'],
  sex: ['male', 'female'],
  admitting: ['true', 'false'],
  updatedWithinHours: ['1', '72', '744'],
  status: ['pending', 'approved', 'rejected'],
});

const QUERY_HOSTILE_VALUES = [
  '0', '-1', '1e3', '1e308', '-0', 'NaN', 'Infinity', '0x10', '1.5', ' 5', '5 ', '', '9007199254740993', '1_0', '١', '+5', '05', '1001', '101', '745', 'TRUE', 'True', '1',
  'yes', 'E12000010', 'E12000000', 'E92000002', 'e12000002', 'E1200000２', 'E08000004,E12000002', 'Region', 'REGION', 'england ', 'localauthority', 'any ', 'Male', 'other',
  '2026-02-30', '0000-00-00', '9999-12-31', '2026-1-1', '2026-01-01T00:00:00Z', '20260101', '2026-13-01', 'PENDING',
];

const RAW_QUERY_FRAGMENTS = ['%ZZ', '%', '%C0%AF=1', '%ED%A0%80', '&&', '=', '==', 'a', '?', '%3F', '+', ';', '%00=%00', '[]=1', 'area[]=x', 'area[$ne]=x', 'limit=1&limit=2', '__proto__=x', 'constructor=x', 'area=%00', 'level=%E2%80%AEnoiger'];

interface QueryPart {
  raw: string;
}

/**
 * Page tokens of the right shape: the key attributes of a table or index the route reads, each with a
 * value of its kind (or a sentinel that sorts first or last, or hostile text).
 */
/** The key attributes each listing's page tokens carry (the LastEvaluatedKey of its Query). */
const PAGE_TOKEN_SHAPES: Partial<Record<RouteId, string[][]>> = {
  listReturns: [['locationId', 'reportDate']],
  listLocations: [['locationId', 'localAuthority', 'listingKey'], ['locationId', 'region', 'listingKey'], ['locationId', 'country', 'listingKey'], ['userId', 'locationId']],
  searchVacancies: [['searchKey', 'freshKey']],
  getAggregates: [['areaKey', 'date'], ['areaKey', 'date', 'level', 'dateArea']],
  getCompleteness: [['day']],
  listRegistrations: [['registrationId', 'status', 'requestedAt'], ['registrationId', 'userId', 'requestedAt']],
};

const plausibleTokenArb = (world: FuzzWorld, route: RouteDefinition): fc.Arbitrary<string> => {
  const shapes = PAGE_TOKEN_SHAPES[route.id as RouteId] ?? [];
  const tokenAttributes = [...shapes, ...shapes, ...shapes, ...keyAttributesOf(route)];
  const plausibleValues = (name: string): string[] => {
    const { careHome, hospice, unknown } = world.locations;
    const sorts = ['~', '0', ' ', '\uffff'];
    const byName: Record<string, string[]> = {
      locationId: [careHome, careHome, careHome, hospice, unknown],
      reportDate: [world.today, world.returnDay, addDays(world.today, -400), '0000-00-00', '9999-12-31', '2026-02-30'],
      date: [world.today, world.returnDay, addDays(world.today, -400), '9999-12-31'],
      day: [world.today, addDays(world.today, -2), '9999-12-31', 'not-a-day'],
      searchKey: [`area#${world.own.region}`, 'area#E92000001', `${world.own.region}#nursing`, `area#${world.own.localAuthority}`],
      freshKey: [`${new Date().toISOString()}#${careHome}`, `2000-01-01T00:00:00Z#${careHome}`, `9999-12-31T00:00:00Z#${careHome}`],
      areaKey: [`region#${world.own.region}`, `localAuthority#${world.own.localAuthority}`, 'england#E92000001'],
      dateArea: [`${world.today}#${world.own.region}`, `${addDays(world.today, -400)}#${world.own.region}`, `${world.today}#~`],
      level: ['region', 'localAuthority', 'england'],
      status: ['pending', 'approved', 'rejected'],
      requestedAt: [new Date().toISOString(), '2000-01-01T00:00:00Z'],
      registrationId: ['6f1c2f2e-3d4b-4c5a-8b9c-0d1e2f3a4b5c'],
      userId: ['fuzz-provider', 'fuzz-admin'],
      listingKey: [`careHome#${careHome}`, `hospice#${hospice}`, 'careHome#', 'substanceMisuse#~'],
      localAuthority: [world.own.localAuthority, world.other.localAuthority],
      region: [world.own.region, world.other.region],
      country: ['E92000001'],
    };
    return [...(byName[name] ?? [careHome, world.today]), ...sorts];
  };
  return fc
    .constantFrom(...(tokenAttributes.length > 0 ? tokenAttributes : [['id']]))
    .chain((attributes) =>
      fc.tuple(...attributes.map((name) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...plausibleValues(name)) }, { weight: 1, arbitrary: hostileText.filter((text) => text.length > 0 && text.length <= 256) }))).map((values) =>
        Buffer.from(JSON.stringify(Object.fromEntries(attributes.map((name, index) => [name, values[index]!])))).toString('base64url'),
      ),
    );
};

/** One name=value pair: a known parameter with a valid or hostile value, an unknown one, or raw garbage. */
const queryPair = (world: FuzzWorld, route: RouteDefinition): fc.Arbitrary<string> => {
  const schema = route.request?.query as (z.ZodType & { shape?: Record<string, unknown> }) | undefined;
  const names = schema?.shape ? Object.keys(schema.shape) : [];
  const values = queryValues(world);
  const knownName = names.length > 0 ? fc.constantFrom(...names) : fc.constantFrom('area', 'limit', 'nextToken');
  const plausible = plausibleTokenArb(world, route);
  const tokenValue = fc.oneof({ weight: 3, arbitrary: plausible }, base64urlText, hostileText, fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')));
  const valueFor = (name: string) =>
    name === 'nextToken'
      ? tokenValue
      : fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...(values[name] ?? ['x'])) }, { weight: 2, arbitrary: fc.constantFrom(...QUERY_HOSTILE_VALUES) }, { weight: 1, arbitrary: hostileText });
  return fc.oneof(
    { weight: 5, arbitrary: knownName.chain((name) => valueFor(name).map((value) => `${pct(name)}=${pct(value)}`)) },
    { weight: 1, arbitrary: fc.tuple(hostileKey, hostileText).map(([name, value]) => `${pct(name)}=${pct(value)}`) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERY_FRAGMENTS) },
  );
};

const queryPart = (world: FuzzWorld, route: RouteDefinition): fc.Arbitrary<QueryPart> => {
  const schema = route.request?.query as (z.ZodType & { shape?: Record<string, unknown> }) | undefined;
  // Defaults first: a level where one is needed, so a hostile extra is what decides.
  const needsLevel = schema?.shape ? 'level' in schema.shape : false;
  return fc
    .tuple(fc.boolean(), fc.constantFrom(...queryValues(world).level!), fc.array(queryPair(world, route), { maxLength: 4 }))
    .map(([withLevel, level, pairs]) => ({ raw: [...(needsLevel && withLevel ? [`level=${level}`] : []), ...pairs].join('&') }));
};

/** A valid query of each route (the near-valid cases start from one). */
const validQueries = (world: FuzzWorld, route: RouteDefinition): string[] => {
  const area = `area=${world.own.region}`;
  switch (route.id as RouteId) {
    case 'listLocations':
      return ['', area, 'type=careHome&limit=10', `area=${world.own.localAuthority}&type=hospice`];
    case 'listReturns':
      return ['', `from=${addDays(world.today, -10)}&to=${world.today}`, 'limit=5'];
    case 'getAggregates':
    case 'exportAggregates':
      return [`level=region&${area}`, `level=localAuthority&area=${world.own.localAuthority}&from=${addDays(world.today, -3)}&to=${world.today}`, 'level=region'];
    case 'getCompleteness':
      return [`level=region&${area}`, 'level=localAuthority', `level=localAuthority&area=${world.own.localAuthority}&from=${addDays(world.today, -3)}&to=${world.today}`];
    case 'searchVacancies':
      return [area, `${area}&category=nursing&sex=female&admitting=true`, `area=${world.own.localAuthority}&updatedWithinHours=24`];
    case 'listRegistrations':
      return ['', 'status=pending', 'status=approved&limit=10', `locationId=${world.locations.careHome}`];
    case 'listUsers':
      return ['', 'role=provider', `locationId=${world.locations.careHome}`, 'limit=5'];
    case 'readAudit':
      return ['', `locationId=${world.locations.careHome}`, `from=${addDays(world.today, -3)}&to=${world.today}`, 'actor=fuzz-admin&limit=5'];
    case 'unreachableReport':
      return ['', area, `area=${world.own.localAuthority}`];
    case 'listAreas':
      return ['', 'level=region', `level=localAuthority&parent=${world.own.region}`, `parent=${world.own.region}`, 'level=district'];
    default:
      return [''];
  }
};

// ---------------------------------------------------------------------------------------------------
// The model: what the API must answer

/** One check: passes, fails (with its status), or may fail (the model cannot tell). */
type Gate = { pass: true } | { fail: number; why: string; defect: boolean } | { maybe: number; why: string };
const pass: Gate = { pass: true };
const defect = (status: number, why: string): Gate => ({ fail: status, why, defect: true });
const refusal = (status: number, why: string): Gate => ({ fail: status, why, defect: false });
const maybe = (status: number, why: string): Gate => ({ maybe: status, why });

interface Verdict {
  kind: 'malformed' | 'refused' | 'probe' | 'valid';
  expect: number[];
  defects: string[];
  refusals: string[];
}

/** The first failing check decides; checks that may fail before it widen the answer. Every defect anywhere makes the request malformed. */
function decide(gates: Gate[]): Verdict {
  const possible = new Set<number>();
  let decided: number | undefined;
  const defects: string[] = [];
  const refusals: string[] = [];
  let unknown = false;
  for (const gate of gates) {
    if ('fail' in gate) {
      (gate.defect ? defects : refusals).push(gate.why);
      if (decided === undefined) decided = gate.fail;
    } else if ('maybe' in gate && decided === undefined) {
      possible.add(gate.maybe);
      unknown = true;
    }
  }
  if (decided === undefined) return { kind: unknown ? 'probe' : 'valid', expect: [...possible], defects, refusals };
  possible.add(decided);
  return { kind: defects.length > 0 ? 'malformed' : 'refused', expect: [...possible].sort(), defects, refusals };
}

/** Which world location a decoded, well-formed id is (any other well-formed id is unknown). */
const locationKeyOf = (world: FuzzWorld, id: string): LocationKey =>
  (Object.keys(world.locations) as LocationKey[]).find((key) => world.locations[key] === id && key !== 'unknown') ?? 'unknown';

/** The route table's roles and the membership / area rule (README "Who may do what"). */
function accessGate(route: RouteDefinition, caller: Caller, target: LocationKey | undefined): Gate {
  if (route.access === 'public') return pass;
  const who = WHO[caller];
  if (who.kind === 'link') {
    if (!route.updateLink) return refusal(403, 'an update link may not call this route');
    return target === who.location ? pass : refusal(403, 'an update link for another location');
  }
  if (!route.access.includes(who.role)) return refusal(403, `the ${who.role} role may not call it`);
  if (route.scope !== 'location' || target === undefined) return pass;
  const facts = FACTS[target];
  if (who.role === 'provider') {
    if (!(caller === 'providerMember' && facts.member)) return refusal(403, 'not a member of the location');
    return route.managers ? refusal(403, 'a member, not a manager') : pass;
  }
  if (who.role === 'commissioner') return !facts.exists || facts.ownArea ? pass : refusal(403, 'the location is outside the commissioner’s areas');
  return pass;
}

/** The London day window for returns: the model calls a day bad only well clear of midnight. */
function reportDateGate(world: FuzzWorld, day: string): Gate {
  if (day > addDays(world.today, 1)) return defect(400, 'report date in the future');
  if (day < addDays(world.today, -8)) return defect(400, 'report date more than 7 days back');
  if (day === addDays(world.today, 1) || day < addDays(world.today, -6)) return maybe(400, 'report date at the edge of the window');
  return pass;
}

/** The version stored for a location's day: the world holds one return (care home, returnDay, version 1). */
const currentVersion = (world: FuzzWorld, target: LocationKey, day: string) => (target === 'careHome' && day === world.returnDay ? 1 : undefined);

interface Parts {
  method: string;
  path: string;
  query: string;
  params: Record<string, string>;
  auth: AuthPart;
  body?: Buffer;
  contentType?: string;
  ifMatch?: string;
  idempotencyKey?: string;
}

function bodyGate(verdict: BodyVerdict | undefined): Gate {
  if (verdict === undefined || verdict.ok) return pass;
  return defect(verdict.status, verdict.why);
}

function queryGates(route: RouteDefinition, query: Record<string, string>, caller: Caller): Gate[] {
  const gates: Gate[] = [];
  const schema = route.request?.query;
  if (schema) {
    const result = schema.safeParse(query);
    if (!result.success) gates.push(defect(400, 'query fails the schema'));
  } else return gates;
  const token = Object.prototype.hasOwnProperty.call(query, 'nextToken') ? query.nextToken : undefined;
  // Scope rules: whether a commissioner may read an area (403) or named a level/area pair that does not fit (400).
  gates.push(...(WHO[caller].kind === 'user' && (WHO[caller] as { role: Role }).role === 'commissioner' ? [maybe(403, 'area scope'), maybe(400, 'area scope')] : [maybe(400, 'area and level')]));
  if (route.id === 'listReturns' && query.from && query.to && query.from > query.to) gates.push(defect(400, 'from after to'));
  if (token !== undefined) gates.push(plausibleToken(token) ? maybe(400, 'a page token of the right shape') : defect(400, 'a page token no listing gave out'));
  return gates;
}

/**
 * The rows of a bulk upload, in the order the upload checks them (docs/api.md "Uploading many returns"):
 * a provider's rows for locations it is not a member of (403), then every row's fields, date and
 * location rules, and one row per location and day (400), then unknown (404) and inactive (409) locations.
 */
function bulkRowGates(world: FuzzWorld, caller: Caller, value: unknown): Gate[] {
  const items = ((value as { items?: unknown[] }).items ?? []) as Array<{ locationId?: unknown; reportDate?: unknown; return?: unknown }>;
  const gates: Gate[] = [];
  const named = items.flatMap((item) => (LocationId.safeParse(item.locationId).success ? [locationKeyOf(world, item.locationId as string)] : []));
  const who = WHO[caller];
  if (who.kind === 'user' && who.role === 'provider' && named.some((key) => caller !== 'providerMember' || !FACTS[key].member)) {
    gates.push(refusal(403, 'a row for a location the provider is not a member of'));
  }
  // An empty body (read as `{}`) is an upload of no rows; a body `{}` sent as such failed the shape above.
  if (Object.prototype.hasOwnProperty.call(value, 'items') && !BulkUploadJson.safeParse(value).success) gates.push(defect(400, 'a row fails the schema'));
  const seen = new Set<string>();
  for (const item of items) {
    const idOk = LocationId.safeParse(item.locationId).success;
    const dateOk = CalendarDate.safeParse(item.reportDate).success;
    if (dateOk) gates.push(reportDateGate(world, item.reportDate as string));
    if (idOk && dateOk) {
      const key = `${String(item.locationId)}#${String(item.reportDate)}`;
      if (seen.has(key)) gates.push(defect(400, 'the same location and day twice'));
      seen.add(key);
    }
    const facts = idOk ? FACTS[locationKeyOf(world, item.locationId as string)] : undefined;
    const input = DailyReturnInput.safeParse(item.return);
    if (facts?.location && input.success && locationRuleErrors(input.data, facts.location).length > 0) gates.push(defect(400, 'vacancy categories of another location type'));
  }
  if (named.some((key) => !FACTS[key].exists)) gates.push(refusal(404, 'a row for an unknown location'));
  if (named.some((key) => FACTS[key].exists && !FACTS[key].active)) gates.push(refusal(409, 'a row for an inactive location'));
  return gates;
}

/** The answer to a request for a matched route, from its parts. */
function verdictFor(world: FuzzWorld, route: RouteDefinition, parts: Parts): Verdict {
  const gates: Gate[] = [];
  const spec = BODIES[route.id as RouteId];
  // A route that reads no body ignores one; so does a GET.
  const body = spec ? bodyVerdict(parts.body ?? Buffer.alloc(0), parts.contentType, spec) : undefined;

  if (parts.auth.caller === null) gates.push(defect(401, `token: ${parts.auth.why ?? 'bad'}`));
  const caller = parts.auth.caller ?? 'admin';

  let target: LocationKey | undefined;
  if (parts.params.locationId !== undefined) {
    const id = parts.params.locationId;
    if (!LocationId.safeParse(id).success) gates.push(defect(400, 'location id'));
    else target = locationKeyOf(world, id);
  }
  gates.push(accessGate(route, caller, target));

  if (route.request?.idempotencyKey && parts.idempotencyKey !== undefined) {
    gates.push(idempotencyKeyOk(parts.idempotencyKey) ? maybe(409, 'a request with the same key in progress') : defect(400, 'Idempotency-Key'));
  }

  const date = parts.params.reportDate;
  const dateOk = date !== undefined && CalendarDate.safeParse(date).success;
  switch (route.id as RouteId) {
    case 'putReturn':
    case 'confirmReturn': {
      if (!dateOk) gates.push(defect(400, 'report date'));
      const ifMatch = parts.ifMatch === undefined ? undefined : ifMatchVerdict(parts.ifMatch);
      if (ifMatch && !ifMatch.ok) gates.push(defect(400, 'If-Match'));
      gates.push(bodyGate(body));
      if (dateOk) gates.push(reportDateGate(world, date));
      if (target !== undefined) {
        const facts = FACTS[target];
        if (!facts.exists) gates.push(refusal(404, 'unknown location'));
        else if (!facts.active) gates.push(refusal(409, 'inactive location'));
        else if (route.id === 'confirmReturn' && !(target === 'careHome' && dateOk && world.returnDay <= date)) gates.push(refusal(409, 'no earlier return to repeat'));
        else if (route.id === 'putReturn' && body?.ok && facts.location && locationRuleErrors(body.value as DailyReturnInput, facts.location).length > 0) {
          gates.push(defect(400, 'vacancy categories of another location type'));
        }
        if (facts.exists && facts.active && ifMatch?.ok && dateOk) {
          const current = currentVersion(world, target, date);
          if (current === undefined || (ifMatch.version !== 'any' && ifMatch.version !== current)) gates.push(refusal(412, 'If-Match names no current version'));
        }
      }
      break;
    }
    case 'revokeUpdateLinks':
      gates.push(bodyGate(body));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      break;
    case 'register': {
      gates.push(bodyGate(body));
      if (body?.ok) {
        const named = locationKeyOf(world, (body.value as { locationId: string }).locationId);
        gates.push(FACTS[named].exists ? refusal(409, 'the location is inactive, the caller a member, or another request pending') : refusal(404, 'unknown location'));
      }
      break;
    }
    case 'bulkReturns':
      gates.push(bodyGate(body));
      if (body?.ok) gates.push(...bulkRowGates(world, caller, body.value));
      break;
    case 'approveRegistration':
    case 'rejectRegistration':
      if (!RegistrationPath.safeParse({ registrationId: parts.params.registrationId }).success) gates.push(defect(400, 'registration id'));
      gates.push(bodyGate(body));
      gates.push(refusal(404, 'no such registration'));
      break;
    case 'inviteUser':
      // A valid invitation would write (the users table is empty, so no address is taken).
      gates.push(bodyGate(body));
      break;
    case 'changeUser':
      if (!UserPath.safeParse(parts.params).success) gates.push(defect(400, 'user id'));
      gates.push(bodyGate(body));
      gates.push(refusal(404, 'no such user (the users table is empty)'));
      break;
    case 'putMember':
    case 'removeMember': {
      const pathOk = MemberPath.safeParse(parts.params).success;
      if (!pathOk) gates.push(defect(400, 'user id'));
      if (route.id === 'putMember') gates.push(bodyGate(body));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      else if (route.id === 'putMember') gates.push(refusal(404, 'no such user (the users table is empty)'));
      // Removing the provider user from a location it is a member of would write.
      else if (!(pathOk && parts.params.userId === PROVIDER_USER && target !== undefined && FACTS[target].member)) gates.push(refusal(404, 'not a member'));
      break;
    }
    case 'putLocationContact':
      gates.push(bodyGate(body));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      break;
    case 'getProviderContact':
    case 'putProviderContact':
      if (!ProviderPath.safeParse(parts.params).success) gates.push(defect(400, 'provider id'));
      if (route.id === 'putProviderContact') gates.push(bodyGate(body));
      break;
    case 'pauseLocation': {
      gates.push(bodyGate(body));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      const until = body?.ok ? (body.value as PauseRequest).until : undefined;
      if (until !== undefined) {
        // The London day may turn while the case is in flight: only days well clear of it are judged.
        if (until < world.today) gates.push(defect(400, 'until is not after today'));
        else if (until <= addDays(world.today, 1)) gates.push(maybe(400, 'until at the edge of today'));
      }
      if (target !== undefined && FACTS[target].exists && !FACTS[target].active) gates.push(refusal(409, 'not an active location'));
      break;
    }
    case 'createSavedSearch':
      gates.push(bodyGate(body));
      // A valid body near a district the world has would write (dropped); near one it lacks is a 400 the model cannot tell apart.
      if (body?.ok) gates.push(maybe(400, 'near may name no district the places table has'));
      break;
    case 'createExport': {
      gates.push(bodyGate(body));
      const request = body?.ok ? (body.value as ExportRequest) : undefined;
      if (request) {
        // The London day may turn while the case is in flight: only days well clear of it are judged.
        if (request.to > addDays(world.today, 1)) gates.push(defect(400, 'to is after today'));
        else if (request.to > world.today) gates.push(maybe(400, 'to at the edge of today'));
        const commissioner = WHO[caller].kind === 'user' && (WHO[caller] as { role: Role }).role === 'commissioner';
        gates.push(...(commissioner ? [maybe(403, 'area scope'), maybe(400, 'area scope')] : [maybe(400, 'area and level')]));
      }
      break;
    }
    case 'getExport':
      if (!ExportJobParams.safeParse(parts.params).success) gates.push(defect(400, 'export id'));
      gates.push(refusal(404, 'no export of the caller’s with that id'));
      break;
    case 'deleteSavedSearch':
      if (!SavedSearchPath.safeParse(parts.params).success) gates.push(defect(400, 'saved search id'));
      gates.push(refusal(404, 'no such saved search of the caller’s (the world has none)'));
      break;
    case 'unsubscribeSavedSearch':
      gates.push(bodyGate(body));
      gates.push(refusal(401, 'not a token we issued'));
      break;
    case 'resumeLocation':
      if (target !== undefined) gates.push(FACTS[target].exists ? refusal(409, 'not paused (nothing in the world is)') : refusal(404, 'unknown location'));
      break;
    case 'listMembers':
    case 'getLocationContact':
    case 'getLocation':
    case 'getLocationArea':
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      break;
    case 'listReturns':
      gates.push(...queryGates(route, parseQuery(parts.query), caller));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      break;
    case 'listReturnVersions':
      // Any real calendar day may be read: the 7-day window holds for writes only.
      if (!dateOk) gates.push(defect(400, 'report date'));
      if (target !== undefined && !FACTS[target].exists) gates.push(refusal(404, 'unknown location'));
      break;
    default:
      gates.push(...queryGates(route, parseQuery(parts.query), caller));
  }
  return decide(gates);
}

// ---------------------------------------------------------------------------------------------------
// Cases

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PURGE', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH'];

const protectedRoutes = routes.filter((route) => route.access !== 'public') as RouteDefinition[];

function fillPath(route: RouteDefinition, segments: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => segments[name] ?? 'x');
}

function headersOf(parts: Omit<Parts, 'params' | 'path' | 'query' | 'method'>, noise: Array<[string, string]>): Array<[string, string]> {
  return [
    ...parts.auth.values.map((value): [string, string] => ['authorization', value]),
    ...(parts.contentType !== undefined ? [['content-type', parts.contentType] as [string, string]] : []),
    ...(parts.ifMatch !== undefined ? [['if-match', parts.ifMatch] as [string, string]] : []),
    ...(parts.idempotencyKey !== undefined ? [['idempotency-key', parts.idempotencyKey] as [string, string]] : []),
    ...noise,
  ].map(([name, value]): [string, string] => [name, asHeaderValue(value)]);
}

/** A request for one route, with every part drawn; the model says what it must get. */
/** Mostly `usual`, now and then `other`: most parts of a near-valid request are valid. */
const mostly = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<T>, usualWeight = 6) => fc.oneof({ weight: usualWeight, arbitrary: usual }, { weight: 1, arbitrary: other });

/**
 * A request for one route, with every part drawn. `wide`: each part drawn from everything, valid or not
 * (most requests carry several defects and stop at the first check). `near`: a valid request of an
 * allowed caller with one part (sometimes two) spoilt, so the checks deep in a route are reached.
 */
const routeCase = (world: FuzzWorld, route: RouteDefinition, mode: 'wide' | 'near'): fc.Arbitrary<FuzzCase | undefined> => {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const wideSegment = (name: string) =>
    name === 'locationId' ? locationSegment(world) : name === 'reportDate' ? dateSegment(world) : name === 'userId' ? userSegment : name === 'providerId' ? hostileIdSegment : registrationSegment;
  const nearSegment = (name: string) =>
    name === 'locationId'
      ? mostly(fc.constant(world.locations.careHome), locationSegment(world), 5)
      : name === 'reportDate'
        ? mostly(fc.oneof(fc.integer({ min: 0, max: 5 }).map((back) => addDays(world.today, -back)), fc.constant(world.returnDay)), dateSegment(world), 5)
        : name === 'userId'
          ? mostly(fc.uuid(), userSegment, 5)
          : name === 'providerId'
            ? mostly(fc.constant('1-900000001'), hostileIdSegment, 5)
            : mostly(fc.uuid(), registrationSegment, 5);
  const spec = BODIES[route.id as RouteId];
  const segments = fc.tuple(...names.map(mode === 'wide' ? wideSegment : nearSegment)).map((values) => Object.fromEntries(names.map((name, index) => [name, values[index]!])));
  const target = fc.constantFrom<LocationKey>('careHome', 'hospice', 'inactive', 'unknown');
  const noBody = fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...GARBAGE_BODIES).map((text) => Buffer.from(text)) });
  const wide = {
    segments,
    auth: authPart(world),
    query: route.request?.query ? queryPart(world, route) : fc.oneof({ weight: 4, arbitrary: fc.constant({ raw: '' }) }, { weight: 1, arbitrary: queryPart(world, route) }),
    body: spec ? target.chain((key) => bodyBytes(spec, world, key)) : noBody,
    contentType: fc.option(contentTypeValue, { freq: 3 }),
    ifMatch: route.request?.ifMatch ? fc.option(ifMatchValue, { freq: 2 }) : fc.constant(null),
    idempotencyKey: route.request?.idempotencyKey ? fc.option(idempotencyKeyValue, { freq: 2 }) : fc.constant(null),
    noise: fc.array(noiseHeader, { maxLength: 3 }),
  };
  const allowed = CALLERS.filter((caller) => 'pass' in accessGate(route, caller, 'careHome'));
  const near = {
    ...wide,
    auth: allowed.length > 0 ? mostly(fc.constantFrom(...allowed).map((caller): AuthPart => ({ values: [`Bearer ${world.tokens[caller]}`], caller })), authPart(world), 5) : authPart(world),
    query: fc
      .tuple(
        fc.constantFrom(...validQueries(world, route)),
        fc.oneof(
          { weight: 3, arbitrary: fc.constant(null) },
          { weight: 2, arbitrary: queryPair(world, route) },
          { weight: route.request?.query ? 1 : 0, arbitrary: plausibleTokenArb(world, route).map((token) => `nextToken=${token}`) },
        ),
      )
      .map(([valid, extra]) => ({ raw: [valid, extra].filter(Boolean).join('&') })),
    body: spec ? mostly(fc.constant(Buffer.from(jsonText(spec.valid(world, 'careHome')), 'utf8')), bodyBytes(spec, world, 'careHome'), 1) : noBody,
    contentType: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: contentTypeValue }),
    ifMatch: route.request?.ifMatch ? fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: ifMatchValue }) : fc.constant(null),
    idempotencyKey: route.request?.idempotencyKey ? fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.uuid() }, { weight: 1, arbitrary: idempotencyKeyValue }) : fc.constant(null),
    noise: fc.array(noiseHeader, { maxLength: 2 }),
  };
  return fc
    .record(mode === 'wide' ? wide : near)
    .map(({ segments: raw, auth, query, body, contentType, ifMatch, idempotencyKey, noise }) => {
      const path = fillPath(route, raw) + (query.raw ? `?${query.raw}` : '');
      const match = matchRoute(route.method, path.split('?')[0]!);
      // A segment with a slash in it may have made the path another route's, or none: judged as such elsewhere.
      if (match.kind !== 'matched' || match.route.id !== route.id) return undefined;
      // A GET's body is noise (no GET reads one); Node's client sends it all the same.
      const bodyToSend = body;
      const parts: Parts = {
        method: route.method,
        path,
        query: query.raw,
        params: match.pathParameters,
        // Judged as they go on the wire.
        auth: { ...auth, values: auth.values.map(asHeaderValue) },
        ...(bodyToSend !== undefined ? { body: bodyToSend } : {}),
        ...(contentType !== null ? { contentType: asHeaderValue(contentType) } : {}),
        ...(ifMatch !== null ? { ifMatch: asHeaderValue(ifMatch) } : {}),
        ...(idempotencyKey !== null ? { idempotencyKey: asHeaderValue(idempotencyKey) } : {}),
      };
      const verdict = verdictFor(world, route, parts);
      // A valid write would write; a valid read is a probe, in the wide mix only (near-valid reads would be mostly valid).
      if (verdict.kind === 'valid' && (route.method !== 'GET' || mode === 'near')) return undefined;
      if (verdict.kind === 'probe' && route.method !== 'GET') return undefined;
      const kind: CaseKind = verdict.kind === 'valid' ? 'probe' : verdict.kind;
      return {
        kind,
        label: route.id,
        route: route.id as RouteId,
        method: route.method,
        path,
        headers: headersOf(parts, noise),
        ...(bodyToSend !== undefined ? { body: bodyToSend } : {}),
        defects: verdict.defects,
        refusals: verdict.refusals,
        ...(kind === 'malformed' || kind === 'refused' ? { expect: verdict.expect } : {}),
      } satisfies FuzzCase;
    });
};

const PATH_EDITS = [
  (path: string) => `${path}/x`,
  (path: string) => `${path}/`,
  (path: string) => `/v1${path}`,
  (path: string) => path.replace('/v1/', '/v1//'),
  (path: string) => path.replace(/\/([a-z]+)/g, (segment, word: string) => (word === 'v1' ? segment : `/${word.toUpperCase()}`)),
  (path: string) => path.replace(/\/([a-z])([a-z]*)/, (segment, first: string, rest: string) => (first === 'v' ? segment : `/%${first.charCodeAt(0).toString(16)}${rest}`)),
  (path: string) => `${path}/..`,
  (path: string) => `${path}/../..`,
  (path: string) => `${path}%2F..%2F..`,
  (path: string) => path.replace('/v1/', '/v1/./'),
  (path: string) => path.replace('/v1/', '/v1/../v1/'),
  (path: string) => `${path}.json`,
  (path: string) => `${path};jsessionid=1`,
  (path: string) => `${path}%00`,
  (path: string) => `${path}/%2e%2e/%2e%2e/etc/passwd`,
  (path: string) => path.split('/').slice(0, -1).join('/') || '/v1',
  (path: string) => `${path}/${'a'.repeat(3000)}`,
  () => '/v1',
  () => '/v1/',
  () => '/v1/..',
  () => '/v1/%2e%2e/%2e%2e/etc/passwd',
  () => '/v1/locations/1-123456/returns/2026-01-01/confirm/again',
  () => '/v1/registrations/x/approve/x',
  () => '/v1/%ZZ',
  () => '/v1/\u00e9'.replace('\u00e9', '%C3%A9'),
  () => '/v1/api/../health',
];

/** No route: a wrong method on a route's path (405), or a path no route has (404). Public: no token needed. */
const unmatchedCase = (world: FuzzWorld): fc.Arbitrary<FuzzCase | undefined> =>
  fc
    .record({
      route: fc.constantFrom(...(routes as readonly RouteDefinition[])),
      segments: fc.record({ locationId: locationSegment(world), reportDate: dateSegment(world), registrationId: registrationSegment }),
      edit: fc.option(fc.constantFrom(...PATH_EDITS), { freq: 2 }),
      method: fc.constantFrom(...METHODS),
      auth: authPart(world),
      body: fc.option(fc.oneof(fc.constant(Buffer.from(JSON.stringify(designExample()))), fc.constantFrom(...GARBAGE_BODIES).map((text) => Buffer.from(text))), { freq: 3 }),
      contentType: fc.option(contentTypeValue, { freq: 2 }),
      query: fc.option(fc.constantFrom(...RAW_QUERY_FRAGMENTS, 'level=region', 'limit=1'), { freq: 3 }),
      noise: fc.array(noiseHeader, { maxLength: 2 }),
    })
    .map(({ route, segments, edit, method, auth, body, contentType, query, noise }) => {
      const path = edit ? edit(fillPath(route, segments)) : fillPath(route, segments);
      if (!(path === '/v1' || path.startsWith('/v1/'))) return undefined;
      const match = matchRoute(method, path);
      if (match.kind === 'matched') return undefined;
      const status = match.kind === 'wrongMethod' ? 405 : 404;
      const sendBody = method !== 'GET' && method !== 'HEAD' && body !== null ? body : undefined;
      return {
        kind: 'malformed',
        label: 'unmatched',
        route: route.id as RouteId,
        method,
        path: path + (query ? `?${query}` : ''),
        headers: headersOf({ auth, ...(contentType !== null ? { contentType } : {}) }, noise),
        ...(sendBody ? { body: sendBody } : {}),
        defects: [status === 405 ? `method ${method}` : 'no such path'],
        refusals: [],
        expect: [status],
      } satisfies FuzzCase;
    });

/** HTTP broken below the API, written to a raw socket. */
const framingCase = (world: FuzzWorld): fc.Arbitrary<FuzzCase> =>
  fc
    .record({
      target: fc.constantFrom(
        { route: 'putReturn' as const, method: 'PUT', path: `/v1/locations/${world.locations.careHome}/returns/${world.today}` },
        { route: 'confirmReturn' as const, method: 'POST', path: `/v1/locations/${world.locations.careHome}/returns/${world.today}/confirm` },
        { route: 'register' as const, method: 'POST', path: '/v1/registrations' },
      ),
      auth: fc.constantFrom<'none' | 'bad' | 'admin'>('none', 'bad', 'admin'),
      variant: fc.constantFrom(
        'shortContentLength',
        'longContentLength',
        'badContentLength',
        'conflictingContentLength',
        'contentLengthAndChunked',
        'badChunk',
        'headerWithoutColon',
        'nulInHeader',
        'obsFold',
        'bareLf',
        'hugeHeader',
        'badVersion',
        'badMethod',
        'pipelinedGarbage',
      ),
      delta: fc.integer({ min: 1, max: 200 }),
    })
    .map(({ target, auth, variant, delta }) => {
      // The body is never a valid write: the design example cut short, or sent to confirm/register.
      const full = Buffer.from(JSON.stringify(designExample()));
      const body = target.method === 'PUT' ? full.subarray(0, Math.max(1, full.byteLength - delta)) : full;
      // A valid token only for PUT, whose body is cut short: no way of reading these bytes makes a write.
      const token = auth === 'admin' && target.method === 'PUT' ? world.tokens.admin : auth !== 'none' ? world.badTokens[delta % world.badTokens.length]!.token : undefined;
      const lines = [`${target.method} ${target.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Content-Type: application/json', ...(token ? [`Authorization: Bearer ${token}`] : [])];
      let halfClose = true;
      let head: string[] = [...lines];
      let payload: Buffer = body;
      switch (variant) {
        case 'shortContentLength':
          head.push(`Content-Length: ${Math.max(1, body.byteLength - delta)}`, 'Connection: close');
          break;
        case 'longContentLength':
          head.push(`Content-Length: ${body.byteLength + delta}`);
          break;
        case 'badContentLength':
          head.push(`Content-Length: ${['abc', '-1', '1e3', '0x10', '+5', `${body.byteLength}.0`, '', '99999999999999999999'][delta % 8]}`);
          break;
        case 'conflictingContentLength':
          head.push(`Content-Length: ${body.byteLength}`, `Content-Length: ${body.byteLength + 1}`);
          break;
        case 'contentLengthAndChunked':
          head.push(`Content-Length: ${body.byteLength}`, 'Transfer-Encoding: chunked');
          break;
        case 'badChunk':
          head.push('Transfer-Encoding: chunked');
          payload = Buffer.concat([Buffer.from(`zz\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
          break;
        case 'headerWithoutColon':
          head.push('X-Fuzz', `Content-Length: ${body.byteLength}`);
          break;
        case 'nulInHeader':
          head.push('X-Fuzz: a\u0000b', `Content-Length: ${body.byteLength}`);
          break;
        case 'obsFold':
          head.push('X-Fuzz: a', ' folded', `Content-Length: ${body.byteLength}`);
          break;
        case 'bareLf':
          head = [head.join('\n') + `\nContent-Length: ${body.byteLength}`];
          break;
        case 'hugeHeader':
          head.push(`X-Fuzz: ${'h'.repeat(20_000 + delta)}`, `Content-Length: ${body.byteLength}`);
          break;
        case 'badVersion':
          head[0] = `${target.method} ${target.path} HTTP/${['2.0', '1.2', '0.9', '9.9', '1', 'x'][delta % 6]}`;
          head.push(`Content-Length: ${body.byteLength}`);
          break;
        case 'badMethod':
          head[0] = `${['FOO', 'G ET', 'get', 'PUT\u0000', ''][delta % 5]} ${target.path} HTTP/1.1`;
          head.push(`Content-Length: ${body.byteLength}`);
          break;
        case 'pipelinedGarbage':
          head.push(`Content-Length: ${body.byteLength}`);
          payload = Buffer.concat([body, Buffer.from('\r\nGARBAGE / HTTP/1.1\r\n\r\n')]);
          halfClose = false;
          break;
      }
      const separator = variant === 'bareLf' ? '\n\n' : '\r\n\r\n';
      const bytes = Buffer.concat([Buffer.from(head.join(variant === 'bareLf' ? '\n' : '\r\n') + separator, 'latin1'), payload]);
      return {
        kind: 'framing',
        label: 'framing',
        route: target.route,
        method: target.method,
        path: target.path,
        headers: [],
        defects: [variant],
        refusals: [],
        raw: { bytes, halfClose },
      } satisfies FuzzCase;
    });

/**
 * Node's HTTP server takes a request line and headers of at most 16 KiB (API Gateway's own limit is
 * lower); a longer head is refused by the HTTP parser (431) before any of the API runs, so such a
 * request is judged as a framing case. Heads close to the limit are left out (the count is approximate).
 */
export const MAX_HEAD_BYTES = 16 * 1024;
function headBytes(value: FuzzCase): number {
  return (
    `${value.method} ${value.path} HTTP/1.1\r\nhost: 127.0.0.1:65535\r\nconnection: keep-alive\r\ncontent-length: 1000000\r\n\r\n`.length +
    value.headers.reduce((sum, [name, header]) => sum + name.length + header.length + 4, 0)
  );
}
function judgeHeadSize(value: FuzzCase): FuzzCase | undefined {
  if (value.raw) return value;
  const size = headBytes(value);
  if (size <= MAX_HEAD_BYTES - 400) return value;
  if (size < MAX_HEAD_BYTES + 400) return undefined;
  return { ...value, kind: 'framing', label: 'framing', defects: [...value.defects, 'request head over 16 KiB'], refusals: [], expect: [431] };
}

/** Every route of the route table is drawn from, and a share of unmatched and framing cases. */
export function fuzzCase(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const matched = fc.tuple(fc.constantFrom(...protectedRoutes), fc.constantFrom<'wide' | 'near'>('wide', 'near')).chain(([route, mode]) => routeCase(world, route, mode));
  return fc
    .oneof(
      { weight: 84, arbitrary: matched },
      { weight: 13, arbitrary: unmatchedCase(world) },
      { weight: 3, arbitrary: framingCase(world) },
    )
    .map((value) => (value === undefined ? undefined : judgeHeadSize(value)))
    .filter((value): value is FuzzCase => value !== undefined)
    .map((value) => Object.assign(value, { [fc.toStringMethod]: () => describeCase(value) }));
}

/** The routes the fuzzer covers: every one in the route table (the public ones by method and path). */
export const fuzzedRouteIds = routes.map((route) => route.id);

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);

/** A case as a reader (and a replay) needs it: long values clipped, bytes that are not UTF-8 shown in hex. */
export function describeCase(value: FuzzCase): string {
  const body = value.raw?.bytes ?? value.body;
  let shown = '';
  if (body !== undefined) {
    let text: string;
    try {
      text = JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch {
      text = `hex ${body.subarray(0, 200).toString('hex')}`;
    }
    shown = ` body(${body.byteLength} bytes)=${clip(text, 400)}`;
  }
  const headers = value.headers.map(([name, header]) => `${name}: ${JSON.stringify(clip(header, 120))}`).join('; ');
  return `[${value.kind} ${value.label}] ${value.method} ${clip(value.path, 300)} {${headers}}${shown} defects=${JSON.stringify(value.defects)} refusals=${JSON.stringify(value.refusals)} expect=${JSON.stringify(value.expect ?? 'any')}`;
}
