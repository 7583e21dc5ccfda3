import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Adapter, type AdapterPayload, type Interaction } from 'oidc-provider';

/** A person known to the test identity provider. */
export interface TestIdentity {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The provider's accounts by subject; tests may add or change them at any time. */
  accounts: Map<string, TestIdentity>;
  /**
   * Who the provider signs in when its login page is reached (there is no form: the test
   * decides), or `{ deny: true }` to answer the client with error=access_denied.
   */
  signInAs(who: string | { deny: true }): void;
  close(): Promise<void>;
}

/** A plain in-memory store for the provider's models (so the provider's own dev-only adapter, and its warning, are not used). */
type Store = Map<string, { payload: AdapterPayload; expiresAt: number }>;

class MapAdapter implements Adapter {
  readonly #model: string;
  readonly #store: Store;

  constructor(model: string, store: Store) {
    this.#model = model;
    this.#store = store;
  }

  #key(id: string): string {
    return `${this.#model}:${id}`;
  }

  #live(key: string): AdapterPayload | undefined {
    const entry = this.#store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#store.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.#store.set(this.#key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.#live(this.#key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const key of this.#store.keys()) {
      const payload = key.startsWith(`${this.#model}:`) ? this.#live(key) : undefined;
      if (payload?.uid === uid) return payload;
    }
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const key of this.#store.keys()) {
      const payload = key.startsWith(`${this.#model}:`) ? this.#live(key) : undefined;
      if (payload?.userCode === userCode) return payload;
    }
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.#live(this.#key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.#store.delete(this.#key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, entry] of this.#store) if (entry.payload.grantId === grantId) this.#store.delete(key);
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * A real OpenID Connect provider (panva's oidc-provider) on 127.0.0.1 at a random port, with one
 * confidential client registered for `redirectUri`. Its interaction step (normally a login and a
 * consent page) completes at once for the identity chosen with `signInAs`.
 */
export async function startOidcProvider(options: { redirectUri: string; clientId?: string }): Promise<TestOidcProvider> {
  const server = http.createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = options.clientId ?? 'team-around';
  const clientSecret = crypto.randomBytes(32).toString('base64url');
  const accounts = new Map<string, TestIdentity>();
  let chosen: string | { deny: true } | undefined;
  const store: Store = new Map();

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    adapter: (model: string) => new MapAdapter(model, store),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' }] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    findAccount: (_ctx, sub) => {
      const who = accounts.get(sub);
      if (!who) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          ...(who.email !== undefined ? { email: who.email } : {}),
          ...(who.email_verified !== undefined ? { email_verified: who.email_verified } : {}),
          ...(who.name !== undefined ? { name: who.name } : {}),
        }),
      };
    },
  });

  const interact = async (req: http.IncomingMessage, res: http.ServerResponse, details: Interaction) => {
    if (details.prompt.name === 'login') {
      if (chosen === undefined) throw new Error('The test did not choose who signs in at the identity provider (signInAs)');
      if (typeof chosen === 'object') {
        await provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The person cancelled signing in' },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: chosen } }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === 'consent') {
      const accountId = details.session?.accountId;
      if (!accountId) throw new Error('Consent prompt without a signed-in account');
      const grant =
        (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
        new provider.Grant({ accountId, clientId: String(details.params.client_id) });
      const missingScope = details.prompt.details.missingOIDCScope;
      if (Array.isArray(missingScope)) grant.addOIDCScope(missingScope.join(' '));
      const missingClaims = details.prompt.details.missingOIDCClaims;
      if (Array.isArray(missingClaims)) grant.addOIDCClaims(missingClaims as string[]);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    throw new Error(`Unexpected interaction prompt ${details.prompt.name}`);
  };

  const handle = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!req.url?.startsWith('/interaction/')) {
      handle(req, res);
      return;
    }
    provider
      .interactionDetails(req, res)
      .then((details) => interact(req, res, details))
      .catch((err: unknown) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(`Test identity provider interaction failed: ${err instanceof Error ? err.message : String(err)}`);
      });
  });

  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signInAs(who) {
      chosen = who;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
