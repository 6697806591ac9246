// The API, as docs/openapi.json describes it: bearer token, the reader's language, If-Match
// with the version a screen showed, an Idempotency-Key per user action (a retry of the same
// click replays, never repeats), problem+json errors kept whole for the form to show.

import * as auth from './auth.js';
import { current } from './i18n.js';

let base = '';

export function configure(apiBase) {
  base = apiBase.replace(/\/$/, '');
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? problem?.message ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** The API's per-field errors: [{field, message}]. */
  get fields() {
    return this.problem.errors ?? [];
  }
}

/** A new key for one user action (reuse it to retry that action). */
export function actionKey() {
  return crypto.randomUUID();
}

/**
 * Calls the API. `body` is sent as JSON; `version` becomes If-Match; `key` the
 * Idempotency-Key (POST gets a fresh one when none is given). Resolves to
 * {status, body, version, headers}; rejects with ApiError.
 */
export async function call(method, path, { body, version, key, accept = 'application/json' } = {}) {
  const headers = { accept, 'accept-language': current() };
  const token = auth.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (version !== undefined) headers['if-match'] = `"${version}"`;
  if (method === 'POST') headers['idempotency-key'] = key ?? actionKey();
  const r = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status === 401) {
    auth.signOut();
    location.hash = '#/sign-in';
  }
  const type = r.headers.get('content-type') ?? '';
  const data = r.status === 204 ? null
    : type.includes('json') ? await r.json()
      : await r.text();
  if (!r.ok) throw new ApiError(r.status, typeof data === 'object' ? data : { detail: data });
  const etag = r.headers.get('etag');
  return {
    status: r.status,
    body: data,
    version: etag ? Number(etag.replace(/\D/g, '')) : undefined,
    headers: r.headers,
  };
}

/** A query string from the truthy entries of `params`. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Uploads a file through an upload view's presigned PUT, with the headers its signature binds
 * (the browser sets Content-Length itself).
 */
export async function upload(view, file) {
  const headers = {};
  for (const [k, v] of Object.entries(view.uploadHeaders ?? {})) {
    if (!['content-length', 'host'].includes(k.toLowerCase())) headers[k] = v;
  }
  const r = await fetch(view.uploadUrl, { method: view.uploadMethod ?? 'PUT', headers, body: file });
  if (!r.ok) throw new ApiError(r.status, { detail: `upload failed (${r.status})` });
}

/** A file's SHA-256 in hex, as the PoE declaration names it. */
export async function sha256Hex(file) {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
