import { keys } from '#shared/model/keys';
import type { Contact } from '#shared/repositories/reminders';
import type { Role } from '#shared/model/schemas/common';
import type { DemoLocation } from './demo-data';
import { DEMO_AREAS } from './demo-data';

export interface DemoUser {
  id: string;
  role: Role;
  locations: string[];
  areas: string[];
}

/** One demo user per role (two providers: one single-site, one multi-site), named by what they are for. */
export function demoUsers(demo: readonly DemoLocation[]): DemoUser[] {
  const byProvider = new Map<string, string[]>();
  for (const { location } of demo) byProvider.set(location.providerId, [...(byProvider.get(location.providerId) ?? []), location.locationId]);
  const providers = [...byProvider.values()];
  const multiSite = providers.find((ids) => ids.length > 1) ?? [];
  const singleSite = [demo[demo.length - 1]?.location.locationId ?? ''].filter(Boolean);
  const firstArea = DEMO_AREAS[0];
  return [
    { id: 'provider-multi-site', role: 'provider', locations: multiSite, areas: [] },
    { id: 'provider-single-site', role: 'provider', locations: singleSite, areas: [] },
    { id: 'discharge', role: 'discharge', locations: [], areas: [] },
    { id: 'commissioner-oldham', role: 'commissioner', locations: [], areas: [firstArea.localAuthority] },
    { id: 'commissioner-north-west', role: 'commissioner', locations: [], areas: [firstArea.region] },
    { id: 'national', role: 'national', locations: [], areas: [] },
    { id: 'admin', role: 'admin', locations: [], areas: [] },
  ];
}

/** Who reminders copy: each demo provider's nominated contact, and the demo commissioners' areas. */
export function demoContacts(demo: readonly DemoLocation[]): Contact[] {
  const providers = [...new Set(demo.map(({ location }) => location.providerId))];
  return [
    ...providers.map((providerId) => ({
      scope: keys.providerContacts(providerId),
      contactId: `nominated-${providerId}`,
      kind: 'provider' as const,
      email: `nominated.${providerId}@providers.example`,
    })),
    ...demoUsers(demo)
      .filter((user) => user.role === 'commissioner')
      .flatMap((user) => user.areas.map((area) => ({ scope: keys.areaContacts(area), contactId: user.id, kind: 'commissioner' as const, email: `${user.id}@commissioners.example` }))),
  ];
}
