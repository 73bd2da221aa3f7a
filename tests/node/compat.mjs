// Drives the content API with the official Strapi client (@strapi/client),
// exactly as a Strapi user would, and prints one line per check:
//
//   ok - client: <what>
//   not ok - client: <what>: <details>
//
// tests/integration/50_strapi_client.sh runs it and tests/run.sh counts the
// lines.  It never stops without saying why and always exits 0.
//
// Environment:
//   BASE_URL  the content API root, e.g. http://127.0.0.1:8080/api
//   JWT       a token of a user of the `authenticated` role
//   ORG_JWT   a token carrying organizationId, of an `admin` member of it
//   ORG_ID    optional: the organization id (default: read from ORG_JWT)

import { strapi, HTTPError } from '@strapi/client';
import qs from 'qs';

const BASE_URL = process.env.BASE_URL ?? '';
const JWT = process.env.JWT ?? '';
const ORG_JWT = process.env.ORG_JWT ?? '';

const DOC_ID = /^[a-z][a-z0-9]{23}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function clip(s, n = 400) {
  s = String(s).replace(/\s+/g, ' ');
  return s.length > n ? `${s.slice(0, n)}...` : s;
}

function ok(what) {
  console.log(`ok - client: ${what}`);
}

function fail(what, details) {
  console.log(`not ok - client: ${what}: ${clip(details)}`);
}

// check WHAT COND DETAILS: one line; details (a value or a function of
// nothing) only matter when the check fails.
function check(what, cond, details) {
  if (cond) {
    ok(what);
  } else {
    fail(what, typeof details === 'function' ? details() : details ?? 'assertion failed');
  }
  return !!cond;
}

// A step that cannot run because an earlier one failed.
class Skip extends Error {
  name = 'Skip';
}

// The message of an exception, with the HTTP status and body of an HTTPError.
async function describe(e) {
  if (e instanceof HTTPError && e.response) {
    let body = '';
    try {
      body = await e.response.clone().text();
    } catch (err) {
      body = `(body unreadable: ${err?.message ?? err})`;
    }
    return `${e.message}; status ${e.response.status}; body: ${body}`;
  }
  const cause = e?.cause ? ` (cause: ${e.cause?.message ?? e.cause})` : '';
  const where = e instanceof Skip ? '' : ` [${e?.stack?.split('\n')[1]?.trim() ?? 'no stack'}]`;
  return `${String(e)}${cause}${where}`;
}

// step NAME FN: run one step; an unexpected exception is one `not ok`.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    fail(name, await describe(e));
  }
}

// The client reads no status for us: watch what globalThis.fetch (which
// the client uses) answers, without changing it.
let last = null;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const r = await realFetch(input, init);
  last = { method: input?.method ?? init?.method ?? 'GET', url: String(input?.url ?? input), status: r.status };
  return r;
};

const show = (v) => clip(JSON.stringify(v));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function orgOf(token) {
  if (process.env.ORG_ID) return process.env.ORG_ID;
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(Buffer.from(part, 'base64').toString('utf8')).organizationId ?? null;
  } catch {
    return null;
  }
}

// A single entry as create/findOne/update return it.
function entryShape(res) {
  const d = res?.data;
  const bad = [];
  if (!d || typeof d !== 'object' || Array.isArray(d)) return ['data is not an object'];
  if (!Number.isInteger(d.id)) bad.push('id is not an integer');
  if (typeof d.documentId !== 'string' || !DOC_ID.test(d.documentId)) bad.push('bad documentId');
  for (const k of ['createdAt', 'updatedAt']) {
    if (typeof d[k] !== 'string' || !ISO_MS.test(d[k])) bad.push(`bad ${k}`);
  }
  if (!('publishedAt' in d)) bad.push('no publishedAt');
  if (!res.meta || typeof res.meta !== 'object') bad.push('no meta object');
  return bad;
}

