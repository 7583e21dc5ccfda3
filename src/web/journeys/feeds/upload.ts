import type { Express, NextFunction, Request, Response } from 'express';
import { multipartBoundary, MultipartError } from '../../setup/multipart.ts';

/**
 * A feed file uploaded from the web page, streamed: unlike src/web/setup/multipart.ts (which reads
 * a small form into memory), the file part here is handed on chunk by chunk as it arrives, so a
 * file of a million rows never sits in memory. The form must send `_csrf` first and the file last:
 * the small fields before the file are read here, so the ordinary CSRF check (setupCsrf) sees
 * `_csrf` before a byte of the file is imported.
 */
export interface StreamedUpload {
  filename: string;
  contentType: string;
  /** The file's bytes; reading it drains the request. */
  body: AsyncGenerator<Uint8Array>;
}

const FIELD_LIMIT = 4096;
const HEADER_LIMIT = 8192;

/** Reads a multipart body part by part from a byte stream. */
class MultipartReader {
  readonly #source: AsyncIterator<Buffer>;
  readonly #delimiter: Buffer;
  #buf: Buffer;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>, boundary: string) {
    this.#source = source[Symbol.asyncIterator]();
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    // The body starts with --boundary (no CRLF before it): pretend there was one.
    this.#buf = Buffer.from('\r\n');
  }

  async #more(): Promise<boolean> {
    if (this.#ended) return false;
    const r = await this.#source.next();
    if (r.done) {
      this.#ended = true;
      return false;
    }
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, r.value]) : r.value;
    return true;
  }

  /** Moves past the next delimiter; returns the part's headers, or null after the closing delimiter. */
  async nextPart(): Promise<Record<string, string> | null> {
    for (;;) {
      const at = this.#buf.indexOf(this.#delimiter);
      if (at >= 0 && this.#buf.length >= at + this.#delimiter.length + 2) {
        const after = this.#buf.subarray(at + this.#delimiter.length, at + this.#delimiter.length + 2).toString('latin1');
        if (after === '--') return null;
        this.#buf = this.#buf.subarray(at + this.#delimiter.length + 2);
        break;
      }
      if (at < 0 && this.#buf.length > this.#delimiter.length) this.#buf = this.#buf.subarray(this.#buf.length - this.#delimiter.length);
      if (!(await this.#more())) throw new MultipartError('The upload ended early: please try again');
    }
    for (;;) {
      const end = this.#buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const headers: Record<string, string> = {};
        for (const line of this.#buf.subarray(0, end).toString('utf8').split('\r\n')) {
          const i = line.indexOf(':');
          if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        this.#buf = this.#buf.subarray(end + 4);
        return headers;
      }
      if (this.#buf.length > HEADER_LIMIT) throw new MultipartError('The upload is not a form this page sent');
      if (!(await this.#more())) throw new MultipartError('The upload ended early: please try again');
    }
  }

  /** The current part's body, chunk by chunk, up to the next delimiter (which is left for nextPart). */
  async *body(limit = Infinity): AsyncGenerator<Uint8Array> {
    let total = 0;
    for (;;) {
      const at = this.#buf.indexOf(this.#delimiter);
      if (at >= 0) {
        if (at > 0) yield this.#buf.subarray(0, at);
        this.#buf = this.#buf.subarray(at);
        return;
      }
      // Keep enough of the end to recognise a delimiter split across chunks.
      const safe = this.#buf.length - (this.#delimiter.length - 1);
      if (safe > 0) {
        total += safe;
        if (total > limit) throw new MultipartError('A form field is too long');
        yield this.#buf.subarray(0, safe);
        this.#buf = this.#buf.subarray(safe);
      }
      if (!(await this.#more())) throw new MultipartError('The upload ended before the file did: please try again');
    }
  }

  async field(): Promise<string> {
    const parts: Uint8Array[] = [];
    for await (const c of this.body(FIELD_LIMIT)) parts.push(c);
    return Buffer.concat(parts).toString('utf8');
  }
}

function dispositionOf(headers: Record<string, string>): { name: string; filename: string | null } {
  const d = headers['content-disposition'] ?? '';
  const name = /;\s*name="([^"]*)"/i.exec(d)?.[1] ?? '';
  const filename = /;\s*filename="([^"]*)"/i.exec(d)?.[1] ?? null;
  return { name, filename };
}

/** The upload path: POST /feeds/<id>/upload. */
export const FEED_UPLOAD_PATH = /^\/feeds\/[0-9a-f-]{36}\/upload$/i;

/**
 * Before the CSRF check: for a signed-in session posting a feed file, reads the form's fields up
 * to the file (`req.body`) and leaves the file itself as `req.feedUpload`, unread.
 */
export function setupFeedUploads(app: Express): void {
  app.use(async (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !FEED_UPLOAD_PATH.test(req.path)) return next();
    const boundary = multipartBoundary(req.get('content-type'));
    if (!boundary || !req.session?.userId) return next();
    try {
      const reader = new MultipartReader(req as AsyncIterable<Buffer>, boundary);
      const fields: Record<string, string> = {};
      for (;;) {
        const headers = await reader.nextPart();
        if (!headers) break;
        const { name, filename } = dispositionOf(headers);
        if (filename === null) {
          fields[name] = await reader.field();
          continue;
        }
        req.body = fields;
        req.feedUpload = { filename, contentType: headers['content-type'] ?? 'application/octet-stream', body: reader.body() };
        return next();
      }
      req.body = fields;
      next();
    } catch (err) {
      next(err);
    }
  });
}
