import { describe, expect, test } from 'vitest';
import { areaLevelOf, CalendarDate, LocationId, SafeText, unsafeTextProblem } from '#shared/model/schemas/common';
import { RegistrationDecision } from '#shared/model/schemas/registrations';
import { DailyReturnInput } from '#shared/model/schemas/return';
import { EmailAddress, AuditQuery, LocationContact, PauseRequest, ProviderContact, UserInvite } from '#shared/model/schemas/people';
import { SavedSearchRequest } from '#shared/model/schemas/saved-searches';
import { PlaceQuery } from '#shared/model/schemas/places';
import { VacancySearchQuery } from '#shared/model/schemas/vacancies';
import { toCsv } from '#shared/http/csv';
import { BULK_COLUMNS, checkBulkRows, flattenReturn, parseBulkCsv } from '#shared/model/returns/bulk';
import { londonDay } from '#shared/model/returns/report-date';
import { designExample } from './fixtures';

describe('CalendarDate', () => {
  test.each(['2026-11-22', '2024-02-29', '2026-12-31', '2026-01-01'])('accepts the real day %s', (day) => {
    expect(CalendarDate.safeParse(day).success).toBe(true);
  });

  test.each([
    ['a day February never has', '2026-02-30'],
    ['29 February outside a leap year', '2025-02-29'],
    ['month 13', '2026-13-01'],
    ['day 00', '2026-01-00'],
    ['an unpadded month', '2026-1-01'],
    ['a date with a time', '2026-01-01T00:00:00Z'],
    ['a UK-style date', '01/01/2026'],
  ])('rejects %s (%s)', (_label, day) => {
    expect(CalendarDate.safeParse(day).success).toBe(false);
  });
});

describe('areaLevelOf', () => {
  test.each([
    ['E08000004', 'localAuthority'],
    ['E06000027', 'localAuthority'],
    ['E10000008', 'localAuthority'],
    ['E09000033', 'localAuthority'],
    ['E12000002', 'region'],
    ['E12000009', 'region'],
    ['E92000001', 'england'],
  ])('%s is a %s code', (code, level) => {
    expect(areaLevelOf(code)).toBe(level);
  });

  test.each(['E07000041', 'E11000001', 'E13000001', 'E12000010', 'E12000000', 'E0800000', 'e08000004', 'garbage', ''])('%s is not an area code (a two-tier district, a metropolitan county or London half, or no code at all)', (code) => {
    expect(areaLevelOf(code)).toBeUndefined();
  });
});

describe('LocationId', () => {
  test.each(['1-109570155', '1-123456', '1-12345678901'])('accepts %s', (id) => {
    expect(LocationId.safeParse(id).success).toBe(true);
  });

  test.each([
    ['too few digits', '1-12345'],
    ['too many digits', '1-123456789012'],
    ['the wrong prefix', '2-123456789'],
    ['a path traversal', '1-109570155/../x'],
    ['trailing text', '1-109570155 '],
  ])('rejects %s (%s)', (_label, id) => {
    expect(LocationId.safeParse(id).success).toBe(false);
  });
});

