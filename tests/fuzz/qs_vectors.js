#!/usr/bin/env node
/*
 * qs_vectors.js - generate tests/unit/qs_vectors.h: query strings and what
 * the real qs package makes of them with the options Strapi 5 gives it
 * (@strapi/core src/middlewares/query.ts).  lib/qs.c must produce the same
 * trees; tests/unit/test_qs.c checks every vector.
 *
 * The reference is qs 6.15.3, the exact version @strapi/core 5.54.0 pins.
 * Keep qs out of the repository: install it in a scratch directory.
 *
 *   mkdir -p /tmp/qsref && cd /tmp/qsref && npm init -y >/dev/null &&
 *       npm install qs@6.15.3
 *   NODE_PATH=/tmp/qsref/node_modules node tests/fuzz/qs_vectors.js \
 *       > tests/unit/qs_vectors.h
 *
 * QS_COMPARE=/path/to/other/node_modules/qs lists on stderr the vectors on
 * which another qs version disagrees (e.g. 6.11.1, used by Strapi <= 5.3x).
 *
 * The random part of the corpus comes from a seeded generator, so the
 * output is the same on every run.
 */
'use strict';

var qs = require('qs');
var version = require('qs/package.json').version;
var OPTS = { strictNullHandling: true, arrayLimit: 100, depth: 20 };
var WANT = '6.15.3';

if (version !== WANT && !process.env.QS_ANY_VERSION) {
	process.stderr.write('qs ' + version + ' found, want ' + WANT +
	    ' (set QS_ANY_VERSION=1 to go on anyway)\n');
	process.exit(1);
}

