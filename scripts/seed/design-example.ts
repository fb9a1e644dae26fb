import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DailyReturnInput } from '#shared/model/schemas/return';

/** The request body of DESIGN §5, verbatim: the same file the README's curl example sends. */
const text = readFileSync(fileURLToPath(new URL('../../examples/daily-return.json', import.meta.url)), 'utf8');

export function designExample(): DailyReturnInput {
  return JSON.parse(text) as DailyReturnInput;
}