async function main() {
  for (const [k, v] of Object.entries({ BASE_URL, JWT, ORG_JWT })) {
    if (!v) {
      fail(`environment has ${k}`, `${k} is not set`);
      return;
    }
  }

  const client = strapi({ baseURL: BASE_URL, auth: JWT });
  const anon = strapi({ baseURL: BASE_URL });
  const articles = client.collection('articles');

  // ---- articles: create ----------------------------------------------------
  const specs = [
    { title: 'Compat A first', content: 'alpha body' },
    { title: 'Compat B second', content: 'beta body' },
    { title: 'Compat C THIRD', content: 'gamma body' },
  ];
  const made = [];
  for (const [i, s] of specs.entries()) {
    await step(`create article ${i + 1}`, async () => {
      const res = await articles.create(s);
      const d = res?.data ?? {};
      const bad = entryShape(res);
      if (d.title !== s.title) bad.push(`title ${JSON.stringify(d.title)}`);
      if (d.content !== s.content) bad.push(`content ${JSON.stringify(d.content)}`);
      if (!('slug' in d)) bad.push('no slug key');
      if (typeof d.publishedAt !== 'string' || !ISO_MS.test(d.publishedAt)) bad.push('publishedAt not a timestamp');
      check(`create article ${i + 1} returns {data:{documentId,title,slug,createdAt,updatedAt,publishedAt}}`,
        bad.length === 0, () => `${bad.join(', ')}; got ${show(res)}`);
      check(`create article ${i + 1} answers 201`, last?.method === 'POST' && last?.status === 201,
        () => `last request ${show(last)}`);
      if (typeof d.documentId === 'string' && d.documentId !== '') made[i] = d;
    });
  }
  // A control entry that the "compat" filters must leave out.
  let other;
  await step('create a control article', async () => {
    other = (await articles.create({ title: 'Other article', content: 'unrelated' }))?.data;
  });
  const [a, b, c] = made;
  const need = (...xs) => {
    if (xs.some((x) => !x)) throw new Skip('skipped: an earlier create failed');
  };

  // ---- find: filters + sort + page pagination ----------------------------
  await step('find with $containsi, sort and page pagination', async () => {
    need(a, b, c);
    const res = await articles.find({
      filters: { title: { $containsi: 'compat' } },
      sort: ['title:asc'],
      pagination: { page: 1, pageSize: 2 },
    });
    const titles = (res?.data ?? []).map((e) => e.title);
    check('find page 1 of 2: two entries', Array.isArray(res?.data) && res.data.length === 2,
      () => `got ${show(res)}`);
    check('find sorts by title:asc', same(titles, ['Compat A first', 'Compat B second']),
      () => `titles ${show(titles)}`);
    check('find meta.pagination is {page:1,pageSize:2,pageCount:2,total:3}',
      same(res?.meta?.pagination, { page: 1, pageSize: 2, pageCount: 2, total: 3 }),
      () => `meta ${show(res?.meta)}`);

    const p2 = await articles.find({
      filters: { title: { $containsi: 'compat' } },
      sort: ['title:asc'],
      pagination: { page: 2, pageSize: 2 },
    });
    check('find page 2 has the third entry',
      same((p2?.data ?? []).map((e) => e.documentId), [c.documentId]) &&
        same(p2?.meta?.pagination, { page: 2, pageSize: 2, pageCount: 2, total: 3 }),
      () => `got ${show(p2)}`);
  });

  // ---- findOne ----------------------------------------------------------------
  await step('findOne', async () => {
    need(a);
    const res = await articles.findOne(a.documentId);
    const bad = entryShape(res);
    check('findOne returns the entry',
      bad.length === 0 && res.data.documentId === a.documentId && res.data.id === a.id &&
        res.data.title === a.title && res.data.content === a.content,
      () => `${bad.join(', ')}; got ${show(res)}`);
  });

  // ---- update -------------------------------------------------------------------
  await step('update', async () => {
    need(b);
    const res = await articles.update(b.documentId, { title: 'Compat B updated' });
    const bad = entryShape(res);
    check('update returns the new title and keeps the rest',
      bad.length === 0 && res.data.documentId === b.documentId && res.data.title === 'Compat B updated' &&
        res.data.content === b.content && res.data.createdAt === b.createdAt,
      () => `${bad.join(', ')}; got ${show(res)}`);
    const again = await articles.findOne(b.documentId);
    check('findOne after update sees the new title', again?.data?.title === 'Compat B updated',
      () => `got ${show(again)}`);
  });

  // ---- delete ---------------------------------------------------------------------
  await step('delete', async () => {
    need(c);
    const r = await articles.delete(c.documentId);
    check('delete resolves', r === undefined, () => `resolved with ${show(r)}`);
    check('delete answers 204', last?.method === 'DELETE' && last?.status === 204, () => `last request ${show(last)}`);
  });
  await step('findOne of a deleted entry', async () => {
    need(c);
    let res;
    try {
      res = await articles.findOne(c.documentId);
    } catch (e) {
      const st = e?.response?.status;
      let body = null;
      try {
        body = await e.response.clone().json();
      } catch {
        /* checked below */
      }
      const why = await describe(e);
      check('findOne of a deleted entry rejects with an HTTPError of status 404',
        e instanceof HTTPError && st === 404, why);
      check('the 404 carries the NotFoundError envelope',
        body?.data === null && body?.error?.status === 404 && body?.error?.name === 'NotFoundError',
        () => `body ${show(body)}`);
      return;
    }
    fail('findOne of a deleted entry rejects with an HTTPError of status 404', `resolved with ${show(res)}`);
  });

  // ---- $or, $in, fields, offset pagination ------------------------------------------
  await step('find with $or', async () => {
    need(a, other);
    const res = await articles.find({
      filters: { $or: [{ title: { $eq: 'Compat A first' } }, { title: { $eq: 'Other article' } }] },
      sort: ['title:asc'],
    });
    check('$or filter matches either condition',
      same((res?.data ?? []).map((e) => e.documentId), [a.documentId, other.documentId]),
      () => `got ${show(res)}`);
  });

  await step('find with $in', async () => {
    need(a, b, c);
    const res = await articles.find({
      filters: { documentId: { $in: [a.documentId, b.documentId, c.documentId] } },
      sort: ['title:asc'],
    });
    check('$in filter matches the listed (and still existing) documents',
      same((res?.data ?? []).map((e) => e.documentId), [a.documentId, b.documentId]) &&
        res?.meta?.pagination?.total === 2,
      () => `got ${show(res)}`);
  });

  await step('find with fields', async () => {
    need(a);
    const res = await articles.find({ fields: ['title'], filters: { documentId: { $eq: a.documentId } } });
    const e = res?.data?.[0];
    check("fields:['title'] gives only id, documentId and title",
      res?.data?.length === 1 && same(Object.keys(e).sort(), ['documentId', 'id', 'title']) &&
        e.title === a.title && e.id === a.id,
      () => `got ${show(res)}`);
  });

  await step('find with offset pagination', async () => {
    need(a, b);
    const res = await articles.find({
      filters: { title: { $containsi: 'compat' } },
      sort: ['title:asc'],
      pagination: { start: 1, limit: 1 },
    });
    check('offset pagination {start:1,limit:1} returns the second entry',
      same((res?.data ?? []).map((e) => e.documentId), [b.documentId]), () => `got ${show(res)}`);
    check('offset pagination meta is {start:1,limit:1,total:2}',
      same(res?.meta?.pagination, { start: 1, limit: 1, total: 2 }), () => `meta ${show(res?.meta)}`);
  });

  // ---- the same query built with qs and sent with fetch() ---------------------------
  await step('qs.stringify + fetch', async () => {
    need(a, b);
    const params = {
      filters: {
        $and: [
          { title: { $containsi: 'compat' } },
          { $or: [{ title: { $startsWith: 'Compat A' } }, { content: { $contains: 'beta' } }] },
        ],
      },
      sort: ['title:desc'],
      fields: ['title', 'content'],
      pagination: { page: 1, pageSize: 10 },
    };
    const query = qs.stringify(params, { encodeValuesOnly: false });
    check('qs encodes the brackets and operators', query.includes('filters%5B%24and%5D%5B0%5D'),
      () => `query ${query}`);
    const viaClient = await articles.find(params);
    const resp = await fetch(`${BASE_URL}/articles?${query}`, {
      headers: { Authorization: `Bearer ${JWT}` },
    });
    const text = await resp.text();
    let viaFetch;
    try {
      viaFetch = JSON.parse(text);
    } catch {
      viaFetch = undefined;
    }
    check('fetch of the qs query string is 200 JSON', resp.status === 200 && viaFetch !== undefined,
      () => `GET /articles?${query}: status ${resp.status}, body ${text}`);
    check('the nested $and/$or filter finds the two matching entries, sorted desc',
      same((viaClient?.data ?? []).map((e) => e.documentId), [b.documentId, a.documentId]) &&
        viaClient.data.every((e) => same(Object.keys(e).sort(), ['content', 'documentId', 'id', 'title'])),
      () => `client got ${show(viaClient)}`);
    check('fetch with the qs query string gives the same result as the client',
      same(viaFetch, viaClient), () => `fetch ${show(viaFetch)} vs client ${show(viaClient)}`);
  });

  // ---- blog posts: organization scope --------------------------------------------------
  const org = orgOf(ORG_JWT);
  const orgClient = strapi({ baseURL: BASE_URL, auth: ORG_JWT });
  const posts = orgClient.collection('blog-posts');
  let pub, draft;

  await step('create a published blog post', async () => {
    const res = await posts.create({ title: 'Compat published post', content: 'out now', status: 'published' });
    const d = res?.data ?? {};
    const bad = entryShape(res);
    check('create blog post returns the entry',
      bad.length === 0 && d.title === 'Compat published post', () => `${bad.join(', ')}; got ${show(res)}`);
    check("the blog post's organizationId is the token's organization",
      org !== null && d.organizationId === org, () => `token org ${org}, got ${show(d.organizationId)}`);
    check('a published blog post has publishedAt',
      typeof d.publishedAt === 'string' && ISO_MS.test(d.publishedAt), () => `got ${show(d)}`);
    pub = d.documentId ? d : undefined;
  });

  await step('create a draft blog post', async () => {
    const res = await posts.create({ title: 'Compat draft post', content: 'not yet', status: 'draft' });
    const d = res?.data ?? {};
    const bad = entryShape(res);
    check('a draft blog post is created without publishedAt',
      bad.length === 0 && d.title === 'Compat draft post' && d.publishedAt === null && d.organizationId === org,
      () => `${bad.join(', ')}; got ${show(res)}`);
    draft = d.documentId ? d : undefined;
  });

  await step('anonymous find of blog posts', async () => {
    need(pub, draft);
    const res = await anon.collection('blog-posts').find({ filters: { title: { $containsi: 'compat' } } });
    check('an anonymous client sees only the published post',
      same((res?.data ?? []).map((e) => e.documentId), [pub.documentId]) && res?.meta?.pagination?.total === 1,
      () => `got ${show(res)}`);
  });

  await step('anonymous findOne of a draft', async () => {
    need(draft);
    try {
      const res = await anon.collection('blog-posts').findOne(draft.documentId);
      fail('an anonymous findOne of the draft is 404', `resolved with ${show(res)}`);
    } catch (e) {
      const why = await describe(e);
      check('an anonymous findOne of the draft is 404', e instanceof HTTPError && e.response?.status === 404, why);
    }
  });

  await step('organization find of blog posts', async () => {
    need(pub, draft);
    const res = await posts.find({ filters: { title: { $containsi: 'compat' } }, sort: ['title:asc'] });
    check('the organization client sees both posts',
      same((res?.data ?? []).map((e) => e.documentId).sort(), [pub.documentId, draft.documentId].sort()) &&
        res?.meta?.pagination?.total === 2,
      () => `got ${show(res)}`);
  });
}

try {
  await main();
} catch (e) {
  fail('unexpected error', await describe(e));
}
process.exit(0);
