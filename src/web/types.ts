import type { Principal } from '../services/principal.ts';
import type { ShareDraft } from './journeys/sharing/draft.ts';
import type { UploadedFile } from './setup/multipart.ts';
import type { StreamedUpload } from './journeys/feeds/upload.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set on every request by setupRequestContext. */
      requestId: string;
      /** The signed-in practitioner or API caller, when there is one. */
      principal?: Principal;
      /** Files of a multipart form (setupMultipartForms). */
      uploads?: UploadedFile[];
      /** A feed file being uploaded, not yet read (setupFeedUploads). */
      feedUpload?: StreamedUpload;
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
    /** "Should I share this?" answers so far, by person (src/web/journeys/sharing/draft.ts). */
    shareDrafts?: Record<string, ShareDraft>;
    /** What a decision just recorded flagged, shown once on its confirmation page. */
    shareFlags?: Record<string, string[]>;
  }
}

export {};
