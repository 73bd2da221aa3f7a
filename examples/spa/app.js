// The demo app: a plain-JS client of the suite's browser sessions and
// content API (README.md beside this file explains the flow).
//
// The access token (JWT) lives in this module's memory only: never in
// localStorage, sessionStorage or a cookie the page can read.  The session
// itself is the HttpOnly cookie wos_session, which only /api/auth/ sees;
// POST /api/auth/refresh turns it into a fresh JWT.

const API = (document.querySelector('meta[name="api-base"]')?.content || '').replace(/\/+$/, '');
const RENEW_AT = 0.8;      // renew when this share of the token's lifetime has passed
const RETRY_MS = 5000;     // after a failed renewal that did not end the session

const ERRORS = {
  access_denied: 'The sign-in was cancelled or refused.',
  account_blocked: 'This account is blocked. Ask an administrator to unblock it.',
  account_conflict: 'This e-mail address belongs to an account that this sign-in cannot use.',
  sign_in_failed: 'The sign-in could not be completed. Please try again.',
  state_expired: 'The sign-in took too long. Please try again.',
  step_required: 'Your organization asks for another sign-in step (such as SSO or MFA) first.',
  workos_unavailable: 'The sign-in service cannot be reached right now. Please try again in a moment.',
  server_error: 'Something went wrong on our side. Please try again.',
};

const $ = (id) => document.getElementById(id);

// el('li', {class: 'x', dataset: {id: 1}}, 'text', child): a new element.
// Text always goes in as text, never as HTML.
function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details || {};
  }
}

// ------------------------------------------------------------ the access token

let jwt = null;        // the current access token
let claims = null;     // its payload: id, organizationId, sid, iat, exp
let timer = 0;         // the scheduled renewal
let inflight = null;   // a renewal under way, shared by everyone who asks
let renewals = 0;

