// The two POSTs of a lab: a student claiming a name (POST /lab/claim, with the class token) and an
// upload of a folder of images (POST /lab/upload?name=…, with the socket's credentials). Answers
// are JSON: the outcome, or { error } with a message the page shows as it is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UPLOAD_LIMITS } from '../contract/index.js';
import type { Caller } from '../services/roles/caller.js';
import { fromHeaders, type Credentials, type ServerLab } from './lab-access.js';
import { tokenMatches } from './token.js';
import { receiveUpload, UploadError } from './upload.js';

type Lab = ServerLab & { uploadDir(caller: Caller): string };

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function smallBody(req: IncomingMessage, max: number): Promise<string | null> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > max) return null;
  }
  return text;
}

export async function answerLabPost(
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; query: URLSearchParams },
  lab: Lab,
  callerFor: (c: Credentials) => Caller | null,
  headers: Record<string, string>,
): Promise<void> {
  const creds = fromHeaders(req.headers);

  if (target.path === '/lab/claim') {
    if (!tokenMatches(lab.classToken, creds.classToken)) return json(res, 401, { error: 'This page was not opened from the class link: open the exact class link the teacher shared.' }, headers);
    const text = await smallBody(req, 4096);
    let body: { name?: unknown; secret?: unknown } = {};
    try {
      body = JSON.parse(text ?? '');
    } catch {
      return json(res, 400, { error: 'Malformed request: expected { name, secret }.' }, headers);
    }
    if (typeof body.name !== 'string' || typeof body.secret !== 'string') return json(res, 400, { error: 'Malformed request: expected { name, secret }.' }, headers);
    const outcome = lab.claim(body.name, body.secret);
    return outcome.ok ? json(res, 200, { student: outcome.student }, headers) : json(res, 409, { error: outcome.reason }, headers);
  }

  if (target.path === '/lab/upload') {
    const caller = callerFor(creds);
    if (!caller) return json(res, 401, { error: 'This upload carries no valid access: reload the page from the link you were given.' }, headers);
    const length = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > UPLOAD_LIMITS.totalBytes + UPLOAD_LIMITS.files * 1032) {
      res.setHeader('Connection', 'close');
      return json(res, 413, { error: `The upload is larger than ${UPLOAD_LIMITS.totalBytes / 1024 / 1024} MB: upload fewer or smaller images.` }, headers);
    }
    try {
      const outcome = await receiveUpload(req, lab.uploadDir(caller), target.query.get('name') ?? 'upload');
      return json(res, 200, outcome, headers);
    } catch (e) {
      if (!(e instanceof UploadError)) throw e;
      res.setHeader('Connection', 'close');
      return json(res, e.status, { error: e.message }, headers);
    }
  }

  return json(res, 404, { error: 'Not found' }, headers);
}
