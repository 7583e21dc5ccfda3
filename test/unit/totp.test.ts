import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base32Decode, base32Encode, hotp, otpauthUri, totpCode, verifyTotp } from '../../src/auth/totp.ts';

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 appendix B, SHA-1 seed "12345678901234567890", 8 digits truncated to our 6.
  const seed = base32Encode(Buffer.from('12345678901234567890'));
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('matches the RFC test vector at T=%i', (t, expected) => {
    expect(totpCode(seed, t * 1000)).toBe(expected);
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    const key = Buffer.from('12345678901234567890');
    expect([0, 1, 2, 9].map((c) => hotp(key, c))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('base32 round-trips any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect([...base32Decode(base32Encode(Buffer.from(bytes)))]).toEqual([...bytes]);
    }));
  });

  it('accepts the neighbouring step for clock drift, but not two steps away', () => {
    const now = 1_700_000_000_000;
    expect(verifyTotp(seed, totpCode(seed, now - 30_000), { nowMs: now })).not.toBeNull();
    expect(verifyTotp(seed, totpCode(seed, now + 30_000), { nowMs: now })).not.toBeNull();
    expect(verifyTotp(seed, totpCode(seed, now - 60_000), { nowMs: now })).toBeNull();
  });

  it('refuses a replay of a step already used', () => {
    const now = 1_700_000_000_000;
    const code = totpCode(seed, now);
    const step = verifyTotp(seed, code, { nowMs: now });
    expect(step).not.toBeNull();
    expect(verifyTotp(seed, code, { nowMs: now, lastUsedStep: step })).toBeNull();
  });

  it('refuses malformed codes', () => {
    expect(verifyTotp(seed, '12345')).toBeNull();
    expect(verifyTotp(seed, 'abcdef')).toBeNull();
  });

  it('builds an otpauth URI authenticator apps understand', () => {
    const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'a@b.example');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Team%20Around%3Aa%40b\.example\?secret=JBSWY3DPEHPK3PXP&issuer=Team\+Around/);
  });
});
