import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { updateLinkKey } from '#shared/runtime/update-link-key';

import { UPDATE_LINK_AUDIENCE, UPDATE_LINK_HOURS, UPDATE_LINK_ISSUER } from '#shared/model/update-links';

export interface UpdateLink {
  token: string;
  tokenId: string;
  locationId: string;
  expiresAt: Date;
}

export async function issueUpdateLink(locationId: string, now: Date = new Date()): Promise<UpdateLink> {
  const tokenId = randomUUID();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + UPDATE_LINK_HOURS * 3600) * 1000);
  const token = await new SignJWT({ loc: locationId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(UPDATE_LINK_ISSUER)
    .setAudience(UPDATE_LINK_AUDIENCE)
    .setSubject(`location:${locationId}`)
    .setJti(tokenId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(await updateLinkKey());
  return { token, tokenId, locationId, expiresAt };
}

/** The link's claims if it is genuine and unexpired at `now`; throws jose's errors otherwise. */
export async function verifyUpdateLink(token: string, now: Date): Promise<{ tokenId: string; locationId: string; issuedAt: number; expiresAt: number }> {
  const { payload } = await jwtVerify(token, await updateLinkKey(), {
    issuer: UPDATE_LINK_ISSUER,
    audience: UPDATE_LINK_AUDIENCE,
    algorithms: ['HS256'],
    currentDate: now,
    requiredClaims: ['jti', 'iat', 'exp', 'loc'],
  });
  if (typeof payload.loc !== 'string' || typeof payload.jti !== 'string') throw new Error('update link without location');
  return { tokenId: payload.jti, locationId: payload.loc, issuedAt: payload.iat!, expiresAt: payload.exp! };
}