describe('SafeText', () => {
  test.each([
    ['plain English', 'Closed to admissions until the lift is repaired.'],
    ['Welsh, with its circumflexes', 'Cartref gofal ym Mhen-y-bont ar Ogwr: ŵyr, ŷd, â, ê, î, ô, û'],
    ['accents, a ligature and a currency sign', 'Café Noël, Œuvre, façade, naïve; £12.50 – “quoted” ‘text’'],
    ['other scripts (Arabic and Hebrew need no control characters to show right to left)', 'مرحبا שלום Здравствуйте 你好 नमस्ते'],
    ['emoji, paired surrogates and zero-width joiners included', 'Thanks 👍🏽 👩‍⚕️ 🇬🇧 🏴󠁧󠁢󠁷󠁬󠁳󠁿'],
    ['tabs and newlines', 'line one\n\tline two\nline three'],
    ['CRLF line ends, as a spreadsheet writes them in a cell', 'line one\r\nline two'],
    ['the empty string', ''],
  ])('accepts %s', (_label, text) => {
    expect(SafeText.safeParse(text).success).toBe(true);
    expect(unsafeTextProblem(text)).toBeUndefined();
  });

  test.each([
    ['NUL', 'before\u0000after', 'U+0000', 'a control character'],
    ['a bell', 'ding\u0007', 'U+0007', 'a control character'],
    ['a lone carriage return (not part of CRLF)', 'over\rwritten', 'U+000D', 'a control character'],
    ['a vertical tab', 'a\u000Bb', 'U+000B', 'a control character'],
    ['escape (terminal sequences)', '\u001B[31mred', 'U+001B', 'a control character'],
    ['DEL', 'a\u007F', 'U+007F', 'a control character'],
    ['a C1 control', 'a\u0085b', 'U+0085', 'a control character'],
    ['a right-to-left override', 'invoice\u202Efdp.exe', 'U+202E', 'a bidirectional control character'],
    ['a left-to-right embedding', '\u202Aabc', 'U+202A', 'a bidirectional control character'],
    ['a pop directional formatting', 'abc\u202C', 'U+202C', 'a bidirectional control character'],
    ['a right-to-left isolate', '\u2067abc\u2069', 'U+2067', 'a bidirectional control character'],
    ['a first strong isolate', '\u2068abc', 'U+2068', 'a bidirectional control character'],
    ['a right-to-left mark', 'abc\u200F', 'U+200F', 'a bidirectional control character'],
    ['an Arabic letter mark', '\u061Cabc', 'U+061C', 'a bidirectional control character'],
    ['a lone high surrogate', 'abc\uD83D', 'U+D83D', 'an unpaired surrogate'],
    ['a lone low surrogate', '\uDC4Dabc', 'U+DC4D', 'an unpaired surrogate'],
    ['surrogates in the wrong order', 'a\uDC4D\uD83Db', 'U+DC4D', 'an unpaired surrogate'],
  ])('refuses %s, naming it', (_label, text, codePoint, what) => {
    const result = SafeText.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(codePoint);
    expect(result.error?.issues[0]?.message).toContain(what);
  });

  test('says where the character is, counting characters as a reader does (an emoji is one)', () => {
    expect(unsafeTextProblem('👍🏽 ok\u202E')).toBe('must not contain a bidirectional control character: U+202E at character 6');
  });

  test('keeps the string checks that follow it (trim, min, max)', () => {
    const reason = SafeText.trim().min(3).max(5);
    expect(reason.safeParse('  abc  ').data).toBe('abc');
    expect(reason.safeParse('abcdef').success).toBe(false);
    expect(reason.safeParse('ab\u202E').success).toBe(false);
  });

  const RLO = '\u202E';
  /** Every free-text field the API takes, each refusing the override at its own path. */
  test.each([
    ['return notes', DailyReturnInput, { ...designExample(), notes: `see ${RLO}txt.exe` }, ['notes']],
    ['a pause reason', PauseRequest, { reason: `closed ${RLO}for works` }, ['reason']],
    ["a registration decision's note", RegistrationDecision, { note: `ok${RLO}` }, ['note']],
    ['an invited email address', UserInvite, { email: `a${RLO}@home.example`, role: 'admin' }, ['email']],
    ['a reminder address', LocationContact, { reminderEmails: ['ok@home.example', `b\u0000@home.example`] }, ['reminderEmails', 1]],
    ["a provider's contact", ProviderContact, { email: `c\uD800@home.example` }, ['email']],
    ["a saved search's place", SavedSearchRequest, { query: { near: `OL8${RLO}` }, email: 'ward@hospital.example' }, ['query', 'near']],
    ["a saved search's address", SavedSearchRequest, { query: { near: 'OL8' }, email: `ward${RLO}@hospital.example` }, ['email']],
    ['a place searched for', PlaceQuery, { name: `Exeter${RLO}` }, ['name']],
    ['a vacancy search near a place', VacancySearchQuery, { near: `OL8\u0007` }, ['near']],
    ['an audit filter', AuditQuery, { actor: `admin${RLO}` }, ['actor']],
  ])('%s', (_label, schema, body, path) => {
    const result = (schema as unknown as typeof SafeText).safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toEqual([path]);
  });

  test('EmailAddress still lower-cases and trims an ordinary address', () => {
    expect(EmailAddress.parse('  Manager@Home.Example ')).toBe('manager@home.example');
  });

  test("a bulk CSV's text cell (notes) is checked too, and refused at its row", () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const day = londonDay(now);
    const rows = [
      flattenReturn({ locationId: '1-109570155', reportDate: day }, { ...designExample(), notes: 'fine\r\nsecond line' }),
      flattenReturn({ locationId: '1-101712519', reportDate: day }, { ...designExample(), notes: `see ${RLO}txt.exe` }),
    ];
    const { errors } = checkBulkRows(parseBulkCsv(toCsv(BULK_COLUMNS, rows)), now);
    expect(errors).toEqual([{ path: 'rows[1].notes', message: 'must not contain a bidirectional control character: U+202E at character 5' }]);
  });
});
