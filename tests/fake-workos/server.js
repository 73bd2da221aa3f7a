#!/usr/bin/env node
// Fake WorkOS AuthKit / User Management server for tests.
//
// Speaks the real API shapes (see docs/workos-api.md) on plain
// HTTP, plus a control API under /_fake/ for tests. Node.js 18+ built-ins only.
//
//   node tests/fake-workos/server.js --port 0 [--host 127.0.0.1] [--pidfile F] [--state-file F]
//                                    [--client-id client_test] [--api-key sk_test_fake] [--quiet]
//
// Once listening it prints exactly one line to stdout: "listening on http://HOST:PORT".
// See README.md next to this file for the control API.
'use strict';

const http = require('http');
const crypto = require('crypto');
const fs = require('fs');
const { URL, URLSearchParams } = require('url');

// ------------------------------------------------------------------------------------------------
// Options

function usage(code) {
  const text =
    'usage: node server.js --port N [--host 127.0.0.1] [--pidfile F] [--state-file F]\n' +
    '                      [--client-id client_test] [--api-key sk_test_fake]\n' +
    '                      [--issuer https://auth.example.com] [--quiet]\n' +
    '                      [--webhook-url URL --webhook-secret S]\n' +
    'environment fallbacks: FAKE_WORKOS_PORT, FAKE_WORKOS_HOST, FAKE_WORKOS_PIDFILE,\n' +
    '  FAKE_WORKOS_STATE_FILE, FAKE_WORKOS_CLIENT_ID, FAKE_WORKOS_API_KEY, FAKE_WORKOS_ISSUER,\n' +
    '  FAKE_WORKOS_WEBHOOK_URL, FAKE_WORKOS_WEBHOOK_SECRET\n';
  (code ? process.stderr : process.stdout).write(text);
  process.exit(code);
}

function parseArgs(argv) {
  const env = process.env;
  const opt = {
    port: env.FAKE_WORKOS_PORT !== undefined ? env.FAKE_WORKOS_PORT : '0',
    host: env.FAKE_WORKOS_HOST || '127.0.0.1',
    pidfile: env.FAKE_WORKOS_PIDFILE || null,
    stateFile: env.FAKE_WORKOS_STATE_FILE || null,
    clientId: env.FAKE_WORKOS_CLIENT_ID || 'client_test',
    apiKey: env.FAKE_WORKOS_API_KEY || 'sk_test_fake',
    webhookUrl: env.FAKE_WORKOS_WEBHOOK_URL || null,
    webhookSecret: env.FAKE_WORKOS_WEBHOOK_SECRET || null,
    issuer: env.FAKE_WORKOS_ISSUER || null,
    quiet: false,
  };
  const names = {
    '--port': 'port', '--host': 'host', '--pidfile': 'pidfile', '--state-file': 'stateFile',
    '--client-id': 'clientId', '--api-key': 'apiKey', '--issuer': 'issuer',
    '--webhook-url': 'webhookUrl', '--webhook-secret': 'webhookSecret',
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let val;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) { val = a.slice(eq + 1); a = a.slice(0, eq); }
    if (a === '-h' || a === '--help') usage(0);
    if (a === '--quiet') { opt.quiet = true; continue; }
    const key = names[a];
    if (!key) { process.stderr.write(`fake-workos: unknown argument ${a}\n`); usage(2); }
    if (val === undefined) {
      if (i + 1 >= argv.length) { process.stderr.write(`fake-workos: ${a} needs a value\n`); usage(2); }
      val = argv[++i];
    }
    opt[key] = val;
  }
  const p = Number(opt.port);
  if (!Number.isInteger(p) || p < 0 || p > 65535) {
    process.stderr.write(`fake-workos: bad port ${opt.port}\n`);
    usage(2);
  }
  opt.port = p;
  return opt;
}

const OPT = parseArgs(process.argv.slice(2));
const CLIENT_ID = OPT.clientId;
const API_KEY = OPT.apiKey;
let ISSUER = ''; // set once listening: http://HOST:PORT

const MAX_BODY = 1024 * 1024;
const DEFAULT_CONFIG = Object.freeze({ code_ttl: 600, access_token_ttl: 300, redirect_uris: null, issuer: null });

const PROVIDERS = new Set([
  'authkit', 'AppleOAuth', 'BitbucketOAuth', 'GitHubOAuth', 'GitLabOAuth', 'GoogleOAuth',
  'IntuitOAuth', 'LinkedInOAuth', 'MicrosoftOAuth', 'SalesforceOAuth', 'SlackOAuth',
  'VercelMarketplaceOAuth', 'VercelOAuth', 'XeroOAuth',
]);
const FORGE_KINDS = new Set(['wrong_key', 'alg_none', 'expired', 'unknown_kid', 'hs256', 'wrong_iss', 'tampered']);
const FAULT_ENDPOINTS = new Set(['authenticate', 'jwks', 'authorize', 'events', 'memberships']);
const EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000; // the Events API keeps 30 days
const WEBHOOK_FAULT_KINDS = new Set(['duplicate', 'out_of_order', 'bad_signature', 'stale_signature', 'delay', 'drop']);

// ------------------------------------------------------------------------------------------------
// Small helpers

const B32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32

