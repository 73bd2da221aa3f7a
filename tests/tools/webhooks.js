#!/usr/bin/env node
// Test client for POST /api/webhooks/workos: signs bodies the way WorkOS does
// (spec/workos-api.md section 8) and delivers them.  Node.js built-ins only.
//
//   node tests/tools/webhooks.js bulk --url U --secret S --users id,id.. --orgs id,id..
//        [--events 1000] [--copies 2] [--concurrency 4] [--seed N]
//     Makes a history of user and membership events, delivers every event
//     --copies times in a shuffled order, and prints one JSON object:
//     {"results": {applied: n, duplicate: n, ...}, "statuses": {...},
//      "expected": {"memberships": [[user, org, status, role]...], "users": [[id, first, last]...]}}
//     where "expected" is the state that applying each event once, in order, makes.
'use strict';

const http = require('http');
const crypto = require('crypto');

function args(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) o[argv[i].slice(2)] = argv[i + 1], i++;
  }
  return o;
}

function sign(secret, body, t) {
  const mac = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t}, v1=${mac}`;
}

// A small deterministic generator, so a failure can be replayed with --seed.
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

function history(n, users, orgs, rand) {
  const roles = ['admin', 'member', 'viewer'];
  const statuses = ['active', 'active', 'inactive', 'pending'];
  const t0 = Date.now() - 3600 * 1000;
  const run = crypto.randomBytes(4).toString('hex'); // membership ids are unique at WorkOS
  const ms = new Map(); // "u|o" -> {id, status, role, deleted}
  const us = new Map(); // u -> {first, last}
  const events = [];
  const pick = (a) => a[Math.floor(rand() * a.length)];
  for (let i = 0; i < n; i++) {
    const at = new Date(t0 + i * 1000).toISOString();
    const id = `event_bulk_${String(i).padStart(6, '0')}_${crypto.randomBytes(4).toString('hex')}`;
    if (rand() < 0.3) {
      const u = pick(users);
      const first = pick(['Ann', 'Bob', 'Cy', 'Dee', 'Eve']) + i;
      const last = pick(['Ames', 'Baker', null]);
      us.set(u, { first, last });
      const k = users.indexOf(u);
      events.push({ id, event: 'user.updated', created_at: at, data: {
        object: 'user', id: u, email: `Bulk.User${k}@Example.com`, email_verified: true,
        first_name: first, last_name: last, created_at: at, updated_at: at } });
      continue;
    }
    const u = pick(users), o = pick(orgs), key = `${u}|${o}`;
    let m = ms.get(key);
    let name;
    if (!m || m.deleted) {
      m = { id: `om_bulk_${run}_${i}`, status: 'active', role: pick(roles), deleted: false };
      name = 'organization_membership.created';
    } else if (rand() < 0.15) {
      m = { ...m, deleted: true };
      name = 'organization_membership.deleted';
    } else {
      m = { ...m, status: pick(statuses), role: pick(roles) };
      name = 'organization_membership.updated';
    }
    ms.set(key, m);
    events.push({ id, event: name, created_at: at, data: {
      object: 'organization_membership', id: m.id, user_id: u, organization_id: o,
      status: m.status, role: { slug: m.role }, roles: [{ slug: m.role }],
      directory_managed: false, custom_attributes: {}, created_at: at, updated_at: at } });
  }
  const expected = {
    memberships: [...ms.entries()].map(([k, m]) => [...k.split('|'), m.deleted ? 'inactive' : m.status, m.role]).sort(),
    users: [...us.entries()].map(([u, v]) => [u, v.first, v.last]).sort(),
  };
  return { events, expected };
}

function post(url, secret, body, agent) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body),
        'WorkOS-Signature': sign(secret, body, Date.now()) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    req.end(body);
  });
}

async function bulk(o) {
  const rand = rng(Number(o.seed || Date.now()));
  const { events, expected } = history(Number(o.events || 1000), o.users.split(','), o.orgs.split(','), rand);
  const copies = Number(o.copies || 2);
  const queue = [];
  for (const e of events) for (let c = 0; c < copies; c++) queue.push(JSON.stringify(e));
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [queue[i], queue[j]] = [queue[j], queue[i]];
  }
  const results = {};
  const statuses = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(o.concurrency || 4) });
  let next = 0;
  async function worker() {
    while (next < queue.length) {
      const body = queue[next++];
      const r = await post(o.url, o.secret, body, agent);
      statuses[r.status] = (statuses[r.status] || 0) + 1;
      let res = 'unreadable';
      try { res = JSON.parse(r.body).data.result; } catch (e) { /* counted */ }
      results[res] = (results[res] || 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: Number(o.concurrency || 4) }, worker));
  agent.destroy();
  process.stdout.write(JSON.stringify({ results, statuses, expected }) + '\n');
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'bulk') bulk(args(rest));
else { process.stderr.write('usage: webhooks.js bulk --url U --secret S --users a,b --orgs x,y\n'); process.exit(2); }
