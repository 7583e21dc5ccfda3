import type { Express } from 'express';
import session, { type SessionData } from 'express-session';
import type { SessionRepository } from '../../repositories/session-repository.ts';
import type { Services } from '../../services/index.ts';

const TOUCH_GRANULARITY_MS = 60_000;

/** express-session store over the web_session table, with idle expiry enforced by the database query. */
class DatabaseSessionStore extends session.Store {
  readonly #repo: SessionRepository;
  readonly #idleMs: number;
  /** When each session's expiry was last pushed on, so a busy session is not rewritten on every request. */
  readonly #lastTouched = new Map<string, number>();

  constructor(repo: SessionRepository, idleMs: number) {
    super();
    this.#repo = repo;
    this.#idleMs = idleMs;
  }

  override get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    this.#repo.get(sid, new Date()).then(
      (data) => cb(null, (data as unknown as SessionData | undefined) ?? null),
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, data: SessionData, cb?: (err?: unknown) => void): void {
    this.#lastTouched.set(sid, Date.now());
    this.#repo.set(sid, data as unknown as Record<string, unknown>, new Date(Date.now() + this.#idleMs)).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override touch(sid: string, _data: SessionData, cb?: (err?: unknown) => void): void {
    // Sliding expiry to the minute: skip the write if it moved on less than a minute ago.
    const now = Date.now();
    const last = this.#lastTouched.get(sid);
    if (last !== undefined && now - last < TOUCH_GRANULARITY_MS) {
      cb?.();
      return;
    }
    if (this.#lastTouched.size > 50_000) this.#lastTouched.clear();
    this.#lastTouched.set(sid, now);
    this.#repo.touch(sid, new Date(now + this.#idleMs)).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.#lastTouched.delete(sid);
    this.#repo.destroy(sid).then(
      () => cb?.(),
      (err: unknown) => cb?.(err),
    );
  }
}

/**
 * Server-side sessions: the cookie carries only a signed random id; sessions expire after the
 * configured idle time (each request slides it on) and after an absolute maximum.
 */
export function setupSessions(app: Express, services: Services): void {
  const { config } = services;
  const idleMs = config.session.idleMinutes * 60_000;
  const secure = Boolean(config.publicUrl?.startsWith('https://'));
  if (config.trustProxy) app.set('trust proxy', 1);
  app.use(
    session({
      name: secure ? '__Host-teamaround' : 'teamaround.sid',
      secret: services.secretBox.cookieSecret,
      store: new DatabaseSessionStore(services.repositories.sessions, idleMs),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: idleMs, path: '/' },
    }),
  );
  const maxMs = config.session.maxHours * 3600_000;
  app.use((req, _res, next) => {
    const s = req.session;
    if (s.createdAt && Date.now() - s.createdAt > maxMs && (s.userId || s.pendingUserId)) {
      s.destroy(() => next());
      return;
    }
    next();
  });
  // Expired rows are swept now and then; expiry itself is enforced on read.
  const sweep = setInterval(() => {
    services.repositories.sessions.purgeExpired(new Date()).catch(() => undefined);
  }, 15 * 60_000);
  sweep.unref();
}

/** Starts a fresh session id (sign-in, sign-out, privilege change) keeping nothing from the old one. */
export function regenerateSession(req: Express.Request): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err: unknown) => {
      if (err) reject(err);
      else {
        req.session.createdAt = Date.now();
        resolve();
      }
    });
  });
}

export function saveSession(req: Express.Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err: unknown) => (err ? reject(err) : resolve())));
}
