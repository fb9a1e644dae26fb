/**
 * What a version of a day's return changed: its answers (the DESIGN §5 fields, flattened with dots, as the
 * bulk CSV names them) compared with the return before it. Pure, so the history route and its tests share it.
 */
import * as z from 'zod';
import { DailyReturnInput, type StoredReturn } from '#shared/model/schemas/return';
import type { ReturnChange, ReturnVersionEntry } from '#shared/model/schemas/return-versions';

type Leaf = string | number | boolean;

/** Every answer path the return's schema has, in the order of DESIGN §5 (and of the form). */
function pathsOf(schema: z.ZodType, prefix: string): string[] {
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(inner instanceof z.ZodObject)) return [prefix];
  return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, child]) => pathsOf(child, prefix ? `${prefix}.${key}` : key));
}
export const ANSWER_PATHS: readonly string[] = pathsOf(DailyReturnInput, '');
const ANSWER_FIELDS: ReadonlySet<string> = new Set(Object.keys(DailyReturnInput.shape));
const ORDER = new Map(ANSWER_PATHS.map((path, index) => [path, index]));

/** The answers of a return by flattened path; the return's metadata (version, submittedAt, ...) is not an answer. */
export function flattenAnswers(answers: Partial<DailyReturnInput> | undefined): Map<string, Leaf> {
  const flat = new Map<string, Leaf>();
  const walk = (value: unknown, path: string) => {
    if (value === undefined || value === null) return;
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
      return;
    }
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') flat.set(path, value);
  };
  for (const [field, value] of Object.entries(answers ?? {})) if (ANSWER_FIELDS.has(field)) walk(value, field);
  return flat;
}

const rank = (path: string) => ORDER.get(path) ?? Number.MAX_SAFE_INTEGER;

/**
 * Every answer that differs between two returns, in §5 order. With nothing before, every answer that
 * has a value is listed, each `from` null; an answer that is gone (notes cleared, a reason no longer
 * needed) has `to` null.
 */
export function changesBetween(before: Partial<DailyReturnInput> | undefined, after: Partial<DailyReturnInput>): ReturnChange[] {
  const from = flattenAnswers(before);
  const to = flattenAnswers(after);
  const paths = [...new Set([...from.keys(), ...to.keys()])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return paths.filter((path) => from.get(path) !== to.get(path)).map((path) => ({ path, from: from.get(path) ?? null, to: to.get(path) ?? null }));
}

/**
 * A day's versions (in any order) as the history route answers them, newest first: each compared with
 * the version before it; the first with `baseline`, the return it was made over (the latest of an
 * earlier day as it stood then), or with nothing if there was none.
 */
export function versionHistory(versions: readonly StoredReturn[], baseline: StoredReturn | undefined): ReturnVersionEntry[] {
  const oldestFirst = [...versions].sort((a, b) => a.version - b.version);
  return oldestFirst
    .map((current, index): ReturnVersionEntry => {
      const previous = index === 0 ? baseline : oldestFirst[index - 1];
      return {
        version: current.version,
        submittedAt: current.submittedAt,
        submittedBy: current.submittedBy,
        ...(current.confirmedFrom ? { confirmedFrom: current.confirmedFrom } : {}),
        comparedWith: previous ? { reportDate: previous.reportDate, version: previous.version } : null,
        changes: changesBetween(previous, current),
      };
    })
    .reverse();
}
