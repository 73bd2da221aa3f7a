// The demo app (examples/spa) in Debian's Chromium, headless, driven by
// puppeteer-core: the whole journey of a person, step by step.  Each step
// prints one line, "ok - <suite>: <step>" or "not ok - <suite>: <step>: <why>",
// and saves a screenshot NN-<step>.png in SCREENS.  Run by
// tests/integration/90_browser.sh, which seeds the fake WorkOS and the API:
//
//   BASE_URL   the suite under lighttpd, serving examples/spa at /
//   FAKE_URL   the fake WorkOS (its control API and sign-in page)
//   SCREENS    directory for the screenshots
//   PROFILE    a new, empty directory for Chromium's profile
//   CHROMIUM   the browser (/usr/bin/chromium)
//   T_SUITE    the suite name for the result lines
//   T_PIDS     file the browser's PID is added to (the test runner stops it)
//   PIDFILE    file that gets the browser's PID alone
//   ANN, BOB   the fake's user ids; ORG_A, ORG_B, ORG_SSO the organizations
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const env = (k, d) => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
const BASE = env('BASE_URL').replace(/\/$/, '');
const FAKE = env('FAKE_URL').replace(/\/$/, '');
const SCREENS = env('SCREENS');
const SUITE = env('T_SUITE', 'browser');
const ANN = env('ANN');
const BOB = env('BOB');
const ORG_A = env('ORG_A');
const ORG_B = env('ORG_B');
const ORG_SSO = env('ORG_SSO');
const WAIT = Number(env('STEP_TIMEOUT_MS', '60000'));
const LOG = process.env.JOURNEY_LOG;

fs.mkdirSync(SCREENS, { recursive: true });

// ------------------------------------------------------------ reporting

let n = 0;
let current = null;   // the page a step's screenshot shows
const jsErrors = [];

function report(line) {
  console.log(line);
  if (LOG) fs.appendFileSync(LOG, line + '\n');
}

async function step(name, fn) {
  n += 1;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
  const file = path.join(SCREENS, `${String(n).padStart(2, '0')}-${slug}.png`);
  let why = null;
  try {
    await fn();
  } catch (e) {
    why = (e && e.message ? e.message : String(e)).replace(/\s+/g, ' ').slice(0, 400);
  }
  try {
    if (current && !current.isClosed()) {
      await current.bringToFront();   // a tab in the background may never paint
      await current.screenshot({ path: file, fullPage: true });
    }
  } catch (e) {
    why = why || `no screenshot: ${e.message}`;
  }
  report(why === null ? `ok - ${SUITE}: ${name}` : `not ok - ${SUITE}: ${name}: ${why}`);
  return why === null;
}

function assert(cond, why) {
  if (!cond) throw new Error(why);
}

function same(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: got ${g}, want ${w}`);
}

// ------------------------------------------------------------ helpers

async function fake(method, p, body) {
  const res = await fetch(FAKE + p, {
    method, headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake WorkOS ${method} ${p}: ${res.status}`);
  return res.json().catch(() => null);
}