var corpus = [
	// §3
	'', 'a=b', 'a', 'a=', '=x', '&&', 'a=b&&c=d', '&a=b&', '=', '==', 'a==b',
	'filters%5Btitle%5D%5B%24eq%5D=x', 'filters[title][$eq]=x',
	'a[b][c]=v', 'a[0]=x&a[1]=y', 'a[]=x&a[]=y', 'a=x&a=y', 'a[3]=x',
	'filters[x][$null]', 'filters[x][$null]=', 'filters.title=x', 'foo=bar',
	'page=1&pageSize=10', 'start=0',
	// §4
	'filters[title][$eq]=Hello', 'filters[title]=Hello',
	'filters[title][$eqi]=hello&filters[views][$gt]=3',
	'filters[title][$in][0]=a&filters[title][$in][1]=b',
	'filters[title][$in]=a', 'filters[views][$between][0]=1&filters[views][$between][1]=5',
	'filters[$or][0][title][$eq]=a&filters[$or][1][title][$eq]=b',
	'filters[$and][0][title][$contains]=x&filters[$and][1][views][$lt]=10',
	'filters[$not][title][$eq]=a', 'filters[title][$not][$eq]=a',
	'filters[title][$contains][0]=a&filters[title][$contains][1]=b',
	'filters[title][0]=a&filters[title][1]=b',
	'filters[title][$eq]', 'filters[title][$ne]',
	'filters[title][$null]=true', 'filters[title][$notNull]=false',
	'filters[title][$EQ]=x', 'filters[$or][title][$eq]=a',
	'filters[author][name][$eq]=x', 'filters[author][$null]=true',
	'filters[title][$contains]=alph_', 'filters[title][$contains]=100%25',
	'$or[0][title]=a&$or[1][title]=b',
	// §5
	'sort=title', 'sort=title:desc', 'sort=title:asc,views:desc',
	'sort[0]=title&sort[1]=views:desc', 'sort[title]=desc', 'sort[0][title]=asc',
	'sort[0]=title:asc&sort[1]=id:desc', 'sort=title:up', 'sort=:asc',
	// §6
	'pagination[page]=1&pagination[pageSize]=10',
	'pagination[start]=0&pagination[limit]=25',
	'pagination[withCount]=false', 'pagination[page]=3&pagination[pageSize]=200',
	'pagination[page]=1&pagination[limit]=5', 'pagination[pageSize]=abc',
	'pagination[page]=0&pagination[pageSize]=-1',
	// §7, §8
	'fields=title,slug', 'fields[0]=title&fields[1]=slug', 'fields=*',
	'fields[0]=title&fields=slug', 'fields=slug&fields[0]=title',
	'populate=*', 'populate=author', 'populate[0]=author',
	'populate[author][fields][0]=name', 'populate[author]=true',
	'_q=term', '_q=two+words', 'status=draft', 'locale=fr',
	'status=draft&locale=fr&_q=x',
	// what @strapi/client sends (qs.stringify defaults)
	'filters%5Btitle%5D%5B%24eq%5D=A%20B&sort%5B0%5D=title%3Aasc&pagination%5Bpage%5D=2&pagination%5BpageSize%5D=5',
	'fields%5B0%5D=title&fields%5B1%5D=slug',
	'filters%5B%24or%5D%5B0%5D%5Btitle%5D%5B%24eq%5D=a&filters%5B%24or%5D%5B1%5D%5Btitle%5D%5B%24eq%5D=b',
	'populate%5Bauthor%5D%5Bfields%5D%5B0%5D=name',
	'filters%5btitle%5d=lower', 'a%5B%5D=1&a%5B%5D=2',
	// re-encoded or half-encoded brackets (proxies, lighttpd)
	'filters%5Btitle]=x', 'filters[title%5D=x', 'a%255Bb%255D=c',
	'a%5Bb%5D%3Dc=d', 'a%5D=b', 'a=x%5D=y', 'a=%5B%5D', 'a[b]=%5Bc%5D',
	// plus and escapes
	'a=b+c', 'a+b=c', 'a=b%2Bc', 'a=%20', 'a=+', 'a=++b++',
	'a=%zz', 'a=%', 'a=%e9', 'a=%ff', 'a=%C3%28', 'a=%C3%A9', 'a=%c3%a9',
	'a=100%', 'a=%2', 'a=%%', 'a=%E2%82%AC', 'a=%F0%9F%98%80', 'a=%ED%A0%80',
	'a=%C0%80', 'a=%E0%80%80', 'a=%F4%90%80%80', 'a=%F8%88%80%80%80',
	'a=%80', 'a=%E2%82', 'a=%E2%82%AC%zz', 'a=b+%zz', 'a%zz=b',
	'a%20b=c', '%E2%82%AC=euro', 'a[%E2%82%AC]=x', 'a=%0A%0D%09',
	'a=%01%1F%7F', 'a=%22%5C%2F', 'a=%3D', 'a%3Db=c', 'a%26b=c', 'a=b%26c=d',
	'a=%00', 'a%00b=c', 'a[b%00c]=d', '%00=x', 'a=x%00y',
	// no '=', empty values, duplicates
	'a&b', 'a&a', 'a&a=', 'a=&a', 'a=x&a', 'a&a=x', 'a=x&a=x&a=x',
	'a=&b=', 'a[]=', 'a[]', 'a[]&a[]', 'a[]=&a[]=x', 'a[b]', 'a[b]&a[b]=c',
	// arrays
	'a[0]=x&a[2]=y', 'a[2]=y&a[0]=x', 'a[1]=x', 'a[99]=x', 'a[100]=x',
	'a[101]=x', 'a[0]=x&a[100]=y', 'a[0]=x&a[101]=y', 'a[101]=y&a[0]=x',
	'a[-1]=x', 'a[01]=x', 'a[1.5]=x', 'a[1e2]=x', 'a[ 1]=x', 'a[+1]=x',
	'a[0x1]=x', 'a[4294967294]=x', 'a[4294967295]=x', 'a[9007199254740993]=x',
	'a[9007199254740994]=x', 'a[1152921504606847000]=x',
	'a[99999999999999999999]=x', 'a[1]=x&a[0]=y', 'a[1]=x&a[1]=y',
	'a[0]=x&a[0]=y', 'a[]=x&a[0]=y', 'a[0]=y&a[]=x', 'a[][]=x', 'a[][0]=x',
	'a[0][]=x', 'a[][b]=x&a[][b]=y', 'a[0][b]=x&a[1][b]=y', 'a[0][b]=x&a[0][c]=y',
	'a[b][0]=x&a[b][1]=y', 'a[]=x&a=y', 'a=y&a[]=x', '[]=x', '[0]=x', '[]',
	'0=a&1=b', '1=b&0=a', 'b=1&2=x&1=y', '[0]=a&0=b', '0=b&[0]=a', 'a[10]=x&a[9]=y',
	// mixing arrays and objects, both orders
	'a[0]=x&a[b]=y', 'a[b]=y&a[0]=x', 'a=x&a[b]=y', 'a[b]=y&a=x',
	'a[b]=c&a=d&a[e]=f', 'a=x&a[0]=y', 'a[0]=y&a=x', 'a[b]=&a=x', 'a=&a[b]=x',
	'a&a[b]=x', 'a[b]=x&a', 'a[b][c]=x&a[b]=y', 'a[b]=y&a[b][c]=x',
	'a[0]=x&a[0][b]=y', 'a[0][b]=y&a[0]=x', 'a[1][b]=x&a[0]=y',
	'a[101]=x&a[]=y', 'a[]=y&a[101]=x', 'a[101]=x&a=y', 'a=y&a[101]=x',
	'a[101]=x&a[b]=y', 'a[b]=y&a[101]=x', 'a[101]=x&a[102]=y',
	'a[200]=x&a[0]=y', 'a[0]=y&a[200]=x', 'a[101][b]=x&a[101][c]=y',
	// bracket oddities
	'a[b=c', 'a]b=c', '[a]=b', 'a[]b=c', 'a[b]c[d]=e', 'a[[b]]=c', 'a[b[c]]=d',
	'a[[]]=c', 'a[b]]=c', 'a[[b]=c', 'a[=b', 'a]=b', ']=b', '[=b', '[]=b',
	'a[b]=c]=d', 'a[b]=c=d', 'a]=[b]=c', 'a[b][=c', 'a[b]x=c', 'a[b][]c[d]=e',
	'a[ ]=x', 'a[]]=x', 'a[][=x', '[[a]]=b', 'a[b][c', 'a%5Bb=c',
	// prototype names
	'__proto__[x]=1', '__proto__=1', 'constructor=1', 'constructor[x]=1',
	'a[__proto__]=1', 'a[__proto__][b]=1', 'a[toString]=1', 'hasOwnProperty=1',
	'toString=x&a=b', 'valueOf=1', 'isPrototypeOf=1', 'propertyIsEnumerable=1',
	'toLocaleString=1', '__defineGetter__=1', '__lookupSetter__=1',
	'a[constructor][prototype]=1', 'a[b][constructor]=1', 'prototype=1',
	'a[prototype]=1', 'Constructor=1', 'a[[toString]]=1', 'a[toString=1',
	'[toString]=1', '[__proto__]=1', 'a[b]toString=1',
	'a[0][__proto__]=1&a[0][b]=2', 'a[]=x&a[toString]=y',
	// case and spacing of keys
	'A=1&a=2', 'a =1', ' a=1', 'a[ b ]=1'
];

