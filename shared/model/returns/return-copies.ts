import type { StoredReturn } from '#shared/model/schemas/return';

/**
 * What a location item keeps of its own returns, written by each return's own transaction: the newest
 * return in full (`latestReturn`, which the listings show) and, in brief, the one before it
 * (`priorReturn`: enough to warn about a jump in occupied beds). With them, a write of a new day, or a
 * correction of the newest one, knows the day's current version and the return before it from the
 * location alone: one read, then the transaction (issue 20). Only a correction of an older day asks the
 * returns table.
 */
/** The location item's mark that its writes keep the copies: an item without it was last written before they did. */
export const RETURN_COPIES_KEPT = 'returnCopiesKept';

export interface PriorReturn {
  reportDate: string;
  version: number;
  beds: StoredReturn['beds'];
}

export interface ReturnCopies {
  latest?: StoredReturn;
  prior?: PriorReturn;
}

/** What a write of a day needs to know: its current version, and the return before it. */
export interface DayReturns {
  current?: StoredReturn;
  /** In full, or in brief when only the brief is kept (enough for warnings, not for a confirm to repeat). */
  previous?: StoredReturn | PriorReturn;
}

export const briefOf = ({ reportDate, version, beds }: StoredReturn | PriorReturn): PriorReturn => ({ reportDate, version, beds });

export function isFullReturn(value: StoredReturn | PriorReturn): value is StoredReturn {
  return 'submittedAt' in value;
}

/**
 * What the copies say about `reportDate`, or undefined when they cannot say (a day on or before the
 * prior one: the returns table must be asked). The copies are the two newest returns, so there is none
 * after `latest`, and none between `prior` and `latest`.
 */
export function dayFromCopies(copies: ReturnCopies, reportDate: string): DayReturns | undefined {
  const { latest, prior } = copies;
  if (!latest) return {};
  if (reportDate > latest.reportDate) return { previous: latest };
  if (reportDate === latest.reportDate) return { current: latest, ...(prior ? { previous: prior } : {}) };
  if (!prior) return {};
  if (reportDate > prior.reportDate) return { previous: prior };
  return undefined;
}

/**
 * The copies once `written` (new versions of any days) are stored over returns whose two newest were
 * `known`: the two newest days of both, a written version replacing the known one of its day. The newest
 * is always kept in full: it is either the known latest or one just written.
 */
export function copiesAfter(known: ReturnCopies, written: readonly StoredReturn[]): ReturnCopies {
  const byDay = new Map<string, StoredReturn | PriorReturn>();
  if (known.prior) byDay.set(known.prior.reportDate, known.prior);
  if (known.latest) byDay.set(known.latest.reportDate, known.latest);
  for (const stored of written) byDay.set(stored.reportDate, stored);
  const [newest, next] = [...byDay.values()].sort((a, b) => (a.reportDate < b.reportDate ? 1 : -1));
  if (newest && !isFullReturn(newest)) throw new Error('the newest return is kept in full');
  return { ...(newest ? { latest: newest as StoredReturn } : {}), ...(next ? { prior: briefOf(next) } : {}) };
}
