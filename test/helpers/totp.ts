import { Secret, TOTP } from 'otpauth';

/** An authenticator app holding `secret` (base32), as Cognito sets them up: SHA-1, 6 digits, 30 s. */
export function authenticatorApp(secret: string): { code: () => string; wrongCode: () => string } {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return {
    code: () => totp.generate(),
    /** A code that matches no step a checker accepts now (one either side). */
    wrongCode: () => {
      const now = Date.now();
      const accepted = new Set([-1, 0, 1].map((step) => totp.generate({ timestamp: now + step * 30_000 })));
      return ['000000', '111111', '222222', '333333'].find((code) => !accepted.has(code))!;
    },
  };
}