// depth: 20 bracket groups, then the remainder as one literal key
function deep(n, leafVal) {
	var k = 'a';
	for (var i = 0; i < n; i++)
		k += '[k' + i + ']';
	return k + '=' + leafVal;
}
corpus.push(deep(19, 'x'), deep(20, 'x'), deep(21, 'x'), deep(25, 'x'),
    deep(25, 'x') + '&' + deep(25, 'y'), deep(20, 'x').replace('=', '[]='),
    deep(21, 'x').replace('=', '[]='));

// parameterLimit: the 1001st part and those after it are dropped
function params(n, f) {
	var p = [];
	for (var i = 0; i < n; i++)
		p.push(f(i));
	return p.join('&');
}
corpus.push(params(1001, function (i) { return 'p' + i + '=' + i; }));
corpus.push(params(1000, function (i) { return 'p' + i + '=' + i; }) + '&last=1');
corpus.push(params(999, function () { return ''; }) + '&a=1&b=2');
corpus.push(params(1000, function () { return ''; }) + '&a=1');
corpus.push(params(1002, function () { return 'a=x'; }));
corpus.push(params(100, function () { return 'a=x'; }));
corpus.push(params(101, function () { return 'a=x'; }));
corpus.push(params(102, function (i) { return 'a=' + i; }));
corpus.push(params(102, function (i) { return 'a[]=' + i; }));
corpus.push(params(101, function (i) { return 'a[]=' + i; }) + '&a[b]=c');
corpus.push(params(101, function (i) { return 'a=' + i; }) + '&a[]=z');
corpus.push(params(101, function (i) { return 'a=' + i; }) + '&a[b]=z');
corpus.push(params(101, function (i) { return 'a[' + i + ']=' + i; }));
corpus.push(params(100, function (i) { return 'a[' + i + ']=' + i; }) + '&a[]=z');
corpus.push(params(100, function (i) { return 'a[' + i + ']=' + i; }) + '&a=z');
corpus.push(params(100, function (i) { return 'a[' + i + ']=' + i; }) + '&a[0][b]=z');
corpus.push(params(60, function (i) { return 'a[' + i + ']=' + i; }) + '&' +
    params(60, function (i) { return 'a[' + i + '][]=' + i; }));
