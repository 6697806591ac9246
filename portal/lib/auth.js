// Who is signed in. Deployed, the OpenID Connect authorization code flow with PKCE (S256)
// against the configured issuer, the access token kept in this tab's sessionStorage only;
// locally, a development sign-in whose tokens the local stack's signer issues.

const KEY = 'cpor.token';

function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return b64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The token's claims (for display and for choosing screens; the API checks the token). */
export function claims(token = sessionStorage.getItem(KEY)) {
  if (!token) return null;
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const c = JSON.parse(decodeURIComponent(escape(atob(payload))));
    if (c.exp && c.exp * 1000 < Date.now()) return null;
    const roles = Array.isArray(c.roles) ? c.roles : String(c.roles ?? '').replace(/[[\]]/g, '').split(/[\s,]+/);
    return { ...c, roles: roles.filter(Boolean), reviewer: roles.includes('reviewer') };
  } catch {
    return null;
  }
}

export function token() {
  return claims() ? sessionStorage.getItem(KEY) : null;
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** Local only: a token for a role and organisation from the local signer. */
export async function devSignIn({ role, partnerId, partnerName }) {
  const r = await fetch('dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, partnerId, partnerName }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.message ?? String(r.status));
  sessionStorage.setItem(KEY, body.token);
}

async function discover(issuer) {
  const r = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!r.ok) throw new Error(`OpenID configuration: ${r.status}`);
  return r.json();
}

function redirectUri() {
  return `${location.origin}${location.pathname}`;
}

/** Deployed: sends the browser to the issuer (code flow, PKCE S256, state). */
export async function oidcSignIn(auth) {
  const meta = await discover(auth.issuer);
  const verifier = randomString();
  const state = randomString();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem('cpor.pkce', JSON.stringify({ verifier, state }));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: redirectUri(),
    scope: auth.scope ?? 'openid',
    state,
    code_challenge: b64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** Deployed: back from the issuer with `?code=&state=`, exchanges the code for the tokens. */
export async function oidcCallback(auth) {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (!code) return false;
  const saved = JSON.parse(sessionStorage.getItem('cpor.pkce') ?? '{}');
  sessionStorage.removeItem('cpor.pkce');
  history.replaceState(null, '', redirectUri() + location.hash);
  if (!saved.state || saved.state !== params.get('state')) throw new Error('state mismatch');
  const meta = await discover(auth.issuer);
  const r = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri(),
      client_id: auth.clientId,
      code_verifier: saved.verifier,
    }),
  });
  if (!r.ok) throw new Error(`token endpoint: ${r.status}`);
  const tokens = await r.json();
  sessionStorage.setItem(KEY, tokens.access_token ?? tokens.id_token);
  return true;
}