// Every tab is watched: its refresh calls, the JWTs they brought, and any
// script error or Content-Security-Policy complaint.
function watch(page, label) {
  const w = { refreshes: 0, jwts: [], workosLogouts: 0, label };
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.pathname === '/api/auth/refresh') w.refreshes += 1;
    if (u.origin === FAKE && u.pathname === '/user_management/sessions/logout') w.workosLogouts += 1;
  });
  page.on('response', async (res) => {
    if (new URL(res.url()).pathname !== '/api/auth/refresh' || res.status() !== 200) return;
    try {
      const body = await res.json();
      if (body.jwt) w.jwts.push(body.jwt);
    } catch { /* a navigation may take the body away */ }
  });
  page.on('pageerror', (e) => jsErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) {
      jsErrors.push(`${label}: ${m.text()}`);
    }
  });
  page.on('dialog', (d) => d.accept());
  // A trail on stderr (journey.err) to tell what a failed step saw.
  const t0 = Date.now();
  const trail = (what) => process.stderr.write(`${((Date.now() - t0) / 1000).toFixed(1)}s ${label}: ${what}\n`);
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) trail(`at ${f.url()}`); });
  page.on('requestfailed', (r) => trail(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on('response', (r) => trail(`${r.status()} ${r.request().method()} ${r.url().split('?')[0]}`));
  page.setDefaultTimeout(WAIT);
  page.setDefaultNavigationTimeout(WAIT);
  return w;
}

const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

const state = (page, s) => page.waitForSelector(`body[data-state="${s}"]`);
const text = (page, sel) => page.$eval(sel, (e) => e.textContent.trim());
const texts = (page, sel) => page.$$eval(sel, (es) => es.map((e) => e.textContent.trim()));
const postTitles = (page) => texts(page, '[data-testid="post"] [data-testid="post-title-text"]');

// waitText(page, sel, want): until the element's text is want.
async function waitText(page, sel, want) {
  await page.waitForFunction((s, w) => document.querySelector(s)?.textContent.trim() === w, {}, sel, want)
    .catch(async () => {
      const got = await page.$eval(sel, (e) => e.textContent.trim()).catch(() => '(missing)');
      throw new Error(`${sel}: got "${got}", want "${want}"`);
    });
}

// waitPosts(page, titles): until the post list is exactly these titles.
async function waitPosts(page, want) {
  await page.waitForFunction((w) => {
    const got = [...document.querySelectorAll('[data-testid="post"] [data-testid="post-title-text"]')]
      .map((e) => e.textContent.trim());
    return JSON.stringify(got.sort()) === JSON.stringify([...w].sort());
  }, {}, want).catch(async () => {
    throw new Error(`posts: got ${JSON.stringify(await postTitles(page))}, want ${JSON.stringify(want)}`);
  });
}

// arrive(page, prefix): until the tab shows a loaded page whose address
// starts with prefix.  (Waiting on the page rather than on puppeteer's
// navigation events: a redirect through another origin may swap the
// renderer mid-way, which those events do not always survive.)
async function arrive(page, prefix) {
  await page.waitForFunction((p) => location.href.startsWith(p) && document.readyState === 'complete',
    { polling: 100 }, prefix).catch(() => {
    throw new Error(`never arrived at ${prefix}; the tab is at ${page.url()}`);
  });
}

const SIGN_IN_PAGE = `${FAKE}/user_management/authorize`;

// The fake WorkOS's sign-in page: pick a user (a link per user); back at the app.
async function pickUser(page, userId) {
  assert(page.url().startsWith(SIGN_IN_PAGE), `not on the WorkOS page but at ${page.url()}`);
  await page.click(`a.user[data-user-id="${userId}"]`);
  await arrive(page, `${BASE}/`);
}

// toSignInPage(page, sel): click what leads to the WorkOS sign-in page.
async function toSignInPage(page, sel) {
  await page.click(sel);
  await arrive(page, SIGN_IN_PAGE);
}

async function writePost(page, { title, content = '', status = 'draft' }) {
  await page.$eval('#post-title', (e) => { e.value = ''; });
  await page.type('#post-title', title);
  await page.$eval('#post-content', (e, v) => { e.value = v; }, content);
  await page.select('#post-status', status);
  await page.click('#post-save');
}

const postItem = (title) => `xpath/.//li[@data-testid="post"][.//*[@data-testid="post-title-text"][normalize-space()="${title}"]]`;

async function apiStatus(p, jwt) {
  const res = await fetch(BASE + p, { headers: jwt ? { Authorization: `Bearer ${jwt}` } : {} });
  return res.status;
}

// ------------------------------------------------------------ the journey

const browser = await puppeteer.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  headless: true,
  userDataDir: env('PROFILE'),
  defaultViewport: { width: 1100, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--lang=en-US'],
  protocolTimeout: 180000,
});
const pid = browser.process()?.pid;
if (pid) {
  if (process.env.T_PIDS) fs.appendFileSync(process.env.T_PIDS, `${pid}\n`);
  if (process.env.PIDFILE) fs.writeFileSync(process.env.PIDFILE, `${pid}\n`);
}
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    try { browser.process()?.kill('SIGKILL'); } catch { /* gone */ }
    process.exit(130);
  });
}