corpus.push('a=z&' + params(100, function (i) { return 'a[' + i + ']=' + i; }));
corpus.push(params(99, function (i) { return 'a=' + i; }) + '&a[]=x&a[]=y');
corpus.push('a[]=' + params(101, function (i) { return 'a[]=' + i; }).slice(4) +
    '&a[0]=q');

// A seeded random corpus built from the tokens that steer qs's parser.
var seed = 20240607;
function rnd() {
	seed |= 0;
	seed = seed + 0x6D2B79F5 | 0;
	var t = Math.imul(seed ^ seed >>> 15, 1 | seed);
	t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
	return ((t ^ t >>> 14) >>> 0) / 4294967296;
}
function pick(a) {
	return a[Math.floor(rnd() * a.length)];
}
var keyTok = ['a', 'a', 'b', '[', ']', '[]', '[0]', '[1]', '[2]', '[b]', '[c]',
    '[99]', '[100]', '[101]', '[150]', '%5B', '%5D', '[__proto__]', '[toString]',
    '0', '1', '+', '%20', '%zz', '[[', ']]', '=', '%3D', '[a]', '[0][b]'];
var valTok = ['x', 'y', '', '+', '%20', '%zz', '%C3%A9', '%ff', '=', ']=', '[', 'z'];
for (var r = 0; r < 600; r++) {
	var n = 1 + Math.floor(rnd() * 6), ps = [];
	for (var j = 0; j < n; j++) {
		var k = pick(['a', 'a', 'a', 'b', '', '[a]', '0']);
		var m = Math.floor(rnd() * 4);
		for (var q = 0; q < m; q++)
			k += pick(keyTok);
		var roll = rnd();
		if (roll < 0.12)
			ps.push(k);
		else {
			var v = '';
			var vm = Math.floor(rnd() * 3);
			for (var w = 0; w < vm; w++)
				v += pick(valTok);
			ps.push(k + '=' + v);
		}
	}
	corpus.push(ps.join('&'));
}

// json-c object keys are C strings: qs_parse() stores a NUL in a key as
// U+FFFD, so the expected trees here do the same.
function jsoncKeys(v) {
	if (Array.isArray(v))
		return v.map(jsoncKeys);
	if (v && typeof v === 'object') {
		var o = {};
		Object.keys(v).forEach(function (k) {
			o[k.replace(/\u0000/g, '\uFFFD')] = jsoncKeys(v[k]);
		});
		return o;
	}
	return v;
}

function cstr(s) {
	var b = Buffer.from(s, 'utf8'), out = '"', col = 0;
	for (var i = 0; i < b.length; i++) {
		var c = b[i], e;
		if (c === 0x22) e = '\\"';
		else if (c === 0x5c) e = '\\\\';
		else if (c === 0x3f) e = '\\?';  /* no trigraphs */
		else if (c >= 0x20 && c < 0x7f) e = String.fromCharCode(c);
		else e = '\\' + ('00' + c.toString(8)).slice(-3);
		if (col > 66) {
			out += '"\n\t    "';
			col = 0;
		}
		out += e;
		col += e.length;
	}
	return out + '"';
}

var compare = process.env.QS_COMPARE ? require(process.env.QS_COMPARE) : null;
var seen = new Set();
var lines = [];
corpus.forEach(function (input) {
	if (seen.has(input))
		return;
	seen.add(input);
	var got = qs.parse(input, OPTS);
	var json = JSON.stringify(jsoncKeys(got));
	if (compare) {
		var other = JSON.stringify(jsoncKeys(compare.parse(input, OPTS)));
		if (other !== json)
			process.stderr.write('differs: ' + JSON.stringify(input.length > 200 ?
			    input.slice(0, 200) + '...' : input) + '\n  ' + WANT + ': ' +
			    json.slice(0, 300) + '\n  other: ' + other.slice(0, 300) + '\n');
	}
	lines.push('\t{ ' + cstr(input) + ',\n\t  ' + cstr(json) + ' },');
});

process.stdout.write(
    '/*\n' +
    ' * qs_vectors.h - generated by tests/fuzz/qs_vectors.js from qs ' + version + '\n' +
    ' * with ' + JSON.stringify(OPTS) + '; do not edit.\n' +
    ' * Each entry: a raw query string and JSON.stringify(qs.parse(it)).\n' +
    ' */\n' +
    'struct qs_vector {\n\tconst char *input;\n\tconst char *json;\n};\n\n' +
    'static const struct qs_vector qs_vectors[] = {\n' + lines.join('\n') + '\n};\n');
process.stderr.write(lines.length + ' vectors from qs ' + version + '\n');