function decodeClaims(token) {
  const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function setToken(token) {
  jwt = token;
  claims = decodeClaims(token);
  // The lifetime the server gave, counted from now: the client's clock
  // may be off, the token's own iat and exp are not.
  const life = Math.max(0, claims.exp - claims.iat);
  schedule(Math.max(1, life * RENEW_AT) * 1000);
  showToken();
}

function forgetToken() {
  jwt = null;
  claims = null;
  clearTimeout(timer);
  timer = 0;
}

function schedule(ms) {
  clearTimeout(timer);
  timer = setTimeout(() => renew().catch(() => {}), ms);
}

// renew(): a fresh JWT from the session cookie.  Resolves true (signed in)
// or false (no session, or it has ended); rejects when the server could not
// be asked, keeping the current token and trying again shortly.
function renew() {
  if (inflight) return inflight;
  inflight = (async () => {
    try {
      let res;
      try {
        res = await fetch(API + '/api/auth/refresh', {
          method: 'POST', credentials: 'include', cache: 'no-store',
          headers: { Accept: 'application/json' },
        });
      } catch (e) {
        throw new ApiError(0, 'The server cannot be reached.');
      }
      if (res.ok) {
        const body = await res.json();
        renewals += 1;
        setToken(body.jwt);
        return true;
      }
      if (res.status === 401) {
        const wasSignedIn = jwt !== null;
        forgetToken();
        if (wasSignedIn) showSignedOut('Your session has ended. Please sign in again.');
        return false;
      }
      const body = await res.json().catch(() => null);
      throw new ApiError(res.status, body?.error?.message || `The server answered ${res.status}.`);
    } catch (e) {
      if (jwt) schedule(RETRY_MS);
      throw e;
    } finally {
      inflight = null;
    }
  })();
  return inflight;
}

// api(path, {method, body, auth}): one call of the content or session API,
// with the JWT; a 401 renews the token once and tries again.
async function api(path, { method = 'GET', body, auth = true } = {}, retried = false) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth && jwt) headers.Authorization = `Bearer ${jwt}`;
  let res;
  try {
    res = await fetch(API + path, {
      method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached.');
  }
  if (res.status === 401 && auth && !retried) {
    if (await renew()) return api(path, { method, body, auth }, true);
    throw new ApiError(401, 'Your session has ended. Please sign in again.');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error;
    const first = err?.details?.errors?.[0]?.message;
    throw new ApiError(res.status, first || err?.message || `The server answered ${res.status}.`, err?.details);
  }
  return data;
}

// Where sign-in and sign-out come back to: this page.
function returnTo() {
  return API ? location.origin + location.pathname : location.pathname;
}

function withReturnTo(url) {
  return `${url}${url.includes('?') ? '&' : '?'}return_to=${encodeURIComponent(returnTo())}`;
}

// ------------------------------------------------------------ messages

function notice(text) {
  const n = $('notice');
  n.textContent = text || '';
  n.hidden = !text;
}

function status(text) {
  $('status').textContent = text;
}

function fail(e) {
  notice(e instanceof ApiError ? e.message : 'Something went wrong. Please try again.');
  if (!(e instanceof ApiError)) console.error(e);
}

// ------------------------------------------------------------ views

let me = null;
let orgs = [];

function show(view) {
  $('loading').hidden = view !== 'loading';
  $('signed-out').hidden = view !== 'signed-out';
  $('signed-in').hidden = view !== 'signed-in';
  $('account').hidden = view !== 'signed-in';
  document.body.dataset.state = view;
}

function showSignedOut(message) {
  forgetToken();
  me = null;
  orgs = [];
  show('signed-out');
  if (message) notice(message);
}

function showToken() {
  const t = $('token-info');
  if (!claims) {
    t.textContent = '';
    return;
  }
  const time = (s) => new Date(s * 1000).toLocaleTimeString();
  t.textContent = `valid until ${time(claims.exp)}, renewed automatically`;
  t.dataset.iat = claims.iat;
  t.dataset.exp = claims.exp;
  t.dataset.renewals = renewals;
}

function orgName(id) {
  const o = orgs.find((x) => x.organizationId === id);
  return (o && o.name) || id;
}

async function showSignedIn() {
  const [meBody, orgBody] = await Promise.all([
    api('/api/users/me'),
    api('/api/users/me/organizations'),
  ]);
  me = meBody;
  orgs = orgBody.data || [];
  const name = [me.firstName, me.lastName].filter(Boolean).join(' ') || me.username || me.email;
  $('who').textContent = `Signed in as ${name}`;
  $('me-name').textContent = name;
  $('me-email').textContent = me.email;
  $('me-org').textContent = claims.organizationId ? orgName(claims.organizationId) : 'none chosen';
  $('me-org').dataset.orgId = claims.organizationId || '';
  $('me-role').textContent = me.role || '—';
  showToken();
  renderOrgs();
  show('signed-in');
  await Promise.all([loadPosts(), loadSessions()]);
}

function renderOrgs() {
  const list = $('orgs');
  list.replaceChildren();
  for (const o of orgs) {
    const current = o.organizationId === claims.organizationId;
    const label = o.name || o.organizationId;
    list.append(el('li', {
      'data-testid': 'org', dataset: { orgId: o.organizationId }, 'aria-current': current ? 'true' : null,
    },
    el('span', { class: 'grow' }, el('strong', {}, label), ` · ${o.role || 'no role'}`),
    current
      ? el('span', { class: 'badge', 'data-testid': 'org-current' }, 'current')
      : el('button', {
        type: 'button', 'data-testid': 'switch-org', dataset: { orgId: o.organizationId },
        'aria-label': `Switch to ${label}`, onclick: () => switchOrg(o.organizationId),
      }, 'Switch')));
  }
  $('orgs-empty').hidden = orgs.length > 0;
}

async function switchOrg(id) {
  notice('');
  status(`Switching to ${orgName(id)}…`);
  try {
    const body = await api('/api/auth/switch-organization', { method: 'POST', body: { organizationId: id } });
    setToken(body.jwt);
    resetPostForm();
    await showSignedIn();
    status(`Now in ${orgName(id)}.`);
  } catch (e) {
    if (e.status === 403 && typeof e.details.loginUrl === 'string' && e.details.loginUrl.startsWith('/')) {
      // The organization wants a fresh sign-in (SSO, MFA): go through it.
      status(`${orgName(id)} asks you to sign in again…`);
      location.assign(withReturnTo(API + e.details.loginUrl));
      return;
    }
    status('');
    fail(e);
  }
}

// ------------------------------------------------------------ blog posts

let posts = [];

async function loadPosts() {
  const org = claims.organizationId;
  $('posts-no-org').hidden = !!org;
  $('posts-area').hidden = !org;
  $('posts-org').textContent = org ? orgName(org) : 'your organization';
  if (!org) return;
  const q = new URLSearchParams({
    'filters[organizationId][$eq]': org,
    'sort[0]': 'updatedAt:desc',
    'pagination[pageSize]': '100',
  });
  const body = await api(`/api/blog-posts?${q}`);
  posts = body.data || [];
  const list = $('posts');
  list.replaceChildren();
  for (const p of posts) {
    list.append(el('li', { 'data-testid': 'post', dataset: { documentId: p.documentId } },
      el('div', { class: 'grow' },
        el('strong', { 'data-testid': 'post-title-text' }, p.title),
        ' ', el('span', { class: `badge ${p.status}`, 'data-testid': 'post-status-text' }, p.status),
        p.content ? el('p', { class: 'excerpt' }, p.content.slice(0, 200)) : null),
      el('button', {
        type: 'button', 'data-testid': 'post-edit', 'aria-label': `Edit ${p.title}`,
        onclick: () => editPost(p),
      }, 'Edit'),
      el('button', {
        type: 'button', class: 'danger', 'data-testid': 'post-delete', 'aria-label': `Delete ${p.title}`,
        onclick: () => deletePost(p),
      }, 'Delete')));
  }
  $('posts-empty').hidden = posts.length > 0;
}

function editPost(p) {
  $('post-id').value = p.documentId;
  $('post-title').value = p.title || '';
  $('post-content').value = p.content || '';
  $('post-status').value = p.status || 'draft';
  $('post-form-title').textContent = `Edit “${p.title}”`;
  $('post-save').textContent = 'Save changes';
  $('post-cancel').hidden = false;
  $('post-title').focus();
}

function resetPostForm() {
  $('post-form').reset();
  $('post-id').value = '';
  $('post-form-title').textContent = 'New blog post';
  $('post-save').textContent = 'Create post';
  $('post-cancel').hidden = true;
  $('post-title').removeAttribute('aria-invalid');
}

async function savePost(ev) {
  ev.preventDefault();
  notice('');
  const id = $('post-id').value;
  const data = {
    title: $('post-title').value.trim(),
    content: $('post-content').value,
    status: $('post-status').value,
  };
  if (!data.title) {
    $('post-title').setAttribute('aria-invalid', 'true');
    notice('A blog post needs a title.');
    $('post-title').focus();
    return;
  }
  const button = $('post-save');
  button.disabled = true;
  try {
    if (id) {
      await api(`/api/blog-posts/${encodeURIComponent(id)}`, { method: 'PUT', body: { data } });
      status(`Saved “${data.title}”.`);
    } else {
      await api('/api/blog-posts', { method: 'POST', body: { data } });
      status(`Created “${data.title}”.`);
    }
    resetPostForm();
    await loadPosts();
  } catch (e) {
    fail(e);
  } finally {
    button.disabled = false;
  }
}

async function deletePost(p) {
  if (!confirm(`Delete “${p.title}”?`)) return;
  notice('');
  try {
    await api(`/api/blog-posts/${encodeURIComponent(p.documentId)}`, { method: 'DELETE' });
    if ($('post-id').value === p.documentId) resetPostForm();
    status(`Deleted “${p.title}”.`);
    await loadPosts();
  } catch (e) {
    fail(e);
  }
}

// ------------------------------------------------------------ sessions

async function loadSessions() {
  const list = $('sessions');
  let body;
  try {
    body = await api('/api/auth/sessions');
  } catch (e) {
    list.replaceChildren(el('li', { class: 'muted' }, `Sessions unavailable: ${e.message}`));
    return;
  }
  list.replaceChildren();
  for (const s of body.data || []) {
    const when = s.lastUsedAt ? new Date(s.lastUsedAt).toLocaleString() : '';
    list.append(el('li', { 'data-testid': 'session', dataset: { current: s.current ? 'true' : 'false' } },
      el('span', { class: 'grow' },
        el('strong', {}, s.current ? 'This browser' : (s.userAgent || 'Unknown device').slice(0, 60)),
        ` · last used ${when}${s.ip ? ` from ${s.ip}` : ''}`),
      s.current ? null : el('button', {
        type: 'button', class: 'danger', 'aria-label': 'End this session',
        onclick: () => endSession(s.id),
      }, 'End')));
  }
}

async function endSession(id) {
  try {
    await api(`/api/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' });
    status('Session ended.');
    await loadSessions();
  } catch (e) {
    fail(e);
  }
}

// ------------------------------------------------------------ public articles

async function loadArticles() {
  const q = new URLSearchParams({ 'sort[0]': 'publishedAt:desc', 'pagination[pageSize]': '20' });
  const list = $('articles');
  try {
    const body = await api(`/api/articles?${q}`, { auth: false });
    list.replaceChildren(...(body.data || []).map((a) => el('li', { 'data-testid': 'article' },
      el('div', { class: 'grow' },
        el('strong', { 'data-testid': 'article-title' }, a.title),
        a.content ? el('p', { class: 'excerpt' }, a.content.slice(0, 200)) : null))));
    $('articles-empty').hidden = list.children.length > 0;
  } catch (e) {
    list.replaceChildren(el('li', { class: 'muted' }, `Articles unavailable: ${e.message}`));
  }
}

// ------------------------------------------------------------ sign-in and sign-out

// Other tabs of this app hear about a sign-out at once.
const channel = 'BroadcastChannel' in window ? new BroadcastChannel('content-demo-session') : null;
if (channel) {
  channel.onmessage = (ev) => {
    if (ev.data === 'signed-out' && jwt) showSignedOut('You signed out in another tab.');
  };
}

function signIn() {
  location.assign(withReturnTo(API + '/api/auth/workos/login'));
}

async function signOut() {
  const button = $('sign-out');
  button.disabled = true;
  notice('');
  try {
    const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    if (jwt) headers.Authorization = `Bearer ${jwt}`;
    const res = await fetch(API + '/api/auth/logout', {
      method: 'POST', credentials: 'include', cache: 'no-store', headers,
      body: JSON.stringify({ returnTo: returnTo() }),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new ApiError(res.status, body?.error?.message || `The server answered ${res.status}.`);
    forgetToken();
    channel?.postMessage('signed-out');
    // Through WorkOS, so its session ends too; it sends the browser back here.
    location.assign(body?.logoutUrl || returnTo());
  } catch (e) {
    button.disabled = false;
    fail(e instanceof ApiError ? e : new ApiError(0, 'The server cannot be reached.'));
  }
}

// A failed sign-in comes back as ?error=<code>: say what happened, then
// take the code out of the address bar so a reload does not repeat it.
function takeSignInError() {
  const url = new URL(location.href);
  const code = url.searchParams.get('error');
  if (code === null) return;
  notice(ERRORS[code] || 'The sign-in did not complete. Please try again.');
  document.body.dataset.signInError = /^[a-z_]{1,40}$/.test(code) ? code : 'unknown';
  url.searchParams.delete('error');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

async function start() {
  show('loading');
  loadArticles();
  try {
    if (await renew()) await showSignedIn();
    else showSignedOut();
  } catch (e) {
    showSignedOut();
    fail(e);
  }
}

$('sign-in').addEventListener('click', signIn);
$('sign-out').addEventListener('click', signOut);
$('post-form').addEventListener('submit', savePost);
$('post-cancel').addEventListener('click', resetPostForm);

// A tab that slept (timers paused or throttled) renews as soon as it is seen.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState !== 'visible' || !claims) return;
  const left = claims.exp * 1000 - Date.now();
  if (left < (claims.exp - claims.iat) * 1000 * (1 - RENEW_AT)) renew().catch(() => {});
});

// Back from the back/forward cache: the session may have ended meanwhile.
window.addEventListener('pageshow', (ev) => {
  if (ev.persisted) start();
});

takeSignInError();
start();
