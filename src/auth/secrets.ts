import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The application secret signs session cookies and encrypts second-factor secrets and OIDC
 * client secrets at rest. Production supplies APP_SECRET; a development machine gets one
 * generated once and kept (mode 0600) beside the embedded database.
 */
export function resolveAppSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'app-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const secret = crypto.randomBytes(48).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  }
}

export class SecretBox {
  readonly #key: Buffer;
  readonly #cookieKey: string;

  constructor(appSecret: string) {
    const master = Buffer.from(appSecret, 'utf8');
    this.#key = Buffer.from(crypto.hkdfSync('sha256', master, 'teamaround', 'encryption-at-rest', 32));
    this.#cookieKey = Buffer.from(crypto.hkdfSync('sha256', master, 'teamaround', 'session-cookie', 32)).toString(
      'base64url',
    );
  }

  get cookieSecret(): string {
    return this.#cookieKey;
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(
      '.',
    );
  }

  decrypt(sealed: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== 'v1' || !iv || !body || !tag) throw new Error('Unrecognised encrypted value');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** Opaque random tokens (invitations, API tokens) are stored only as their SHA-256. */
export function newOpaqueToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
