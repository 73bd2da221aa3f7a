#!/usr/bin/env node
/*
 * dt_vectors.js - generate tests/unit/dt_vectors.h: filter values and the
 * instant Strapi's database layer makes of them for a datetime attribute
 * (@strapi/database src/fields/shared/parsers.ts parseDateTimeOrTimestamp:
 * date-fns parseISO, else parse(value, 'T')).  lib/dt.c must agree on
 * every vector; tests/unit/test_dt.c checks them.
 *
 * The reference is date-fns 2.30.0, the version @strapi/database pins, in
 * UTC (a value without a zone is local time).  Keep date-fns out of the
 * repository: install it in a scratch directory.
 *
 *   mkdir -p /tmp/dfref && cd /tmp/dfref && npm init -y >/dev/null &&
 *       npm install date-fns@2.30.0
 *   TZ=UTC NODE_PATH=/tmp/dfref/node_modules node tests/fuzz/dt_vectors.js \
 *       > tests/unit/dt_vectors.h
 *
 * The random part comes from a seeded generator: the output is the same
 * on every run.
 */
'use strict';
const dateFns = require('date-fns');

if (new Date(0).getTimezoneOffset() !== 0) {
  console.error('run with TZ=UTC');
  process.exit(1);
}

function strapi(value) {
  const d = dateFns.parseISO(String(value));
  if (dateFns.isValid(d)) return d.getTime();
  const t = dateFns.parse(String(value), 'T', new Date());
  if (dateFns.isValid(t)) return t.getTime();
  return null;
}

const fixed = [
  '2026-11-29T23:47:04.123Z', '2026-11-29 23:47:04', '2026-11-29T23:47:04',
  '2026-11', '2026', '2026-', '20261129', '2026-333', '2026333', '2024-366',
  '2025-366', '2026-W48', '2026-W48-7', '2026W487', '2026-W53-1', '2026-W00',
  '2026-W48-8', '2026-W48-0', '20', '+2026', '-0001', '+002026-11-29',
  '-000001-01-01', '+275760-09-13', '+275760-09-14', '-271821-04-20',
  '-271821-04-19', '-004713-11-24', '-004713-11-23', '0000-01-01',
  '2026-11-29T24:00', '2026-11-29T24:00:01', '2026-11-29T23:60',
  '2026-11-29T10.5', '2026-11-29T10,5', '2026-11-29T10:30.25',
  '2026-11-29T10:30:15.999999', '2026-11-29T10:30:15,5', '2026-11-29T103015',
  '2026-11-29T1030', '2026-11-29T10', '2026-11-29T10.530.5', '2026-11-29T10.',
  '2026-11-29T10:30:15+05:30', '2026-11-29T10:30:15-0800', '2026-11-29T10:30+01',
  '2026-11-29T10:30:15+05:60', '2026-11-29T10:30:15Zgarbage', '2026-11-29Z',
  '2026-11-29z', '2026-11-29T', '2026-11-29 ', ' 2026-11-29', '2026-11-29T10:30 Z',
  '2026-11-29Z 10:00', '2026-02-29', '2024-02-29', '2026-13-01', '2026-00-10',
  '2026-04-31', '10:30', 'T10:30', '1764460024123', '1764460024123 ',
  ' 1764460024123', '-5', '-0', '0', '00000000000000001764460024123',
  '8640000000000000', '8640000000000001', '99999999999999999999', '123',
  '12', '1', '', 'not-a-date', 'yesterday', 'now', 'Infinity', '1e3', '0x10',
  '2026-11-29T10:30:15.123Z\n', '1764460024123\n', '1764460024123\u00a0',
  '2026-11-29T10:30\nZ', '2026-11-29T10:30Z\nZ', '2026-11-29T10:30+01\u2028',
  '2026-W05', '2026-W5', 'W05', '2026-11-29TT10', '2026-11-29T10:30:15.123+00:00',
  '2026-11-29t10:30', '2026-11-29T10:30:15.1234567890123456789012345678901234567890123456789012345',
];

// A seeded generator (mulberry32), so the corpus never changes.
let seed = 0x5eed1234;
function rnd() {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rnd() * a.length)];
const digits = (n) => Array.from({ length: n }, () => pick('0123456789')).join('');

const parts = {
  date: () => pick([
    () => digits(4) + '-' + pick(['0', '1']) + digits(1) + '-' + pick(['0', '1', '2', '3']) + digits(1),
    () => digits(4) + pick(['0', '1']) + digits(1) + pick(['0', '1', '2', '3']) + digits(1),
    () => digits(4) + '-' + digits(3), () => digits(4) + digits(3),
    () => digits(4) + '-W' + digits(2) + pick(['', '-' + digits(1), digits(1)]),
    () => digits(4) + '-' + digits(2), () => digits(4), () => digits(2),
    () => pick(['+', '-']) + digits(6) + '-' + digits(2) + '-' + digits(2),
    () => pick(['+', '-']) + digits(4),
  ])(),
  time: () => pick([
    () => digits(2) + ':' + digits(2) + ':' + digits(2) + pick(['', '.' + digits(3), ',' + digits(1), '.' + digits(7)]),
    () => digits(2) + ':' + digits(2), () => digits(2), () => digits(2) + digits(2) + digits(2),
    () => digits(2) + pick(['.', ',']) + digits(Math.floor(rnd() * 6)) + pick(['', ':' + digits(2), digits(2)]),
    () => pick(['0', '1', '2']) + digits(1) + ':' + pick(['0', '5', '6']) + digits(1),
  ])(),
  zone: () => pick(['', '', 'Z', 'z', '+' + digits(2), '-' + digits(2) + ':' + digits(2), '+' + digits(4), 'Zx', '+1', ' ']),
};
const random = [];
for (let i = 0; i < 1500; i++) {
  const kind = rnd();
  let s;
  if (kind < 0.6) s = parts.date() + pick(['T', ' ', 'T', '']) + (rnd() < 0.8 ? parts.time() : '') + parts.zone();
  else if (kind < 0.75) s = parts.date();
  else if (kind < 0.85) s = pick(['', '-']) + digits(1 + Math.floor(rnd() * 17)) + pick(['', '', ' ', 'x']);
  else s = Array.from({ length: 1 + Math.floor(rnd() * 14) }, () => pick('0123456789-:TZ+., Wz')).join('');
  random.push(s);
}

const seen = new Set();
const out = [];
out.push('/*');
out.push(' * dt_vectors.h - generated by tests/fuzz/dt_vectors.js from date-fns 2.30.0');
out.push(" * in UTC (Strapi's parseDateTimeOrTimestamp); do not edit.  Each entry: a");
out.push(' * filter value, whether JavaScript has a valid Date for it, and its time.');
out.push(' */');
out.push('struct dt_vector {');
out.push('\tconst char *input;');
out.push('\tint valid;');
out.push('\tlong long ms;');
out.push('};');
out.push('');
out.push('static const struct dt_vector dt_vectors[] = {');
for (const s of fixed.concat(random)) {
  if (seen.has(s)) continue;
  seen.add(s);
  const ms = strapi(s);
  const lit = JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) =>
    Array.from(Buffer.from(c, 'utf8')).map((b) => '\\x' + b.toString(16)).join('') + '""');
  out.push(`\t{ ${lit}, ${ms === null ? 0 : 1}, ${ms === null ? 0 : ms}LL },`);
}
out.push('};');
console.log(out.join('\n'));
