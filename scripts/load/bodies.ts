import type { DailyReturnInput } from '#shared/model/schemas/return';
import type { Location } from '#shared/model/schemas/location';

const int = (random: () => number, min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** A valid daily return for the location, with figures that vary enough to move every aggregate. */
export function randomReturn(location: Pick<Location, 'type' | 'categories'>, random: () => number): DailyReturnInput {
  const split = () => ({ male: int(random, 0, 2), female: int(random, 0, 2), any: int(random, 0, 3) });
  const vacancies = Object.fromEntries(location.categories.map((category) => [category, split()]));
  const notAdmittable = random() < 0.2 ? int(random, 1, 2) : 0;
  const admissions = random() < 0.8 ? { status: 'open' as const } : { status: pick(random, ['restricted', 'closed'] as const), reason: pick(random, ['outbreak', 'staffing', 'infectionControl', 'other'] as const) };
  const outbreak = random() < 0.1;
  const staffEmployed = int(random, 20, 60);
  const staffAbsent = int(random, 0, 6);
  return {
    vacancies,
    beds: {
      occupied: int(random, 20, 36),
      vacantReserved: int(random, 0, 2),
      vacantNotAdmittable: notAdmittable,
      ...(notAdmittable > 0 ? { notAdmittableReason: pick(random, ['refurbishment', 'staffing', 'infectionControl', 'other'] as const) } : {}),
    },
    admissions,
    outbreak: { active: outbreak, residentsConfirmed: outbreak ? int(random, 1, 5) : 0, residentsSuspected: outbreak ? int(random, 0, 3) : 0, staffConfirmed: outbreak ? int(random, 0, 2) : 0 },
    workforce: { staffEmployed, staffAbsent, staffAbsentCovid: int(random, 0, Math.min(2, staffAbsent)), agencyStaffShifts: int(random, 0, 8) },
    ppe: {
      gloves: int(random, 3, 60),
      aprons: int(random, 5, 60),
      fluidResistantMasks: int(random, 5, 60),
      ffp3Masks: int(random, 2, 30),
      eyeProtection: int(random, 5, 60),
      handHygiene: int(random, 10, 90),
    },
    visiting: pick(random, ['open', 'open', 'restricted', 'closed'] as const),
    ...(random() < 0.3 ? { notes: `load test note ${int(random, 1, 1_000_000)}` } : {}),
  };
}