function ulid() {
  let t = Date.now();
  let s = '';
  for (let i = 0; i < 10; i++) { s = B32[t % 32] + s; t = Math.floor(t / 32); }
  const r = crypto.randomBytes(16);
  for (let i = 0; i < 16; i++) s += B32[r[i] & 31];
  return s;
}
const newId = (prefix) => `${prefix}_${ulid()}`;
const nowIso = () => new Date().toISOString();
// A new updated_at for an object: now, and always later than its previous
// one, so every change of an object has its own version.
function stamp(prev) {
  const p = prev ? Date.parse(prev) : 0;
  return new Date(Math.max(Date.now(), (Number.isFinite(p) ? p : 0) + 1)).toISOString();
}
const b64url = (buf) => Buffer.from(buf).toString('base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

function randomAlnum(n) {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(n * 2);
  let s = '';
  for (let i = 0; i < bytes.length && s.length < n; i++) {
    if (bytes[i] < 248) s += chars[bytes[i] % 62]; // 248 = 4*62, no modulo bias
  }
  while (s.length < n) s += chars[crypto.randomInt(62)];
  return s;
}

function escapeHtml(v) {
  return String(v == null ? '' : v)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v) => (typeof v === 'string' ? v : undefined);
const has = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

function log(line) {
  if (!OPT.quiet) process.stderr.write(`[fake-workos] ${line}\n`);
}

// ------------------------------------------------------------------------------------------------
// Signing keys

function makeKey(kid, pem) {
  const privateKey = pem
    ? crypto.createPrivateKey(pem)
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicKey = crypto.createPublicKey(privateKey);
  const j = publicKey.export({ format: 'jwk' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const id = kid || newId('key');
  return {
    kid: id,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
    jwk: {
      alg: 'RS256', kty: 'RSA', use: 'sig', kid: id, n: j.n, e: j.e,
      x5c: [], 'x5t#S256': b64url(sha256(spki)),
    },
  };
}

const KEYS = { current: null, retained: [] };
// A second RSA key used only by forged tokens (wrong_key, unknown_kid). Warmed up in the
// background after startup so the first forge does not stall.
let spareKey = null;
let spareKeyPromise = null;
function warmSpareKey() {
  if (spareKey || spareKeyPromise) return;
  spareKeyPromise = new Promise((resolve) => {
    crypto.generateKeyPair('rsa', { modulusLength: 2048 }, (err, _pub, priv) => {
      if (!err && !spareKey) spareKey = priv;
      resolve();
    });
  });
}
function getSpareKey() {
  if (!spareKey) spareKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return spareKey;
}

// ------------------------------------------------------------------------------------------------
// State

function freshState() {
  return {
    users: new Map(), // id -> user record
    orgs: new Map(), // id -> org record
    memberships: new Map(), // id -> membership record
    codes: new Map(), // code -> {user_id, org_id, code_challenge, expires_at}
    sessions: new Map(), // sid -> {id, user_id, org_id, status, auth_method}
    refreshTokens: new Map(), // token -> sid
    pending: new Map(), // pending_authentication_token -> {user_id, code}
    faults: { authenticate: [], jwks: [], authorize: [], events: [], memberships: [] },
    stats: { authenticate: 0, jwks: 0, authorize: 0, events: 0, memberships: 0, webhooks: 0, revoke: 0 },
    config: { ...DEFAULT_CONFIG },
    seq: 0,
    directoryUsers: new Map(), // id -> directory user record
    events: [], // the Events API's store, oldest first
    webhook: { url: OPT.webhookUrl, secret: OPT.webhookSecret },
    webhookFaults: [], // FIFO: one taken per event sent
    deliveries: [], // what each webhook delivery got
  };
}
let S = freshState();
let faultSeq = 0;

function saveState() {
  if (!OPT.stateFile) return;
  const data = {
    version: 1,
    key: { kid: KEYS.current.kid, pem: KEYS.current.privateKey.export({ type: 'pkcs8', format: 'pem' }) },
    users: [...S.users.values()],
    organizations: [...S.orgs.values()],
    memberships: [...S.memberships.values()],
    directory_users: [...S.directoryUsers.values()],
    events: S.events,
    seq: S.seq,
  };
  try {
    const tmp = `${OPT.stateFile}.tmp${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(data, null, 1), { mode: 0o600 });
    fs.renameSync(tmp, OPT.stateFile);
  } catch (e) {
    log(`cannot write state file: ${e.message}`);
  }
}

function loadState() {
  if (!OPT.stateFile || !fs.existsSync(OPT.stateFile)) return;
  try {
    const data = JSON.parse(fs.readFileSync(OPT.stateFile, 'utf8'));
    if (data.key && data.key.pem) KEYS.current = makeKey(data.key.kid, data.key.pem);
    for (const u of data.users || []) S.users.set(u.id, u);
    for (const o of data.organizations || []) S.orgs.set(o.id, o);
    for (const m of data.memberships || []) S.memberships.set(m.id, m);
    for (const d of data.directory_users || []) S.directoryUsers.set(d.id, d);
    if (Array.isArray(data.events)) S.events = data.events;
    S.seq = Number(data.seq) || 0;
  } catch (e) {
    log(`ignoring unreadable state file: ${e.message}`);
  }
}

// ---- users

function toUser(u) {
  const name = [u.first_name, u.last_name].filter((x) => x).join(' ') || null;
  return {
    object: 'user',
    id: u.id,
    email: u.email,
    email_verified: u.email_verified,
    first_name: u.first_name,
    last_name: u.last_name,
    name,
    profile_picture_url: u.profile_picture_url,
    last_sign_in_at: u.last_sign_in_at,
    locale: u.locale,
    external_id: u.external_id,
    metadata: u.metadata,
    created_at: u.created_at,
    updated_at: u.updated_at,
  };
}

function findUserByEmail(email) {
  if (typeof email !== 'string') return null;
  const e = email.toLowerCase();
  for (const u of S.users.values()) if (u.email.toLowerCase() === e) return u;
  return null;
}
function findUser(ident) {
  return S.users.get(ident) || findUserByEmail(ident);
}

function createUser(fields) {
  const ts = nowIso();
  const u = {
    id: fields.id || newId('user'),
    email: fields.email,
    email_verified: fields.email_verified === undefined ? true : fields.email_verified,
    first_name: fields.first_name || null,
    last_name: fields.last_name || null,
    profile_picture_url: null,
    last_sign_in_at: null,
    locale: null,
    external_id: null,
    metadata: {},
    created_at: ts,
    updated_at: ts,
    seq: ++S.seq,
    fake: { default_org: null, step_up: null, authorize_error: null, authentication_method: 'Password' },
  };
  S.users.set(u.id, u);
  return u;
}

const looksLikeEmail = (s) => typeof s === 'string' && /^[^\s@]+@[^\s@]+$/.test(s);

// ---- organizations

function toOrg(o) {
  return {
    object: 'organization',
    id: o.id,
    name: o.name,
    allow_profiles_outside_organization: false,
    domains: o.domains.map((d) => ({
      object: 'organization_domain', id: d.id, organization_id: o.id, domain: d.domain,
      state: 'verified', verification_strategy: 'manual', created_at: o.created_at, updated_at: o.created_at,
    })),
    metadata: o.metadata,
    external_id: o.external_id,
    created_at: o.created_at,
    updated_at: o.updated_at,
  };
}

// ---- memberships

function toMembership(m, withUser) {
  const org = S.orgs.get(m.organization_id);
  const out = {
    object: 'organization_membership',
    id: m.id,
    user_id: m.user_id,
    organization_id: m.organization_id,
    organization_name: org ? org.name : null,
    status: m.status,
    role: { slug: m.roles[0] },
    roles: m.roles.map((slug) => ({ slug })),
    directory_managed: m.directory_managed,
    custom_attributes: m.custom_attributes,
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
  if (withUser) {
    const u = S.users.get(m.user_id);
    if (u) out.user = toUser(u);
  }
  return out;
}

function findMembership(userId, orgId) {
  for (const m of S.memberships.values()) {
    if (m.user_id === userId && m.organization_id === orgId) return m;
  }
  return null;
}
function activeMembership(userId, orgId) {
  const m = findMembership(userId, orgId);
  return m && m.status === 'active' ? m : null;
}

// ---- codes, sessions

function issueCode(userId, orgId, challenge) {
  const code = ulid();
  S.codes.set(code, {
    user_id: userId,
    org_id: orgId || null,
    code_challenge: challenge || null,
    expires_at: Date.now() + Number(S.config.code_ttl) * 1000,
  });
  return code;
}

// ------------------------------------------------------------------------------------------------
// Access tokens

function makeAccessToken(user, session, orgId, forge) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { iss: currentIssuer(), sub: user.id, sid: session.id, jti: ulid() };
  let perms = [];
  if (orgId) {
    payload.org_id = orgId;
    const m = findMembership(user.id, orgId);
    if (m) {
      payload.role = m.roles[0];
      payload.roles = m.roles.slice();
      perms = m.permissions.slice();
    }
  }
  payload.permissions = perms;
  if (forge === 'expired') {
    payload.iat = now - 3600;
    payload.exp = payload.iat + 300;
  } else {
    payload.iat = now;
    payload.exp = now + Number(S.config.access_token_ttl);
  }
  if (forge === 'wrong_iss') payload.iss = 'https://evil.example.com';

  const key = KEYS.current;
  let header = { alg: 'RS256', kid: key.kid, typ: 'JWT' };
  let signer = key.privateKey;
  if (forge === 'alg_none') header = { alg: 'none', kid: key.kid, typ: 'JWT' };
  if (forge === 'hs256') header = { alg: 'HS256', kid: key.kid, typ: 'JWT' };
  if (forge === 'wrong_key') signer = getSpareKey();
  if (forge === 'unknown_kid') { signer = getSpareKey(); header.kid = newId('key'); }

  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(payload));
  const input = `${h}.${p}`;
  if (forge === 'alg_none') return `${input}.`;
  if (forge === 'hs256') {
    // Classic algorithm-confusion attack: HMAC keyed with the published RSA public key (PEM).
    return `${input}.${b64url(crypto.createHmac('sha256', key.publicPem).update(input).digest())}`;
  }
  const sig = b64url(crypto.sign('sha256', Buffer.from(input), signer));
  if (forge === 'tampered') {
    const evil = { ...payload, sub: newId('user') };
    return `${h}.${b64url(JSON.stringify(evil))}.${sig}`;
  }
  return `${input}.${sig}`;
}

// ------------------------------------------------------------------------------------------------
// HTTP helpers

function send(res, status, body, contentType, headers) {
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body == null ? '' : String(body));
  res.statusCode = status;
  if (contentType) res.setHeader('Content-Type', contentType);
  if (headers) for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.setHeader('Content-Length', buf.length);
  res.end(buf);
}
const json = (res, status, obj, headers) =>
  send(res, status, JSON.stringify(obj), 'application/json; charset=utf-8', headers);
const oauthError = (res, status, error, desc) => json(res, status, { error, error_description: desc });
const notFound = (res) => json(res, 404, { message: 'Not found' });

function htmlPage(title, bodyHtml) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}a.user,button{display:block;margin:.3em 0;padding:.4em .8em;border:1px solid #888;border-radius:4px;text-decoration:none;color:#000;background:#eee}label{display:block;margin:.3em 0}.error{color:#a00}</style>
</head><body>
${bodyHtml}
</body></html>
`;
}
function htmlError(res, status, title, message) {
  send(res, status, htmlPage(title, `<h1>${escapeHtml(title)}</h1>\n<p class="error">${escapeHtml(message)}</p>`),
    'text/html; charset=utf-8');
}

// Append query parameters to a URI, preserving its existing query exactly (and a fragment).
function addParams(uri, pairs) {
  const hashAt = uri.indexOf('#');
  let base = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const frag = hashAt >= 0 ? uri.slice(hashAt) : '';
  const qs = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  if (!qs) return uri;
  if (!base.includes('?')) base += '?';
  else if (!base.endsWith('?') && !base.endsWith('&')) base += '&';
  return base + qs + frag;
}

function redirect(res, location) {
  send(res, 302, htmlPage('Redirecting', `<p>Redirecting to <a href="${escapeHtml(location)}">${escapeHtml(location)}</a></p>`),
    'text/html; charset=utf-8', { Location: location });
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const cl = Number(req.headers['content-length']);
    if (Number.isFinite(cl) && cl > MAX_BODY) { resolve(null); return; }
    const chunks = [];
    let size = 0;
    let done = false;
    req.on('data', (c) => {
      if (done) return;
      size += c.length;
      if (size > MAX_BODY) { done = true; resolve(null); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!done) { done = true; resolve(Buffer.concat(chunks)); } });
    req.on('error', (e) => { if (!done) { done = true; reject(e); } });
  });
}

// Parse a body as JSON or form data. Returns {ok, value} or {ok:false, why}.
function parseParams(req, body) {
  const ct = String(req.headers['content-type'] || '').toLowerCase();
  const text = body.toString('utf8');
  const asForm = () => ({ ok: true, value: Object.fromEntries(new URLSearchParams(text)) });
  if (ct.startsWith('application/x-www-form-urlencoded')) return asForm();
  if (ct.includes('json') || (!ct && /^\s*[{[]/.test(text))) {
    if (!text.trim()) return { ok: true, value: {} };
    try {
      const v = JSON.parse(text);
      if (!isObj(v)) return { ok: false, why: 'The request body must be a JSON object.' };
      return { ok: true, value: v };
    } catch (e) {
      return { ok: false, why: 'The request body is not valid JSON.' };
    }
  }
  return asForm();
}

function parseJsonBody(res, body) {
  const text = body.toString('utf8');
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (isObj(v)) return v;
  } catch (e) { /* fall through */ }
  json(res, 400, { message: 'The request body must be a JSON object.' });
  return null;
}

function bearerOk(req, res) {
  const h = String(req.headers.authorization || '');
  const m = /^Bearer\s+(.+)$/i.exec(h);
  if (m && safeEqual(m[1].trim(), API_KEY)) return true;
  json(res, 401, { message: 'Unauthorized', code: 'unauthorized' });
  return false;
}

// ------------------------------------------------------------------------------------------------
// Faults

function takeFault(endpoint) {
  const q = S.faults[endpoint];
  if (!q || q.length === 0) return null;
  const f = q[0];
  if (f.remaining > 0) {
    f.remaining -= 1;
    if (f.remaining === 0) q.shift();
  }
  return f;
}

// Returns 'done' when the fault answered (or dropped) the request, otherwise {forge} or null.
async function applyFault(f, req, res, endpoint) {
  log(`fault ${endpoint}: ${f.kind}${f.kind === 'status' ? ' ' + f.status : ''}${f.kind === 'forge' ? ' ' + f.how : ''}`);
  switch (f.kind) {
    case 'status': {
      const headers = {};
      if ((f.status === 429 || f.status === 503) && !Object.keys(f.headers).some((k) => k.toLowerCase() === 'retry-after')) {
        headers['Retry-After'] = '1';
      }
      Object.assign(headers, f.headers);
      let body;
      let ct;
      if (f.body === undefined) {
        body = JSON.stringify(f.status === 429
          ? { error: 'too_many_requests', error_description: 'Too many requests (injected fault).' }
          : { message: `Injected fault: HTTP ${f.status}` });
        ct = 'application/json; charset=utf-8';
      } else if (typeof f.body === 'string') {
        body = f.body;
        ct = 'text/plain; charset=utf-8';
      } else {
        body = JSON.stringify(f.body);
        ct = 'application/json; charset=utf-8';
      }
      if (Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) ct = null;
      send(res, f.status, body, ct, headers);
      return 'done';
    }
    case 'delay':
      await sleep(f.ms);
      return null;
    case 'malformed':
      send(res, 200, endpoint === 'jwks' ? '{"keys": ' : endpoint === 'authorize' ? '<html><body'
        : endpoint === 'events' || endpoint === 'memberships' ? '{"object":"list","data":[{"id":' : '{"user": ',
        endpoint === 'authorize' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
      return 'done';
    case 'drop':
      res.dropped = true;
      req.socket.destroy();
      return 'done';
    case 'forge':
      return { forge: f.how };
    default:
      return null;
  }
}

function validateFault(b) {
  const f = {};
  if (!FAULT_ENDPOINTS.has(b.endpoint)) return `endpoint must be one of ${[...FAULT_ENDPOINTS].join(', ')}`;
  f.endpoint = b.endpoint;
  f.kind = b.kind;
  const count = b.count === undefined ? 1 : b.count;
  if (!Number.isInteger(count) || (count < 1 && count !== -1)) return 'count must be a positive integer or -1';
  switch (b.kind) {
    case 'status':
      if (!Number.isInteger(b.status) || b.status < 100 || b.status > 599) return 'status must be an integer 100..599';
      if (b.headers !== undefined && !isObj(b.headers)) return 'headers must be an object';
      f.status = b.status;
      if (b.body !== undefined) f.body = b.body;
      f.headers = {};
      for (const [k, v] of Object.entries(b.headers || {})) f.headers[k] = String(v);
      break;
    case 'delay':
      if (typeof b.ms !== 'number' || !(b.ms >= 0) || b.ms > 600000) return 'ms must be a number 0..600000';
      f.ms = b.ms;
      break;
    case 'malformed':
    case 'drop':
      break;
    case 'forge':
      if (b.endpoint !== 'authenticate') return 'forge faults apply to endpoint authenticate only';
      if (!FORGE_KINDS.has(b.how)) return `how must be one of ${[...FORGE_KINDS].join(', ')}`;
      f.how = b.how;
      if (b.how === 'wrong_key' || b.how === 'unknown_kid') warmSpareKey();
      break;
    default:
      return 'kind must be one of status, delay, malformed, drop, forge';
  }
  f.id = `fault_${++faultSeq}`;
  f.count = count;
  f.remaining = count;
  return f;
}

// ------------------------------------------------------------------------------------------------
// GET /user_management/authorize

function signInPage(res, q, status, errorMsg) {
  const keep = [];
  for (const [k, v] of q) if (k !== 'user' && k !== 'first_name' && k !== 'last_name') keep.push([k, v]);
  const linkFor = (id) => '/user_management/authorize?' + new URLSearchParams([...keep, ['user', id]]).toString();
  const orgId = q.get('organization_id');
  const users = [...S.users.values()].sort((a, b) => a.seq - b.seq);
  let h = '<h1>Fake WorkOS AuthKit: sign in</h1>\n';
  h += `<p>Client: <code>${escapeHtml(q.get('client_id'))}</code>`;
  if (orgId) {
    const org = S.orgs.get(orgId);
    h += ` &middot; Organization: <code>${escapeHtml(orgId)}</code>${org ? ' (' + escapeHtml(org.name) + ')' : ''}`;
  }
  h += '</p>\n';
  if (errorMsg) h += `<p class="error">${escapeHtml(errorMsg)}</p>\n`;
  h += '<h2>Choose a user</h2>\n<ul id="users">\n';
  if (users.length === 0) h += '<li>No users defined.</li>\n';
  for (const u of users) {
    const label = [u.first_name, u.last_name].filter((x) => x).join(' ');
    h += `<li><a class="user" data-user-id="${escapeHtml(u.id)}" href="${escapeHtml(linkFor(u.id))}">` +
      `${escapeHtml(label || u.email)} &lt;${escapeHtml(u.email)}&gt;</a></li>\n`;
  }
  h += '</ul>\n<h2>Or sign in as someone new</h2>\n';
  h += '<form method="get" action="/user_management/authorize">\n';
  for (const [k, v] of keep) {
    if (k === 'login_hint') continue;
    h += `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">\n`;
  }
  const hint = q.get('user') || q.get('login_hint') || '';
  if (q.has('login_hint')) h += `<input type="hidden" name="login_hint" value="${escapeHtml(q.get('login_hint'))}">\n`;
  h += `<label>Email <input type="email" name="user" required value="${escapeHtml(hint)}"></label>\n`;
  h += `<label>First name <input type="text" name="first_name" value="${escapeHtml(q.get('first_name') || '')}"></label>\n`;
  h += `<label>Last name <input type="text" name="last_name" value="${escapeHtml(q.get('last_name') || '')}"></label>\n`;
  h += '<button type="submit">Sign in</button>\n</form>\n';
  send(res, status, htmlPage('Sign in - Fake WorkOS', h), 'text/html; charset=utf-8');
}

function redirectUriAllowed(uri) {
  const list = S.config.redirect_uris;
  if (!Array.isArray(list) || list.length === 0) return true;
  return list.some((pat) => {
    const re = new RegExp('^' + String(pat).split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
    return re.test(uri);
  });
}

async function handleAuthorize(req, res, u) {
  S.stats.authorize += 1;
  const f = takeFault('authorize');
  if (f && (await applyFault(f, req, res, 'authorize')) === 'done') return;

  const q = u.searchParams;
  const clientId = q.get('client_id');
  if (!clientId || clientId !== CLIENT_ID) {
    return htmlError(res, 400, 'Invalid client', 'invalid client: the client_id is missing or unknown.');
  }
  const redirectUri = q.get('redirect_uri');
  if (!redirectUri) return htmlError(res, 400, 'Invalid redirect URI', 'invalid redirect_uri: it is missing.');
  try { new URL(redirectUri); } catch (e) {
    return htmlError(res, 400, 'Invalid redirect URI', 'invalid redirect_uri: it is not an absolute URL.');
  }
  if (!redirectUriAllowed(redirectUri)) {
    return htmlError(res, 400, 'Invalid redirect URI', 'invalid redirect_uri: it is not allowed for this client.');
  }
  const st = q.get('state');
  const withState = (pairs) => (st ? [...pairs, ['state', st]] : pairs);
  const fail = (error, desc) => redirect(res, addParams(redirectUri, withState([['error', error], ['error_description', desc]])));

  if (q.get('response_type') !== 'code') return fail('invalid_request', "response_type must be 'code'.");
  const provider = q.get('provider');
  const connectionId = q.get('connection_id');
  const orgParam = q.get('organization_id');
  if (!provider && !connectionId && !orgParam) {
    return fail('invalid_request', 'One of provider, connection_id or organization_id is required.');
  }
  if (provider && !PROVIDERS.has(provider)) return fail('invalid_request', `Unknown provider '${provider}'.`);
  const cc = q.get('code_challenge');
  const ccm = q.get('code_challenge_method');
  if (cc || ccm) {
    if (!cc || !ccm) return fail('invalid_request', 'code_challenge and code_challenge_method must be sent together.');
    if (ccm !== 'S256') return fail('invalid_request', "code_challenge_method must be 'S256'.");
  }
  if (orgParam && !S.orgs.has(orgParam)) {
    return fail('organization_invalid', `Organization '${orgParam}' is invalid.`);
  }

  // Who signs in?
  let user = null;
  const ident = q.get('user');
  if (ident) {
    user = findUser(ident);
    if (!user) {
      if (!looksLikeEmail(ident)) return signInPage(res, q, 400, `Unknown user '${ident}'.`);
      user = createUser({
        email: ident,
        first_name: (q.get('first_name') || '').trim() || null,
        last_name: (q.get('last_name') || '').trim() || null,
        email_verified: true,
      });
      saveState();
    }
  } else if (q.get('login_hint')) {
    user = findUserByEmail(q.get('login_hint'));
  }
  if (!user) return signInPage(res, q, 200, null);

  if (user.fake.authorize_error) {
    const ae = user.fake.authorize_error;
    return fail(ae.error, ae.error_description || `Sign-in failed: ${ae.error}.`);
  }
  const orgId = orgParam || user.fake.default_org || null;
  if (orgId) {
    if (!S.orgs.has(orgId)) return fail('organization_invalid', `Organization '${orgId}' is invalid.`);
    if (!activeMembership(user.id, orgId)) {
      return fail('organization_invalid', `The user is not an active member of organization '${orgId}'.`);
    }
  }
  const code = issueCode(user.id, orgId, cc);
  return redirect(res, addParams(redirectUri, withState([['code', code]])));
}

// ------------------------------------------------------------------------------------------------
// POST /user_management/authenticate

const STEP_UP_MESSAGES = {
  organization_selection_required: 'The user must choose an organization to finish their authentication.',
  email_verification_required: 'Email ownership must be verified before authentication.',
  mfa_enrollment: 'The user must enroll in MFA to finish authenticating.',
  mfa_challenge: 'The user must complete an MFA challenge to finish authenticating.',
  sso_required: 'User must authenticate using one of the matching connections.',
};

function stepUp(res, user, code) {
  const token = randomAlnum(25);
  S.pending.set(token, { user_id: user.id, code, expires_at: Date.now() + 600000 });
  const body = {
    code,
    message: STEP_UP_MESSAGES[code] || `Additional authentication steps are required (${code}).`,
    pending_authentication_token: token,
  };
  if (code === 'organization_selection_required') {
    body.organizations = [...S.memberships.values()]
      .filter((m) => m.user_id === user.id && m.status === 'active' && S.orgs.has(m.organization_id))
      .sort((a, b) => a.seq - b.seq)
      .map((m) => ({ id: m.organization_id, name: S.orgs.get(m.organization_id).name }));
  }
  if (code === 'email_verification_required') {
    body.email = user.email;
    body.email_verification_id = newId('email_verification');
  }
  if (code === 'mfa_challenge') body.authentication_factors = [];
  body.user = toUser(user);
  json(res, 403, body);
}

function authSuccess(res, user, session, forge, isSignIn) {
  if (isSignIn) {
    user.updated_at = stamp(user.updated_at);
    user.last_sign_in_at = user.updated_at;
    saveState();
    emit('session.created', toSession(session));
  }
  const refresh = b64url(crypto.randomBytes(24));
  S.refreshTokens.set(refresh, session.id);
  const out = { user: toUser(user) };
  if (session.org_id) out.organization_id = session.org_id;
  out.access_token = makeAccessToken(user, session, session.org_id, forge);
  out.refresh_token = refresh;
  out.authentication_method = session.auth_method;
  json(res, 200, out);
}

function newSession(user, orgId) {
  const ts = nowIso();
  const s = {
    id: newId('session'), user_id: user.id, org_id: orgId || null, status: 'active',
    auth_method: user.fake.authentication_method || 'Password', created_at: ts, updated_at: ts,
  };
  S.sessions.set(s.id, s);
  return s;
}

async function handleAuthenticate(req, res, body) {
  S.stats.authenticate += 1;
  let forge = null;
  const f = takeFault('authenticate');
  if (f) {
    const r = await applyFault(f, req, res, 'authenticate');
    if (r === 'done') return;
    if (r && r.forge) forge = r.forge;
    if (spareKeyPromise && !spareKey) await spareKeyPromise;
  }
  const parsed = parseParams(req, body);
  if (!parsed.ok) return oauthError(res, 400, 'invalid_request', parsed.why);
  const p = parsed.value;
  const grant = str(p.grant_type);
  if (!grant) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: grant_type.');
  const cid = str(p.client_id);
  if (!cid || cid !== CLIENT_ID) return oauthError(res, 400, 'invalid_client', 'Invalid client ID.');
  const secret = str(p.client_secret);
  if (!secret || !safeEqual(secret, API_KEY)) return oauthError(res, 400, 'invalid_client', 'Invalid client secret.');

  if (grant === 'authorization_code') {
    const code = str(p.code);
    if (!code) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: code.');
    const invalid = () => oauthError(res, 400, 'invalid_grant', `The code '${code}' has expired or is invalid.`);
    const entry = S.codes.get(code);
    if (!entry) return invalid();
    S.codes.delete(code); // single use: any exchange attempt consumes it
    if (Date.now() > entry.expires_at) return invalid();
    if (entry.code_challenge) {
      const verifier = str(p.code_verifier);
      if (!verifier) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: code_verifier.');
      if (!safeEqual(b64url(sha256(verifier)), entry.code_challenge)) {
        return oauthError(res, 400, 'invalid_grant', 'The code_verifier does not match the code_challenge.');
      }
    }
    const user = S.users.get(entry.user_id);
    if (!user) return invalid();
    if (user.fake.step_up) return stepUp(res, user, user.fake.step_up);
    return authSuccess(res, user, newSession(user, entry.org_id), forge, true);
  }

  if (grant === 'refresh_token') {
    const rt = str(p.refresh_token);
    if (!rt) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: refresh_token.');
    const sid = S.refreshTokens.get(rt);
    if (!sid) return oauthError(res, 400, 'invalid_grant', 'Refresh token already exchanged or invalid.');
    const session = S.sessions.get(sid);
    const user = session && S.users.get(session.user_id);
    if (!session || session.status !== 'active' || !user) {
      S.refreshTokens.delete(rt);
      return oauthError(res, 400, 'invalid_grant', 'Session has ended.');
    }
    // A refused switch leaves the refresh token usable; only a success spends it.
    const orgId = str(p.organization_id);
    if (orgId) {
      const org = S.orgs.get(orgId);
      if (!org) return json(res, 404, { message: `Organization not found: '${orgId}'.` });
      if (!activeMembership(user.id, orgId)) {
        return oauthError(res, 400, 'organization_membership_not_found',
          `The user is not a member of organization '${orgId}'.`);
      }
      if (org.require_reauth === 'sso_required') {
        return oauthError(res, 400, 'sso_required', STEP_UP_MESSAGES.sso_required);
      }
      if (org.require_reauth) return stepUp(res, user, org.require_reauth);
      session.org_id = orgId;
    }
    S.refreshTokens.delete(rt);
    return authSuccess(res, user, session, forge, false);
  }

  if (grant === 'urn:workos:oauth:grant-type:organization-selection') {
    const tok = str(p.pending_authentication_token);
    const orgId = str(p.organization_id);
    if (!tok || !orgId) {
      return oauthError(res, 400, 'invalid_request', 'pending_authentication_token and organization_id are required.');
    }
    const pend = S.pending.get(tok);
    if (!pend || Date.now() > pend.expires_at || !S.users.has(pend.user_id)) {
      return json(res, 400, { code: 'invalid_pending_authentication_token', message: 'The pending authentication token is invalid.' });
    }
    const user = S.users.get(pend.user_id);
    if (!activeMembership(user.id, orgId)) {
      return oauthError(res, 400, 'organization_membership_not_found',
        `The user is not a member of organization '${orgId}'.`);
    }
    S.pending.delete(tok);
    return authSuccess(res, user, newSession(user, orgId), forge, true);
  }

  return oauthError(res, 400, 'invalid_request', `Unsupported grant_type '${grant}'.`);
}

// ------------------------------------------------------------------------------------------------
// GET /sso/jwks/{client_id}

async function handleJwks(req, res, clientId) {
  S.stats.jwks += 1;
  const f = takeFault('jwks');
  if (f && (await applyFault(f, req, res, 'jwks')) === 'done') return;
  if (clientId !== CLIENT_ID) return json(res, 404, { message: `Client not found: '${clientId}'.` });
  json(res, 200, { keys: [KEYS.current.jwk, ...KEYS.retained.map((k) => k.jwk)] });
}

// ------------------------------------------------------------------------------------------------
// Read-only User Management API (spec section 5), API key required

function paginate(res, items, q) {
  const limit = q.has('limit') ? Number(q.get('limit')) : 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return json(res, 422, { code: 'invalid_request_parameters', message: 'limit must be between 1 and 100.' });
  }
  const order = q.get('order') || 'desc';
  items.sort((a, b) => (order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
  let start = 0;
  let end = items.length;
  const after = q.get('after');
  const before = q.get('before');
  if (after) { const i = items.findIndex((x) => x.id === after); start = i >= 0 ? i + 1 : items.length; }
  if (before) { const i = items.findIndex((x) => x.id === before); end = i >= 0 ? i : 0; start = Math.max(start, end - limit); }
  const page = items.slice(start, Math.min(end, start + limit));
  return {
    page,
    list_metadata: {
      before: start > 0 && page.length ? page[0].id : null,
      after: start + page.length < items.length && page.length ? page[page.length - 1].id : null,
    },
  };
}

function handleListMemberships(req, res, q) {
  const userId = q.get('user_id');
  const orgId = q.get('organization_id');
  if (!userId && !orgId) {
    return json(res, 400, { code: 'missing_user_id_or_organization_id', message: 'Either user_id or organization_id is required.' });
  }
  const statuses = (q.get('statuses') || 'active').split(',').map((s) => s.trim()).filter(Boolean);
  const items = [...S.memberships.values()].filter((m) =>
    (!userId || m.user_id === userId) && (!orgId || m.organization_id === orgId) && statuses.includes(m.status));
  const r = paginate(res, items, q);
  if (!r) return;
  json(res, 200, { object: 'list', data: r.page.map((m) => toMembership(m, true)), list_metadata: r.list_metadata });
}

function handleListUsers(req, res, q) {
  const email = q.get('email');
  const orgId = q.get('organization_id');
  const items = [...S.users.values()].filter((u) =>
    (!email || u.email.toLowerCase() === email.toLowerCase()) && (!orgId || findMembership(u.id, orgId)));
  const r = paginate(res, items, q);
  if (!r) return;
  json(res, 200, { object: 'list', data: r.page.map(toUser), list_metadata: r.list_metadata });
}


// ------------------------------------------------------------------------------------------------
// Events (spec section 8): every change made through the control API (and session revocations)
// becomes an event, kept for the Events API and, when a webhook URL is set, delivered signed.

function toSession(sess) {
  return {
    object: 'session', id: sess.id, user_id: sess.user_id, organization_id: sess.org_id,
    status: sess.status, auth_method: sess.auth_method, ip_address: null, user_agent: null,
    impersonator: null, expires_at: null, ended_at: sess.status === 'revoked' ? sess.updated_at : null,
    created_at: sess.created_at, updated_at: sess.updated_at,
  };
}

function toDirectoryUser(d) {
  return {
    object: 'directory_user', id: d.id, directory_id: d.directory_id, organization_id: d.organization_id,
    idp_id: d.idp_id, email: d.email, emails: [{ primary: true, type: 'work', value: d.email }],
    first_name: d.first_name, last_name: d.last_name, state: d.state, role: null,
    raw_attributes: {}, custom_attributes: {}, created_at: d.created_at, updated_at: d.updated_at,
  };
}

function purgeEvents() {
  const cutoff = Date.now() - EVENT_RETENTION_MS;
  let i = 0;
  while (i < S.events.length && Date.parse(S.events[i].created_at) < cutoff) i++;
  if (i > 0) S.events.splice(0, i);
}

function emit(name, data) {
  const last = S.events.length ? S.events[S.events.length - 1].created_at : null;
  const ev = { object: 'event', id: newId('event'), event: name, data, created_at: stamp(last) };
  S.events.push(ev);
  if (S.webhook.url && S.webhook.secret) enqueueWebhook(ev);
  return ev;
}

function signWebhook(secret, body, t) {
  return `t=${t}, v1=${crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

function postWebhook(url, header, body) {
  return new Promise((resolve) => {
    let u;
    try { u = new URL(url); } catch (e) { resolve({ status: 0, error: 'bad url' }); return; }
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'POST', timeout: 10000,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
        'WorkOS-Signature': header, 'User-Agent': 'fake-workos-webhooks' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString().slice(0, 2000) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.message }));
    req.end(body);
  });
}

// Deliveries go out one at a time, in the order the events were made, unless a fault says otherwise.
let webhookChain = Promise.resolve();
let heldBack = []; // out_of_order: sent after the next event

async function deliver(ev, fault) {
  // The webhook body is the event without the Events API's "object".
  const body = JSON.stringify({ id: ev.id, event: ev.event, data: ev.data, created_at: ev.created_at });
  let t = Date.now();
  let secret = S.webhook.secret;
  if (fault && fault.kind === 'bad_signature') secret = `${secret}-wrong`;
  if (fault && fault.kind === 'stale_signature') t -= 600000;
  if (fault && fault.kind === 'delay') await sleep(fault.ms);
  const r = await postWebhook(S.webhook.url, signWebhook(secret, body, t), body);
  S.stats.webhooks += 1;
  let result = null;
  try { result = JSON.parse(r.body).data.result; } catch (e) { /* not ours to judge */ }
  S.deliveries.push({ event_id: ev.id, event: ev.event, fault: fault ? fault.kind : null, status: r.status, result, error: r.error || null });
  log(`webhook ${ev.event} ${ev.id} -> ${r.status}${fault ? ' (' + fault.kind + ')' : ''}`);
}

function enqueueWebhook(ev) {
  const q = S.webhookFaults;
  let fault = null;
  if (q.length) {
    fault = q[0];
    if (fault.remaining > 0 && --fault.remaining === 0) q.shift();
  }
  const url = S.webhook.url;
  const state = S;
  webhookChain = webhookChain.then(async () => {
    if (S !== state || S.webhook.url !== url) return; // reset or reconfigured meanwhile
    if (fault && fault.kind === 'drop') {
      S.deliveries.push({ event_id: ev.id, event: ev.event, fault: 'drop', status: null, result: null, error: null });
      return;
    }
    if (fault && fault.kind === 'out_of_order') { heldBack.push(ev); return; }
    const held = heldBack;
    heldBack = [];
    await deliver(ev, fault);
    if (fault && fault.kind === 'duplicate') await deliver(ev, null);
    for (const h of held) await deliver(h, { kind: 'out_of_order' });
  }).catch((e) => log(`webhook delivery failed: ${e.message}`));
}

async function flushWebhooks() {
  await webhookChain;
  const held = heldBack;
  heldBack = [];
  for (const h of held) await deliver(h, { kind: 'out_of_order' });
}

// GET /events
function handleEvents(req, res, q) {
  purgeEvents();
  const limit = q.has('limit') ? Number(q.get('limit')) : 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return json(res, 422, { code: 'invalid_request_parameters', message: 'limit must be between 1 and 100.' });
  }
  const names = q.getAll('events').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  let start = 0;
  const after = q.get('after');
  if (after) {
    const i = S.events.findIndex((e) => e.id === after);
    if (i < 0) {
      return json(res, 400, { code: 'invalid_cursor',
        message: `The cursor '${after}' is not a retained event: events are kept for 30 days.` });
    }
    start = i + 1;
  }
  const rs = q.get('range_start') ? Date.parse(q.get('range_start')) : null;
  const re = q.get('range_end') ? Date.parse(q.get('range_end')) : null;
  if ((rs !== null && !Number.isFinite(rs)) || (re !== null && !Number.isFinite(re))) {
    return json(res, 422, { code: 'invalid_request_parameters', message: 'range_start and range_end must be ISO 8601 times.' });
  }
  const org = q.get('organization_id');
  const page = [];
  for (let i = start; i < S.events.length && page.length < limit; i++) {
    const e = S.events[i];
    const t = Date.parse(e.created_at);
    if (names.length && !names.includes(e.event)) continue;
    if (rs !== null && t < rs) continue;
    if (re !== null && t >= re) continue;
    if (org && e.data.organization_id !== org && e.data.id !== org) continue;
    page.push(e);
  }
  json(res, 200, { object: 'list', data: page,
    list_metadata: { before: null, after: page.length ? page[page.length - 1].id : null } });
}

function ctlWebhooks(res, b) {
  if (b.url !== undefined && b.url !== null && typeof b.url !== 'string') return json(res, 400, { message: 'url must be a string or null' });
  if (b.secret !== undefined && typeof b.secret !== 'string') return json(res, 400, { message: 'secret must be a string' });
  if (b.url !== undefined) S.webhook.url = b.url;
  if (b.secret !== undefined) S.webhook.secret = b.secret;
  json(res, 200, { url: S.webhook.url, secret_set: !!S.webhook.secret });
}

function ctlWebhookFault(res, b) {
  if (!WEBHOOK_FAULT_KINDS.has(b.kind)) return json(res, 400, { message: `kind must be one of ${[...WEBHOOK_FAULT_KINDS].join(', ')}` });
  const count = b.count === undefined ? 1 : b.count;
  if (!Number.isInteger(count) || (count < 1 && count !== -1)) return json(res, 400, { message: 'count must be a positive integer or -1' });
  const f = { id: `wfault_${++faultSeq}`, kind: b.kind, count, remaining: count };
  if (b.kind === 'delay') {
    if (typeof b.ms !== 'number' || !(b.ms >= 0) || b.ms > 600000) return json(res, 400, { message: 'ms must be a number 0..600000' });
    f.ms = b.ms;
  }
  S.webhookFaults.push(f);
  json(res, 201, f);
}

function ctlDirectoryUsers(res, b) {
  for (const k of ['id', 'organization_id', 'email', 'first_name', 'last_name', 'directory_id', 'state']) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') return json(res, 400, { message: `${k} must be a string` });
  }
  if (b.state !== undefined && !['active', 'inactive', 'suspended'].includes(b.state)) {
    return json(res, 400, { message: 'state must be active, inactive or suspended' });
  }
  let d = b.id ? S.directoryUsers.get(b.id) : null;
  const existing = !!d;
  if (!d) {
    if (!b.organization_id || !b.email) return json(res, 400, { message: 'organization_id and email are required' });
    if (!S.orgs.has(b.organization_id)) return json(res, 404, { message: `Organization not found: '${b.organization_id}'.` });
    const ts = nowIso();
    d = { id: b.id || newId('directory_user'), directory_id: b.directory_id || `directory_${b.organization_id}`,
      organization_id: b.organization_id, idp_id: randomAlnum(12), email: b.email, first_name: null, last_name: null,
      state: 'active', created_at: ts, updated_at: ts };
    S.directoryUsers.set(d.id, d);
  }
  const before = toDirectoryUser(d);
  for (const k of ['email', 'first_name', 'last_name', 'state']) if (has(b, k) && b[k] !== undefined) d[k] = b[k];
  if (existing) {
    d.updated_at = stamp(d.updated_at);
    const prev = {};
    for (const k of ['email', 'first_name', 'last_name', 'state']) if (before[k] !== d[k]) prev[k] = before[k];
    emit('dsync.user.updated', { ...toDirectoryUser(d), previous_attributes: prev });
  } else {
    emit('dsync.user.created', toDirectoryUser(d));
  }
  json(res, existing ? 200 : 201, toDirectoryUser(d));
}

function revokeSession(sess) {
  if (!sess || sess.status === 'revoked') return;
  sess.status = 'revoked';
  sess.updated_at = stamp(sess.updated_at);
  emit('session.revoked', toSession(sess));
}

// ------------------------------------------------------------------------------------------------
// Control API

function ctlUsers(res, b) {
  for (const k of ['email', 'first_name', 'last_name', 'id', 'default_org', 'step_up', 'external_id', 'locale', 'profile_picture_url', 'authentication_method']) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') return json(res, 400, { message: `${k} must be a string` });
  }
  if (b.email_verified !== undefined && typeof b.email_verified !== 'boolean') return json(res, 400, { message: 'email_verified must be a boolean' });
  if (b.metadata !== undefined && !isObj(b.metadata)) return json(res, 400, { message: 'metadata must be an object' });
  let ae = b.authorize_error;
  if (typeof ae === 'string') ae = { error: ae };
  if (ae !== undefined && ae !== null && !(isObj(ae) && typeof ae.error === 'string' && ae.error)) {
    return json(res, 400, { message: 'authorize_error must be {"error": "...", "error_description": "..."}' });
  }
  if (b.email !== undefined && !looksLikeEmail(b.email)) return json(res, 400, { message: 'email must look like an email address' });

  let u = b.id ? S.users.get(b.id) : null;
  const existing = !!u;
  if (b.email) {
    const other = findUserByEmail(b.email);
    if (other && other !== u) return json(res, 409, { message: `A user with email '${b.email}' already exists: '${other.id}'.` });
  }
  if (!u) {
    if (!b.email) return json(res, 400, { message: 'email is required' });
    u = createUser({ id: b.id, email: b.email });
  }
  for (const k of ['email', 'email_verified', 'first_name', 'last_name', 'external_id', 'locale', 'profile_picture_url', 'metadata']) {
    if (has(b, k)) u[k] = b[k] === '' && k !== 'email' ? null : b[k];
  }
  if (u.email_verified == null) u.email_verified = true;
  if (has(b, 'metadata') && b.metadata === null) u.metadata = {};
  for (const k of ['default_org', 'step_up', 'authentication_method']) if (has(b, k)) u.fake[k] = b[k] || null;
  if (!u.fake.authentication_method) u.fake.authentication_method = 'Password';
  if (ae !== undefined) u.fake.authorize_error = ae ? { error: ae.error, error_description: str(ae.error_description) || null } : null;
  if (existing) u.updated_at = stamp(u.updated_at);
  emit(existing ? 'user.updated' : 'user.created', toUser(u));
  saveState();
  json(res, existing ? 200 : 201, toUser(u));
}

function ctlOrganizations(res, b) {
  if (b.id !== undefined && typeof b.id !== 'string') return json(res, 400, { message: 'id must be a string' });
  if (b.name !== undefined && typeof b.name !== 'string') return json(res, 400, { message: 'name must be a string' });
  if (b.domains !== undefined && !(Array.isArray(b.domains) && b.domains.every((d) => typeof d === 'string'))) {
    return json(res, 400, { message: 'domains must be an array of strings' });
  }
  let o = b.id ? S.orgs.get(b.id) : null;
  const existing = !!o;
  if (!o) {
    if (!b.name) return json(res, 400, { message: 'name is required' });
    const ts = nowIso();
    o = { id: b.id || newId('org'), name: b.name, domains: [], metadata: {}, external_id: null, created_at: ts, updated_at: ts, seq: ++S.seq };
    S.orgs.set(o.id, o);
  } else {
    o.updated_at = stamp(o.updated_at);
  }
  if (b.name) o.name = b.name;
  if (b.domains) o.domains = b.domains.map((d) => ({ id: newId('org_domain'), domain: d }));
  if (has(b, 'external_id')) o.external_id = b.external_id || null;
  if (isObj(b.metadata)) o.metadata = b.metadata;
  if (has(b, 'require_reauth')) {
    const ok = [null, 'sso_required', 'mfa_enrollment'];
    if (!ok.includes(b.require_reauth)) return json(res, 400, { message: 'require_reauth must be sso_required, mfa_enrollment or null' });
    o.require_reauth = b.require_reauth;
  }
  emit(existing ? 'organization.updated' : 'organization.created', toOrg(o));
  saveState();
  json(res, existing ? 200 : 201, toOrg(o));
}

function ctlMemberships(res, b) {
  const userId = str(b.user_id);
  const orgId = str(b.organization_id);
  if (!userId || !orgId) return json(res, 400, { message: 'user_id and organization_id are required' });
  if (!S.users.has(userId)) return json(res, 404, { message: `User not found: '${userId}'.` });
  if (!S.orgs.has(orgId)) return json(res, 404, { message: `Organization not found: '${orgId}'.` });
  let role = b.role;
  if (isObj(role)) role = role.slug;
  if (role !== undefined && (typeof role !== 'string' || !role)) return json(res, 400, { message: 'role must be a slug string' });
  let roles = b.roles;
  if (roles !== undefined) {
    if (!Array.isArray(roles)) return json(res, 400, { message: 'roles must be an array of slugs' });
    roles = roles.map((r) => (isObj(r) ? r.slug : r));
    if (!roles.every((r) => typeof r === 'string' && r)) return json(res, 400, { message: 'roles must be an array of slugs' });
  }
  if (b.status !== undefined && !['active', 'inactive', 'pending'].includes(b.status)) {
    return json(res, 400, { message: 'status must be active, inactive or pending' });
  }
  if (b.permissions !== undefined && !(Array.isArray(b.permissions) && b.permissions.every((x) => typeof x === 'string'))) {
    return json(res, 400, { message: 'permissions must be an array of strings' });
  }
  let m = findMembership(userId, orgId);
  const existing = !!m;
  const ts = nowIso();
  if (!m) {
    m = {
      id: str(b.id) || newId('om'), user_id: userId, organization_id: orgId, status: 'active', roles: ['member'],
      permissions: [], directory_managed: false, custom_attributes: {}, created_at: ts, updated_at: ts, seq: ++S.seq,
    };
    S.memberships.set(m.id, m);
  } else {
    m.updated_at = stamp(m.updated_at);
  }
  if (roles && roles.length) m.roles = role ? [role, ...roles.filter((r) => r !== role)] : roles;
  else if (role) m.roles = [role];
  if (b.status) m.status = b.status;
  if (b.permissions) m.permissions = b.permissions.slice();
  if (typeof b.directory_managed === 'boolean') m.directory_managed = b.directory_managed;
  if (isObj(b.custom_attributes)) m.custom_attributes = b.custom_attributes;
  emit(existing ? 'organization_membership.updated' : 'organization_membership.created', toMembership(m, false));
  saveState();
  json(res, existing ? 200 : 201, toMembership(m, false));
}

function ctlCodes(res, b) {
  const userId = str(b.user_id);
  if (!userId) return json(res, 400, { message: 'user_id is required' });
  const user = findUser(userId);
  if (!user) return json(res, 404, { message: `User not found: '${userId}'.` });
  const orgId = str(b.organization_id) || null;
  if (orgId && !S.orgs.has(orgId)) return json(res, 404, { message: `Organization not found: '${orgId}'.` });
  if (b.code_challenge !== undefined && typeof b.code_challenge !== 'string') {
    return json(res, 400, { message: 'code_challenge must be a string' });
  }
  json(res, 201, { code: issueCode(user.id, orgId, b.code_challenge || null) });
}

function ctlConfig(res, b) {
  if (b.code_ttl !== undefined) {
    if (typeof b.code_ttl !== 'number' || !(b.code_ttl >= 0)) return json(res, 400, { message: 'code_ttl must be a number >= 0' });
  }
  if (b.access_token_ttl !== undefined) {
    if (!Number.isInteger(b.access_token_ttl)) return json(res, 400, { message: 'access_token_ttl must be an integer' });
  }
  if (b.issuer !== undefined && b.issuer !== null &&
      !(typeof b.issuer === 'string' && /^https?:\/\/[^\s]+$/.test(b.issuer))) {
    return json(res, 400, { message: 'issuer must be an http(s) URL or null' });
  }
  if (b.redirect_uris !== undefined && b.redirect_uris !== null &&
      !(Array.isArray(b.redirect_uris) && b.redirect_uris.every((x) => typeof x === 'string'))) {
    return json(res, 400, { message: 'redirect_uris must be an array of strings or null' });
  }
  for (const k of ['code_ttl', 'access_token_ttl', 'redirect_uris', 'issuer']) if (b[k] !== undefined) S.config[k] = b[k];
  json(res, 200, S.config);
}

// The `iss` of the access tokens: a custom authentication domain when one
// is configured (POST /_fake/config {issuer}, or --issuer), else this
// server's own URL.
function currentIssuer() {
  return S.config.issuer || OPT.issuer || ISSUER;
}

function dumpState() {
  return {
    issuer: currentIssuer(),
    client_id: CLIENT_ID,
    kid: KEYS.current.kid,
    config: S.config,
    users: [...S.users.values()].map((u) => ({ ...toUser(u), fake: u.fake })),
    organizations: [...S.orgs.values()].map(toOrg),
    memberships: [...S.memberships.values()].map((m) => ({ ...toMembership(m, false), permissions: m.permissions })),
    faults: Object.fromEntries(Object.entries(S.faults).map(([k, v]) => [k, v.map((f) => ({ ...f }))])),
    pending_codes: S.codes.size,
    sessions: S.sessions.size,
    stats: S.stats,
  };
}

async function handleControl(req, res, path, body) {
  const m = req.method;
  if (m === 'GET' && path === '/_fake/health') return json(res, 200, { ok: true });
  if (m === 'GET' && path === '/_fake/stats') return json(res, 200, { ...S.stats });
  if (m === 'GET' && path === '/_fake/config') return json(res, 200, S.config);
  if (m === 'GET' && path === '/_fake/state') return json(res, 200, dumpState());
  if (m === 'GET' && path === '/_fake/faults') return json(res, 200, S.faults);
  if (m === 'GET' && path === '/_fake/events') return json(res, 200, { data: S.events });
  if (m === 'GET' && path === '/_fake/webhooks/deliveries') return json(res, 200, { data: S.deliveries });
  if (m === 'DELETE' && path === '/_fake/faults') {
    S.faults = { authenticate: [], jwks: [], authorize: [], events: [], memberships: [] };
    return json(res, 200, { ok: true });
  }
  if (m === 'DELETE' && path === '/_fake/webhooks/faults') {
    S.webhookFaults = [];
    return json(res, 200, { ok: true });
  }
  if (m === 'DELETE') {
    const dm = /^\/_fake\/(users|organizations|memberships|directory_users)\/([^/]+)$/.exec(path);
    if (!dm) return notFound(res);
    const id = decodeURIComponent(dm[2]);
    const map = { users: S.users, organizations: S.orgs, memberships: S.memberships, directory_users: S.directoryUsers }[dm[1]];
    if (!map.has(id)) return json(res, 404, { message: `Not found: '${id}'.` });
    const gone = map.get(id);
    map.delete(id);
    const dropMembership = (mid, mm) => {
      S.memberships.delete(mid);
      mm.updated_at = stamp(mm.updated_at);
      emit('organization_membership.deleted', toMembership(mm, false));
    };
    if (dm[1] === 'memberships') {
      gone.updated_at = stamp(gone.updated_at);
      emit('organization_membership.deleted', toMembership(gone, false));
    }
    if (dm[1] === 'users' || dm[1] === 'organizations') {
      for (const [mid, mm] of S.memberships) if (mm.user_id === id || mm.organization_id === id) dropMembership(mid, mm);
    }
    if (dm[1] === 'users') {
      for (const [c, e] of S.codes) if (e.user_id === id) S.codes.delete(c);
      for (const sess of S.sessions.values()) if (sess.user_id === id) revokeSession(sess);
      gone.updated_at = stamp(gone.updated_at);
      emit('user.deleted', toUser(gone));
    }
    if (dm[1] === 'organizations') {
      gone.updated_at = stamp(gone.updated_at);
      emit('organization.deleted', toOrg(gone));
    }
    if (dm[1] === 'directory_users') {
      gone.updated_at = stamp(gone.updated_at);
      emit('dsync.user.deleted', toDirectoryUser(gone));
    }
    saveState();
    return json(res, 200, { ok: true });
  }
  if (m !== 'POST') return notFound(res);

  const b = parseJsonBody(res, body);
  if (!b) return;
  switch (path) {
    case '/_fake/reset':
      S = freshState();
      heldBack = [];
      saveState();
      return json(res, 200, { ok: true });
    case '/_fake/webhooks': return ctlWebhooks(res, b);
    case '/_fake/webhooks/faults': return ctlWebhookFault(res, b);
    case '/_fake/webhooks/flush':
      await flushWebhooks();
      return json(res, 200, { data: S.deliveries });
    case '/_fake/directory_users': return ctlDirectoryUsers(res, b);
    case '/_fake/events/age': {
      if (typeof b.days !== 'number' || !(b.days >= 0)) return json(res, 400, { message: 'days must be a number >= 0' });
      for (const e of S.events) e.created_at = new Date(Date.parse(e.created_at) - b.days * 86400000).toISOString();
      saveState();
      return json(res, 200, { ok: true, events: S.events.length });
    }
    case '/_fake/users': return ctlUsers(res, b);
    case '/_fake/organizations': return ctlOrganizations(res, b);
    case '/_fake/memberships': return ctlMemberships(res, b);
    case '/_fake/codes': return ctlCodes(res, b);
    case '/_fake/config': return ctlConfig(res, b);
    case '/_fake/faults': {
      const f = validateFault(b);
      if (typeof f === 'string') return json(res, 400, { message: f });
      S.faults[f.endpoint].push(f);
      return json(res, 201, f);
    }
    case '/_fake/rotate-key': {
      const old = KEYS.current;
      KEYS.current = makeKey();
      KEYS.retained = b.keep_old === true ? [old, ...KEYS.retained] : [];
      saveState();
      return json(res, 200, { kid: KEYS.current.kid, previous_kid: old.kid, served_kids: [KEYS.current.kid, ...KEYS.retained.map((k) => k.kid)] });
    }
    default:
      return notFound(res);
  }
}

// ------------------------------------------------------------------------------------------------
// Router

async function route(req, res, u, body) {
  const path = u.pathname;
  const m = req.method;
  if (path.startsWith('/_fake/')) return handleControl(req, res, path, body);
  if (m === 'GET' && path === '/user_management/authorize') return handleAuthorize(req, res, u);
  if (m === 'POST' && path === '/user_management/authenticate') return handleAuthenticate(req, res, body);
  let mm;
  if (m === 'GET' && (mm = /^\/sso\/jwks\/([^/]+)$/.exec(path))) {
    let cid;
    try { cid = decodeURIComponent(mm[1]); } catch (e) { cid = mm[1]; }
    return handleJwks(req, res, cid);
  }
  if (m === 'GET' && path === '/user_management/sessions/logout') {
    const sid = u.searchParams.get('session_id');
    if (!sid) return json(res, 422, { message: 'session_id is required.' });
    revokeSession(S.sessions.get(sid));
    const rt = u.searchParams.get('return_to');
    if (rt) return redirect(res, rt);
    return send(res, 200, htmlPage('Signed out', '<p>You have been signed out.</p>'), 'text/html; charset=utf-8');
  }
  if (m === 'POST' && path === '/user_management/sessions/revoke') {
    S.stats.revoke += 1;
    if (!bearerOk(req, res)) return;
    const b = parseJsonBody(res, body);
    if (!b) return;
    const s = S.sessions.get(str(b.session_id));
    if (!s) return json(res, 404, { message: `Session not found: '${str(b.session_id) || ''}'.` });
    revokeSession(s);
    return send(res, 200, '');
  }
  if (m === 'GET' && path === '/user_management/organization_memberships') {
    S.stats.memberships += 1;
    const f = takeFault('memberships');
    if (f && (await applyFault(f, req, res, 'memberships')) === 'done') return;
    if (!bearerOk(req, res)) return;
    return handleListMemberships(req, res, u.searchParams);
  }
  if (m === 'GET' && path === '/events') {
    S.stats.events += 1;
    const f = takeFault('events');
    if (f && (await applyFault(f, req, res, 'events')) === 'done') return;
    if (!bearerOk(req, res)) return;
    return handleEvents(req, res, u.searchParams);
  }
  if (m === 'GET' && (mm = /^\/user_management\/organization_memberships\/([^/]+)$/.exec(path))) {
    if (!bearerOk(req, res)) return;
    const om = S.memberships.get(mm[1]);
    if (!om) return json(res, 404, { message: `Organization membership not found: '${mm[1]}'.`, code: 'entity_not_found' });
    return json(res, 200, toMembership(om, true));
  }
  if (m === 'GET' && path === '/user_management/users') {
    if (!bearerOk(req, res)) return;
    return handleListUsers(req, res, u.searchParams);
  }
  if (m === 'GET' && (mm = /^\/user_management\/users\/([^/]+)$/.exec(path))) {
    if (!bearerOk(req, res)) return;
    const user = S.users.get(mm[1]);
    if (!user) return json(res, 404, { message: `User not found: '${mm[1]}'.` });
    return json(res, 200, toUser(user));
  }
  if (m === 'GET' && (mm = /^\/organizations\/([^/]+)$/.exec(path))) {
    if (!bearerOk(req, res)) return;
    const org = S.orgs.get(mm[1]);
    if (!org) return json(res, 404, { message: `Organization not found: '${mm[1]}'.` });
    return json(res, 200, toOrg(org));
  }
  return notFound(res);
}

async function onRequest(req, res) {
  res.setHeader('X-Request-ID', `req_${ulid()}`);
  // Log the path only: the query string may carry codes, states or tokens.
  let u;
  try {
    u = new URL(req.url, 'http://fake.invalid');
  } catch (e) {
    u = new URL('http://fake.invalid/');
  }
  const shown = u.pathname.replace(/[^\x21-\x7e]/g, '?');
  let logged = false;
  const done = (what) => { if (!logged) { logged = true; log(`${req.method} ${shown} ${what}`); } };
  res.on('finish', () => done(res.statusCode));
  res.on('close', () => done(res.dropped ? 'dropped' : 'closed'));
  try {
    const body = await readBody(req);
    if (body === null) {
      res.setHeader('Connection', 'close');
      return json(res, 413, { message: 'Request body too large (limit 1 MiB).' });
    }
    await route(req, res, u, body);
  } catch (e) {
    process.stderr.write(`[fake-workos] internal error: ${e && e.stack ? e.stack : e}\n`);
    if (!res.headersSent) json(res, 500, { message: 'Internal server error in fake WorkOS.' });
  }
}

// ------------------------------------------------------------------------------------------------
// Startup / shutdown

loadState();
if (!KEYS.current) {
  KEYS.current = makeKey();
  if (OPT.stateFile) saveState();
}

const server = http.createServer(onRequest);
server.keepAliveTimeout = 5000;
let wrotePid = false;

function cleanupPid() {
  if (!OPT.pidfile || !wrotePid) return;
  try {
    if (fs.readFileSync(OPT.pidfile, 'utf8').trim() === String(process.pid)) fs.unlinkSync(OPT.pidfile);
  } catch (e) { /* ignore */ }
}

let stopping = false;
function shutdown(sig) {
  if (stopping) return;
  stopping = true;
  log(`${sig}: shutting down`);
  cleanupPid();
  server.close(() => process.exit(0));
  if (typeof server.closeAllConnections === 'function') server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

server.on('error', (e) => {
  process.stderr.write(`fake-workos: cannot listen on ${OPT.host}:${OPT.port}: ${e.message}\n`);
  process.exit(1);
});

server.listen(OPT.port, OPT.host, () => {
  const port = server.address().port;
  const host = OPT.host.includes(':') ? `[${OPT.host}]` : OPT.host;
  ISSUER = `http://${host}:${port}`;
  if (OPT.pidfile) {
    try {
      fs.writeFileSync(OPT.pidfile, `${process.pid}\n`);
      wrotePid = true;
    } catch (e) {
      process.stderr.write(`fake-workos: cannot write pidfile: ${e.message}\n`);
    }
  }
  process.stdout.write(`listening on ${ISSUER}\n`);
  // The key of forged tokens, made off the event loop now: made on demand
  // it could hold every answer back for seconds on a loaded machine.
  warmSpareKey();
});
