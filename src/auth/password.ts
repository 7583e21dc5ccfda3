import argon2 from 'argon2';

/** OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane. */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/** Verifies a password; with no hash (unknown user) it still spends the same time, so timing reveals nothing. */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('not-a-real-password-for-timing-only');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export const PASSWORD_RULES = 'at least 12 characters, and not a commonly used password';

const COMMON = new Set([
  'password1234', 'password12345', 'passwordpassword', '123456789012', 'qwertyuiop12', 'letmein12345',
  'welcome12345', 'iloveyou1234', 'administrator', 'changeme1234', 'teamaround123', 'qwertyqwerty',
]);

export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'Password must be at least 12 characters';
  if (password.length > 256) return 'Password must be 256 characters or fewer';
  if (COMMON.has(password.toLowerCase()) || /^(.)\1+$/.test(password)) return 'Password is too easy to guess: choose a longer, less common one';
  return null;
}
