import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NuboError } from '@nubo/shared';

export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
export const TOKEN_TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
export const MAX_TOKEN_TTL_SECONDS = 21_600;

/**
 * EC2 IMDSv2 session tokens, stateless: `v1.<expiry ms>.<HMAC(mac|expiry)>`.
 * A token is bound to the MAC it was issued to, so one VM's token is worthless
 * to another; replicas that share the secret accept each other's tokens.
 */
export class Ec2Tokens {
  private readonly secret: Buffer;

  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret === '' ? randomBytes(32) : Buffer.from(secret);
  }

  issue(mac: string, ttlHeader: string | string[] | undefined): { token: string; ttl: number } {
    const ttl = parseTtl(ttlHeader);
    const expiry = this.now() + ttl * 1000;
    return { token: `v1.${expiry}.${this.sign(mac, expiry)}`, ttl };
  }

  /** Throws NUBO_UNAUTHENTICATED unless the token was issued to this MAC and has not expired. */
  verify(mac: string, token: string): void {
    const [version, expiryText = '', signature = ''] = token.split('.');
    const expiry = Number(expiryText);
    const expected = Buffer.from(this.sign(mac, expiry));
    const given = Buffer.from(signature);
    const valid =
      version === 'v1' &&
      Number.isSafeInteger(expiry) &&
      expiry > this.now() &&
      given.length === expected.length &&
      timingSafeEqual(given, expected);
    if (!valid) {
      throw new NuboError('NUBO_UNAUTHENTICATED', 'the EC2 metadata token is not valid or has expired', {
        details: [{ field: TOKEN_HEADER, message: 'ask PUT /latest/api/token for a new one' }],
      });
    }
  }

  private sign(mac: string, expiry: number): string {
    return createHmac('sha256', this.secret).update(`${mac}|${expiry}`).digest('base64url');
  }
}

function parseTtl(header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header[0] : header;
  const ttl = Number(text);
  if (text === undefined || !/^\d+$/.test(text.trim()) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new NuboError(
      'NUBO_VALIDATION',
      `${TOKEN_TTL_HEADER} must be a whole number of seconds, 1 to 21600`,
      {
        details: [
          { field: TOKEN_TTL_HEADER, message: 'a whole number of seconds from 1 to 21600 is required' },
        ],
      },
    );
  }
  return ttl;
}