let exitCode = 0;
try {
  const tab1 = (await browser.pages())[0] || await browser.newPage();
  const w1 = watch(tab1, 'tab 1');
  current = tab1;
  let tab2 = null;
  let w2 = null;

  await step('the app loads at / and shows the signed-out view', async () => {
    await tab1.goto(`${BASE}/`, { waitUntil: 'load' });
    await state(tab1, 'signed-out');
    assert(await tab1.$eval('#sign-in', (e) => !e.closest('[hidden]')), 'no visible sign-in button');
    same(await tab1.title(), 'Content demo', 'title');
  });

  await step('public articles are listed without signing in', async () => {
    await tab1.waitForSelector('[data-testid="article"]');
    const got = await texts(tab1, '[data-testid="article-title"]');
    assert(got.includes('Welcome to the demo') && got.includes('How sessions work'), `articles: ${JSON.stringify(got)}`);
  });

  await step('a failed sign-in comes back with a readable message', async () => {
    await fake('POST', '/_fake/faults', { endpoint: 'authenticate', kind: 'status', status: 500 });
    await toSignInPage(tab1, '#sign-in');
    await pickUser(tab1, ANN);
    await state(tab1, 'signed-out');
    await tab1.waitForSelector('#notice:not([hidden])');
    const msg = await text(tab1, '#notice');
    assert(/cannot be reached/.test(msg), `notice: "${msg}"`);
    same(await tab1.$eval('body', (b) => b.dataset.signInError), 'workos_unavailable', 'the error code');
    assert(!new URL(tab1.url()).searchParams.has('error'), `the code stays in the address bar: ${tab1.url()}`);
  });

  await step('sign in through the WorkOS page, choosing the user', async () => {
    await fake('DELETE', '/_fake/faults');
    await toSignInPage(tab1, '#sign-in');
    assert(tab1.url().startsWith(`${FAKE}/user_management/authorize`), `sign-in went to ${tab1.url()}`);
    await tab1.screenshot({ path: path.join(SCREENS, `${String(n).padStart(2, '0')}-workos-sign-in-page.png`) });
    await pickUser(tab1, ANN);
    same(tab1.url(), `${BASE}/`, 'back at the app');
    await state(tab1, 'signed-in');
    assert((await tab1.$eval('#notice', (e) => e.hidden)), 'the old error is still shown');
  });

  await step('the app shows who is signed in', async () => {
    await waitText(tab1, '#me-email', 'ann@example.com');
    same(await text(tab1, '#me-name'), 'Ann Archer', 'name');
    same(await text(tab1, '#who'), 'Signed in as Ann Archer', 'header');
    same(await tab1.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length), 0,
      'items in web storage');
    const cookies = await tab1.evaluate(() => document.cookie);
    assert(!/wos_session/.test(cookies), 'the session cookie is readable by scripts');
  });

  await step("the app lists the user's organizations", async () => {
    await tab1.waitForSelector('[data-testid="org"]');
    const orgs = await tab1.$$eval('[data-testid="org"]', (es) => es.map((e) => [e.dataset.orgId, e.textContent.trim()]));
    same(orgs.map((o) => o[0]), [ORG_A, ORG_B, ORG_SSO], 'organizations');
    assert(/Alpha.*admin/.test(orgs[0][1]) && /Beta.*member/.test(orgs[1][1]), `labels: ${JSON.stringify(orgs)}`);
    same(await text(tab1, '#me-org'), 'none chosen', 'organization with several memberships');
    assert(await tab1.$eval('#posts-no-org', (e) => !e.hidden), 'no hint to choose an organization');
  });

  await step('switch organization', async () => {
    await tab1.click(`[data-testid="switch-org"][data-org-id="${ORG_A}"]`);
    await waitText(tab1, '#me-org', 'Alpha');
    same(await text(tab1, '#me-role'), 'admin', 'role in Alpha');
    same(await tab1.$eval(`[data-testid="org"][data-org-id="${ORG_A}"]`, (e) => e.getAttribute('aria-current')), 'true', 'current marker');
    await tab1.waitForSelector('#posts-area:not([hidden])');
    await waitPosts(tab1, []);
  });

  await step("create blog posts in the organization and see the list grow", async () => {
    await writePost(tab1, { title: 'Alpha launch notes', content: 'What we ship on Monday.', status: 'draft' });
    await waitPosts(tab1, ['Alpha launch notes']);
    await writePost(tab1, { title: 'Alpha scratch', content: 'To be deleted.' });
    await waitPosts(tab1, ['Alpha launch notes', 'Alpha scratch']);
    await waitText(tab1, '#status', 'Created “Alpha scratch”.');
  });

  await step('edit a blog post and see the list change', async () => {
    const item = await tab1.waitForSelector(postItem('Alpha launch notes'));
    await (await item.$('[data-testid="post-edit"]')).click();
    same(await tab1.$eval('#post-title', (e) => e.value), 'Alpha launch notes', 'the form holds the post');
    same(await text(tab1, '#post-save'), 'Save changes', 'the save button');
    await writePost(tab1, { title: 'Alpha launch notes, final', content: 'Shipped.', status: 'published' });
    await waitPosts(tab1, ['Alpha launch notes, final', 'Alpha scratch']);
    const st = await (await tab1.waitForSelector(postItem('Alpha launch notes, final')))
      .$eval('[data-testid="post-status-text"]', (e) => e.textContent);
    same(st, 'published', 'status after the edit');
    same(await text(tab1, '#post-save'), 'Create post', 'the form is back to new');
  });

  await step('delete a blog post and see it leave the list', async () => {
    const item = await tab1.waitForSelector(postItem('Alpha scratch'));
    await (await item.$('[data-testid="post-delete"]')).click();
    await waitPosts(tab1, ['Alpha launch notes, final']);
  });

  await step("another organization shows only its own posts, and a post created there", async () => {
    await tab1.click(`[data-testid="switch-org"][data-org-id="${ORG_B}"]`);
    await waitText(tab1, '#me-org', 'Beta');
    same(await text(tab1, '#me-role'), 'member', 'role in Beta');
    await waitPosts(tab1, []);
    await writePost(tab1, { title: 'Beta roadmap', content: 'Next quarter.', status: 'draft' });
    await waitPosts(tab1, ['Beta roadmap']);
  });

  await step('an API answer 401 makes the app renew its token once and retry', async () => {
    // The first POST /api/blog-posts is answered 401 here, before the API
    // sees it; between it and the repeated POST the app must refresh once.
    const posts = [];
    await tab1.setRequestInterception(true);
    const onReq = (req) => {
      if (req.isInterceptResolutionHandled()) return;
      if (new URL(req.url()).pathname === '/api/blog-posts' && req.method() === 'POST') {
        posts.push(w1.refreshes);
        if (posts.length === 1) {
          req.respond({
            status: 401, contentType: 'application/json',
            body: JSON.stringify({ data: null, error: { status: 401, name: 'UnauthorizedError', message: 'Unauthorized', details: {} } }),
          });
          return;
        }
      }
      req.continue();
    };
    tab1.on('request', onReq);
    try {
      await writePost(tab1, { title: 'Beta retro', content: 'After the 401.' });
      await waitPosts(tab1, ['Beta roadmap', 'Beta retro']);
    } finally {
      tab1.off('request', onReq);
      await tab1.setRequestInterception(false);
    }
    same(posts.length, 2, 'POST /api/blog-posts sent');
    same(posts[1] - posts[0], 1, 'refreshes between the 401 and the retry');
  });

  await step('an organization that asks for a new sign-in goes through WorkOS and back', async () => {
    await toSignInPage(tab1, `[data-testid="switch-org"][data-org-id="${ORG_SSO}"]`);
    const u = new URL(tab1.url());
    same(u.origin + u.pathname, `${FAKE}/user_management/authorize`, 'sent to');
    same(u.searchParams.get('organization_id'), ORG_SSO, 'the organization WorkOS is asked for');
    await pickUser(tab1, ANN);
    await state(tab1, 'signed-in');
    await waitText(tab1, '#me-org', 'Needs SSO');
    await waitPosts(tab1, []);
  });

  await step('a second tab is signed in too (its own refresh with the cookie)', async () => {
    tab2 = await browser.newPage();
    w2 = watch(tab2, 'tab 2');
    current = tab2;
    await tab2.goto(`${BASE}/`, { waitUntil: 'load' });
    await state(tab2, 'signed-in');
    await waitText(tab2, '#me-email', 'ann@example.com');
    await waitText(tab2, '#me-org', 'Needs SSO');
    assert(w2.refreshes >= 1, 'the second tab did not refresh');
    const sessions = await tab2.$$eval('[data-testid="session"]', (es) => es.map((e) => e.dataset.current));
    assert(sessions.filter((c) => c === 'true').length === 1, `sessions: ${JSON.stringify(sessions)}`);
  });

  await step('a reload keeps the session and its organization', async () => {
    current = tab1;
    await tab1.bringToFront();
    const before = w1.refreshes;
    await tab1.reload({ waitUntil: 'load' });
    await state(tab1, 'signed-in');
    await waitText(tab1, '#me-email', 'ann@example.com');
    await waitText(tab1, '#me-org', 'Needs SSO');
    assert(w1.refreshes > before, 'no refresh after the reload');
  });

  await step('the token is renewed before it expires, with no action from the user', async () => {
    const t0 = await tab1.$eval('#token-info', (e) => ({ iat: Number(e.dataset.iat), exp: Number(e.dataset.exp), renewals: Number(e.dataset.renewals) }));
    const count = w1.refreshes;
    const jwts = w1.jwts.length;
    assert(t0.exp - t0.iat <= 60, `the suite runs with a short ACCESS_TOKEN_TTL, the token lives ${t0.exp - t0.iat} s`);
    // The app renews at 80% of the lifetime; wait up to the whole lifetime and more.
    await tab1.waitForFunction((iat) => Number(document.querySelector('#token-info').dataset.iat) > iat,
      { timeout: (t0.exp - t0.iat) * 1000 + 30000, polling: 500 }, t0.iat);
    const t1 = await tab1.$eval('#token-info', (e) => ({ iat: Number(e.dataset.iat), renewals: Number(e.dataset.renewals) }));
    assert(t1.renewals > t0.renewals, 'the renewal counter did not move');
    assert(w1.refreshes > count, 'no POST /api/auth/refresh was seen');
    assert(w1.jwts.length > jwts, 'no new JWT was seen');
    const fresh = w1.jwts[w1.jwts.length - 1];
    same(claimsOf(fresh).iat, t1.iat, 'the shown token is the refreshed one');
    same(await apiStatus('/api/users/me', fresh), 200, 'the renewed JWT on /api/users/me');
    await waitText(tab1, '#me-email', 'ann@example.com');
  });

  let lastJwt = null;
  await step('sign out returns to the app, signed out', async () => {
    lastJwt = w1.jwts[w1.jwts.length - 1];
    assert(lastJwt, 'no JWT seen before signing out');
    const seen = w1.workosLogouts;
    await tab1.click('#sign-out');
    await state(tab1, 'signed-out');
    await arrive(tab1, `${BASE}/`);
    same(w1.workosLogouts - seen, 1, 'visits to the WorkOS logout');
    const cookies = await browser.cookies();
    assert(!cookies.some((c) => c.name === 'wos_session'), 'the session cookie is still there');
  });

  await step("the signed-out session's JWT is refused (401)", async () => {
    same(await apiStatus('/api/users/me', lastJwt), 401, 'GET /api/users/me with the old JWT');
    same(await apiStatus('/api/blog-posts', lastJwt), 401, 'GET /api/blog-posts with the old JWT');
  });

  await step('the other tab is told at once and shows signed out', async () => {
    current = tab2;
    await state(tab2, 'signed-out');
    same(await text(tab2, '#notice'), 'You signed out in another tab.', 'its notice');
  });

  await step('the next load is signed out', async () => {
    current = tab1;
    await tab1.bringToFront();
    await tab2.close();
    await tab1.goto(`${BASE}/`, { waitUntil: 'load' });
    await state(tab1, 'signed-out');
    same(await tab1.$$eval('[data-testid="org"]', (es) => es.length), 0, 'organizations shown');
  });

  await step('sign in as another user and see their own data', async () => {
    await toSignInPage(tab1, '#sign-in');
    await pickUser(tab1, BOB);
    await state(tab1, 'signed-in');
    await waitText(tab1, '#me-email', 'bob@example.com');
    same(await text(tab1, '#me-name'), 'Bob Baker', 'name');
    // One membership: the sign-in enters that organization by itself.
    await waitText(tab1, '#me-org', 'Beta');
    same(await text(tab1, '#me-role'), 'member', 'role');
    const orgs = await tab1.$$eval('[data-testid="org"]', (es) => es.map((e) => e.dataset.orgId));
    same(orgs, [ORG_B], 'organizations');
    await waitPosts(tab1, ['Beta roadmap', 'Beta retro']);
    const sessions = await tab1.$$eval('[data-testid="session"]', (es) => es.length);
    same(sessions, 1, "Bob's sessions");
  });

  await step('no script errors or Content-Security-Policy violations', async () => {
    assert(jsErrors.length === 0, jsErrors.slice(0, 3).join(' | '));
  });
} catch (e) {
  report(`not ok - ${SUITE}: the journey runs to its end: ${String(e && e.stack || e).replace(/\s+/g, ' ').slice(0, 400)}`);
  exitCode = 1;
} finally {
  await browser.close().catch(() => {});
  try { browser.process()?.kill('SIGKILL'); } catch { /* gone */ }
}
process.exit(exitCode);
