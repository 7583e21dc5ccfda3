import type { Principal } from '../services/principal.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set on every request by setupRequestContext. */
      requestId: string;
      /** The signed-in practitioner or API caller, when there is one. */
      principal?: Principal;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    via?: Principal['via'];
    /** Between a correct password and a correct security code. */
    pendingUserId?: string;
    pendingSince?: number;
    enrolSecret?: string;
    csrfToken?: string;
    createdAt?: number;
    flash?: string;
    returnTo?: string;
    oidc?: { organisationId: string; state: string; nonce: string; codeVerifier: string };
  }
}

export {};
