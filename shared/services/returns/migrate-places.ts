import { scanReturnsWithoutPlace, setReturnPlace } from '#shared/repositories/returns-by-day';

/** How many updates are in flight at once: enough to keep DynamoDB busy, few enough not to throttle a table. */
const IN_FLIGHT = 16;

export interface PlaceMigrationSummary {
  scanned: number;
  placed: number;
  /** Given a placeKey by a write meanwhile. */
  alreadyPlaced: number;
}

/**
 * Gives every return stored before the byDay index existed its placeKey, so exports find it. Idempotent
 * and safe beside live writes (each update is conditional on the key still being absent); the stream
 * record it causes carries the same version, which the aggregator ignores.
 */
export async function migrateReturnPlaces(onProgress: (summary: PlaceMigrationSummary) => void = () => undefined): Promise<PlaceMigrationSummary> {
  const summary: PlaceMigrationSummary = { scanned: 0, placed: 0, alreadyPlaced: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await scanReturnsWithoutPlace(startKey);
    summary.scanned += page.scanned;
    for (let i = 0; i < page.items.length; i += IN_FLIGHT) {
      const done = await Promise.all(page.items.slice(i, i + IN_FLIGHT).map(setReturnPlace));
      for (const placed of done) summary[placed ? 'placed' : 'alreadyPlaced'] += 1;
    }
    onProgress(summary);
    startKey = page.next;
  } while (startKey);
  return summary;
}
