import { jwtVerify, SignJWT } from 'jose';
import { UNSUBSCRIBE_AUDIENCE, UNSUBSCRIBE_ISSUER, UNSUBSCRIBE_LINK_DAYS } from '#shared/model/saved-searches';
import { updateLinkKey } from '#shared/runtime/update-link-key';

/**
 * The token of a saved-search email's unsubscribe link: signed with the update links' key (HS256), but
 * with its own issuer, audience and claim (`ss`, the search), so it can never pass as an update link
 * (the authorizer wants their issuer and audience and a `loc`) and an update link never passes here.
 */
export async function issueUnsubscribeToken(searchId: string, now: Date = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ ss: searchId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(UNSUBSCRIBE_ISSUER)
    .setAudience(UNSUBSCRIBE_AUDIENCE)
    .setSubject(`saved-search:${searchId}`)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + UNSUBSCRIBE_LINK_DAYS * 86_400)
    .sign(await updateLinkKey());
}

/** The search the token names, if it is genuine and unexpired at `now`; throws jose's errors otherwise. */
export async function verifyUnsubscribeToken(token: string, now: Date): Promise<string> {
  const { payload } = await jwtVerify(token, await updateLinkKey(), {
    issuer: UNSUBSCRIBE_ISSUER,
    audience: UNSUBSCRIBE_AUDIENCE,
    algorithms: ['HS256'],
    currentDate: now,
    requiredClaims: ['iat', 'exp', 'ss'],
  });
  if (typeof payload.ss !== 'string') throw new Error('unsubscribe token without a search');
  return payload.ss;
}
