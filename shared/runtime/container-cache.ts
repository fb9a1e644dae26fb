/**
 * Reference data that changes hardly ever (council names, postcode districts, an area's extent), read once
 * per Lambda container and key and kept for `ttlMs`. A failed read is forgotten, so the next call tries again.
 */
export function containerCache<K, V>(ttlMs: number, load: (key: K) => Promise<V>): (key: K, now: number) => Promise<V> {
  const held = new Map<K, { at: number; value: Promise<V> }>();
  return (key, now) => {
    const entry = held.get(key);
    if (entry && now - entry.at < ttlMs) return entry.value;
    const value = load(key).catch((error: unknown) => {
      held.delete(key);
      throw error;
    });
    held.set(key, { at: now, value });
    return value;
  };
}
