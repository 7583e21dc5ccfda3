import type { Express, NextFunction, Request, Response } from 'express';

/**
 * multipart/form-data for the few forms that upload a file (the evidence of consent), without a
 * dependency: the body is read into memory up to a limit, then split on its boundary.
 *
 * It runs before the CSRF check, so that check sees the form's `_csrf` field like any other
 * form's, and only for the paths given and for a session that is signed in: any other multipart
 * post reaches the CSRF check without a body and is refused.
 *
 * A file larger than the limit is not refused outright: the form's fields come before the file
 * (forms put the file input last), so what was read is parsed, the file is marked `truncated`
 * and the rest of the body is read and dropped. The form can then say "smaller than 5 MB" next
 * to the file input instead of failing the whole request.
 */

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
  /** The body was longer than the limit, so this file is incomplete. */
  truncated: boolean;
}

export interface MultipartBody {
  fields: Record<string, string | string[]>;
  files: UploadedFile[];
}

export class MultipartError extends Error {
  readonly status: number;
  constructor(message: string, status = 400) {
    super(message);
    this.name = 'MultipartError';
    this.status = status;
  }
}

/** The boundary of a multipart/form-data content type, or undefined when it is not one. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** A header's parameters: `form-data; name="a"; filename="b.pdf"` → { name: 'a', filename: 'b.pdf' }. */
function headerParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  // Browsers percent-encode a quote inside a quoted value (and send backslashes as they are), so a value ends at the next quote.
  const re = /;\s*([\w*-]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1]!.toLowerCase();
    const raw = m[2] ?? m[3]!.trim();
    out[key] = raw;
  }
  return out;
}

/** Browsers percent-encode a double quote and line breaks in names and file names (the HTML standard). */
function decodeFormName(s: string): string {
  return s.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * Parses a multipart/form-data body. `complete` false means the body was cut short at the limit:
 * a last part without its closing boundary is kept (a file marked truncated; a field dropped).
 */
export function parseMultipart(body: Buffer, boundary: string, options: { complete?: boolean; maxParts?: number; maxFieldBytes?: number } = {}): MultipartBody {
  const complete = options.complete ?? true;
  const maxParts = options.maxParts ?? 200;
  const maxFieldBytes = options.maxFieldBytes ?? 100_000;
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string | string[]> = {};
  const files: UploadedFile[] = [];

  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('The form was not sent as expected: no parts found');
  let parts = 0;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString('latin1') === '--') break;
    if (!complete && pos + 2 > body.length) break;
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw new MultipartError('The form was not sent as expected: a part is malformed');
    pos += 2;
    if (++parts > maxParts) throw new MultipartError('The form has too many fields');
    const headerEnd = body.indexOf(HEADER_END, pos);
    if (headerEnd < 0) {
      if (!complete) break;
      throw new MultipartError('The form was not sent as expected: a part has no end to its headers');
    }
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const start = headerEnd + HEADER_END.length;
    const end = body.indexOf(next, start);
    const truncated = end < 0;
    if (truncated && complete) throw new MultipartError('The form was not sent as expected: it ends too early');
    const content = body.subarray(start, truncated ? body.length : end);
    const disposition = headers['content-disposition'] ?? '';
    if (!/^form-data\b/i.test(disposition)) throw new MultipartError('The form was not sent as expected: a part is not form data');
    const params = headerParams(disposition);
    const name = decodeFormName(params.name ?? '');
    if (name) {
      if (params.filename !== undefined) {
        const filename = decodeFormName(params.filename).split(/[\\/]/).pop() ?? '';
        // A file input left empty is sent as a part with no file name and no content.
        if (filename || content.length) {
          files.push({ field: name, filename, contentType: (headers['content-type'] ?? 'application/octet-stream').split(';')[0]!.trim().toLowerCase(), data: Buffer.from(content), truncated });
        }
      } else if (!truncated) {
        if (content.length > maxFieldBytes) throw new MultipartError(`The field ${name} is too long`, 413);
        const value = content.toString('utf8');
        const existing = fields[name];
        fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
    }
    if (truncated) break;
    pos = end + 2;
  }
  return { fields, files };
}

/**
 * Reads multipart forms posted to `paths` by a signed-in session: fields into req.body (strings,
 * or arrays of strings for repeated names, as express.urlencoded gives them), files into
 * req.uploads. `maxBytes` bounds what is kept in memory; `maxDrainBytes` what is read at all.
 */
export function setupMultipartForms(app: Express, options: { paths: RegExp[]; maxBytes: number; maxDrainBytes?: number }): void {
  const maxDrain = options.maxDrainBytes ?? 100 * 1024 * 1024;
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const boundary = multipartBoundary(req.get('content-type'));
    if (req.method !== 'POST' || !boundary || !options.paths.some((p) => p.test(req.path)) || !req.session?.userId) return next();
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > maxDrain) return next(new MultipartError('The file is far too large to upload: choose a file smaller than 5 MB', 413));
    const chunks: Buffer[] = [];
    let kept = 0;
    let seen = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      if (err) return next(err);
      try {
        const parsed = parseMultipart(Buffer.concat(chunks), boundary, { complete: seen <= options.maxBytes });
        req.body = parsed.fields;
        req.uploads = parsed.files;
        next();
      } catch (e) {
        next(e);
      }
    };
    req.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxDrain) {
        req.destroy();
        finish(new MultipartError('The file is far too large to upload: choose a file smaller than 5 MB', 413));
        return;
      }
      if (kept < options.maxBytes) {
        const take = chunk.subarray(0, options.maxBytes - kept);
        chunks.push(take);
        kept += take.length;
      }
    });
    req.on('end', () => finish());
    req.on('error', (e) => finish(e));
    // The browser went away before the end of the body: nothing to answer, but let the request finish.
    req.on('close', () => {
      if (!req.complete) finish(new MultipartError('The upload was interrupted: try again'));
    });
  });
}
