/*
 * qs.c - Strapi's query string parser, qs 6.15.3 (lib/parse.js and the
 * parts of lib/utils.js it uses), step for step.
 *
 * qs works on JavaScript values, and its results depend on their quirks:
 * sparse arrays, the order in which objects list their keys (array-index
 * keys first, ascending, then the others as inserted), objects that stand
 * for an array grown past arrayLimit ("overflow" objects, which remember
 * their highest index), and Number arithmetic on those indices.  So the
 * parse runs on a small model of those values (struct qv) allocated from
 * the arena, and only the final tree is turned into json-c objects; that
 * last step drops the array holes, which is qs's utils.compact().
 *
 * Recursion: merge() follows the tree of a single parameter, at most 23
 * levels deep (parent, 20 groups, the remainder, a leaf array); everything
 * that walks the merged tree, which odd input can make deeper, uses a
 * stack of its own.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qs.h"

#define QS_ARRAY_LIMIT 100
#define QS_DEPTH       20
#define QS_PARAM_LIMIT 1000

enum qkind { Q_STR, Q_NULL, Q_ARR, Q_OBJ };

struct qent;

struct qv {
	enum qkind kind;
	bool overflow;       /* Q_OBJ: qs's markOverflow() */
	double maxidx;       /* with overflow: qs's getMaxIndex(), a Number */
	const char *s;       /* Q_STR, not NUL-terminated */
	size_t slen;
	struct qv **items;   /* Q_ARR: NULL is a hole */
	struct qent *ents;   /* Q_OBJ: in JavaScript's own-key order */
	size_t n, cap;
	size_t nidx;         /* Q_OBJ: ents[0..nidx) have array-index keys */
};

struct qent {
	const char *k;       /* not NUL-terminated */
	size_t klen;
	uint32_t hash;
	uint32_t idx;        /* the value of an array-index key */
	bool isidx;
	struct qv *v;        /* never NULL: JavaScript undefined is not stored */
};

struct qctx {
	struct arena *a;
	bool nomem;
	struct qv *null;     /* the one JavaScript null, never modified */
};

/* A key segment: "[b]" is stored as "b" with wrapped set. */
struct qseg {
	const char *s;
	size_t len;
	bool wrapped;
	bool push;           /* the segment was exactly "[]" */
};

static void *
qalloc(struct qctx *c, size_t size)
{
	void *p;

	if (c->nomem)
		return NULL;
	p = arena_alloc(c->a, size);
	if (p == NULL)
		c->nomem = true;
	return p;
}

/* Make room for need elements in *p, which holds used of them. */
static bool
grow(struct qctx *c, void **p, size_t *cap, size_t used, size_t need,
    size_t elsize)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return true;
	ncap = arena_grow_cap(*cap, need, 4);
	if (ncap > SIZE_MAX / elsize) {
		c->nomem = true;
		return false;
	}
	np = qalloc(c, ncap * elsize);
	if (np == NULL)
		return false;
	if (used > 0)
		memcpy(np, *p, used * elsize);
	*p = np;
	*cap = ncap;
	return true;
}

static struct qv *
qv_new(struct qctx *c, enum qkind kind)
{
	struct qv *v = qalloc(c, sizeof(*v));

	if (v != NULL) {
		memset(v, 0, sizeof(*v));
		v->kind = kind;
	}
	return v;
}

static bool
is_container(const struct qv *v)
{
	return v != NULL && (v->kind == Q_ARR || v->kind == Q_OBJ);
}

static bool
is_overflow(const struct qv *v)
{
	return v != NULL && v->kind == Q_OBJ && v->overflow;
}

/* ---- numbers as JavaScript prints and parses them ---- */

/*
 * Number.prototype.toString() for d: qs turns index arithmetic back into
 * keys this way, and an index past 2^53 prints rounded.
 */
static size_t
num_format(double d, char *out, size_t outsz)
{
	char buf[48], digits[24];
	size_t nd = 0, o = 0;
	int p, exp, n, k, i;
	const char *e;

	if (isnan(d))
		return (size_t)snprintf(out, outsz, "NaN");
	if (isinf(d))
		return (size_t)snprintf(out, outsz, d < 0 ? "-Infinity" : "Infinity");
	if (d == 0)
		return (size_t)snprintf(out, outsz, "0");
	/* exact integers, the usual case, print as themselves */
	if (d > 0 && d < 9007199254740992.0 && (double)(uint64_t)d == d)
		return (size_t)snprintf(out, outsz, "%llu",
		    (unsigned long long)(uint64_t)d);
	if (d < 0) {
		out[o++] = '-';
		d = -d;
	}
	/* the shortest digits that read back as d, as ECMAScript asks */
	for (p = 1; p <= 17; p++) {
		snprintf(buf, sizeof(buf), "%.*e", p - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	for (e = buf; *e != 'e'; e++)
		if (*e >= '0' && *e <= '9')
			digits[nd++] = *e;
	exp = atoi(e + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	k = (int)nd;
	n = exp + 1;
	if (k <= n && n <= 21) {
		for (i = 0; i < k; i++)
			out[o++] = digits[i];
		for (; i < n; i++)
			out[o++] = '0';
	} else if (0 < n && n <= 21) {
		for (i = 0; i < k; i++) {
			if (i == n)
				out[o++] = '.';
			out[o++] = digits[i];
		}
	} else if (-6 < n && n <= 0) {
		out[o++] = '0';
		out[o++] = '.';
		for (i = 0; i < -n; i++)
			out[o++] = '0';
		for (i = 0; i < k; i++)
			out[o++] = digits[i];
	} else {
		out[o++] = digits[0];
		if (k > 1) {
			out[o++] = '.';
			for (i = 1; i < k; i++)
				out[o++] = digits[i];
		}
		o += (size_t)snprintf(out + o, outsz - o, "e%c%d",
		    n - 1 >= 0 ? '+' : '-', abs(n - 1));
	}
	out[o] = '\0';
	return o;
}

/* An arena copy of num_format(d). */
static const char *
num_key(struct qctx *c, double d, size_t *len)
{
	char buf[48];
	char *k;

	*len = num_format(d, buf, sizeof(buf));
	k = qalloc(c, *len + 1);
	if (k != NULL)
		memcpy(k, buf, *len + 1);
	return k;
}

/*
 * String(parseInt(s, 10)) === s && parseInt(s, 10) >= 0: the test qs
 * applies to a bracketed segment before treating it as an index.
 */
static bool
canonical_index(const char *s, size_t len, double *out)
{
	char buf[48], fmt[48];
	size_t i;

	/* a longer digit string is past 1e21, which prints with an exponent */
	if (len == 0 || len > 21 || (s[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		buf[i] = s[i];
	}
	buf[len] = '\0';
	*out = strtod(buf, NULL);
	return num_format(*out, fmt, sizeof(fmt)) == len &&
	    memcmp(fmt, s, len) == 0;
}

/* parseInt(s, 10) for the numeric keys of an overflow object. */
static double
parse_int(const char *s, size_t len)
{
	char buf[400];
	size_t i = 0, j = 0;
	bool neg = false;

	while (i < len && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')))
		i++;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (j == sizeof(buf) - 1)
			return neg ? -INFINITY : INFINITY;
		buf[j++] = s[i];
	}
	if (j == 0)
		return NAN;
	buf[j] = '\0';
	return neg ? -strtod(buf, NULL) : strtod(buf, NULL);
}

/* ---- objects and arrays ---- */

static uint32_t
hash_key(const char *k, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

/* An ECMAScript array index: objects list such keys first, ascending. */
static bool
array_index(const char *k, size_t len, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 10 || (k[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++) {
		if (k[i] < '0' || k[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(k[i] - '0');
	}
	if (v > 4294967294u)
		return false;
	*out = (uint32_t)v;
	return true;
}

static struct qent *
obj_find(struct qv *o, const char *k, size_t klen)
{
	uint32_t h = hash_key(k, klen);
	size_t i;

	for (i = 0; i < o->n; i++) {
		struct qent *e = &o->ents[i];

		if (e->hash == h && e->klen == klen && memcmp(e->k, k, klen) == 0)
			return e;
	}
	return NULL;
}

/* o[k] = v; k must outlive the parse (it is not copied). */
static bool
obj_set(struct qctx *c, struct qv *o, const char *k, size_t klen,
    struct qv *v)
{
	struct qent *e, ne;
	size_t pos;

	if (v == NULL)
		return false;
	if ((e = obj_find(o, k, klen)) != NULL) {
		e->v = v;
		return true;
	}
	if (!grow(c, (void **)&o->ents, &o->cap, o->n, o->n + 1, sizeof(ne)))
		return false;
	ne.k = k;
	ne.klen = klen;
	ne.hash = hash_key(k, klen);
	ne.v = v;
	ne.idx = 0;
	ne.isidx = array_index(k, klen, &ne.idx);
	if (ne.isidx) {
		pos = o->nidx;
		while (pos > 0 && o->ents[pos - 1].idx > ne.idx)
			pos--;
		memmove(&o->ents[pos + 1], &o->ents[pos],
		    (o->n - pos) * sizeof(ne));
		o->nidx++;
	} else
		pos = o->n;
	o->ents[pos] = ne;
	o->n++;
	return true;
}

/* o[String(d)] = v */
static bool
obj_set_num(struct qctx *c, struct qv *o, double d, struct qv *v)
{
	const char *k;
	size_t klen;

	if ((k = num_key(c, d, &klen)) == NULL)
		return false;
	return obj_set(c, o, k, klen, v);
}

/* arr[i] = v, leaving holes between the old end and i. */
static bool
arr_set(struct qctx *c, struct qv *arr, size_t i, struct qv *v)
{
	if (v == NULL || i == SIZE_MAX)
		return false;
	if (i >= arr->n) {
		if (!grow(c, (void **)&arr->items, &arr->cap, arr->n, i + 1,
		    sizeof(*arr->items)))
			return false;
		while (arr->n <= i)
			arr->items[arr->n++] = NULL;
	}
	arr->items[i] = v;
	return true;
}

static bool
arr_push(struct qctx *c, struct qv *arr, struct qv *v)
{
	return arr_set(c, arr, arr->n, v);
}

/* arr.concat(v) in place: an array is spread, holes and all. */
static bool
arr_concat(struct qctx *c, struct qv *arr, struct qv *v)
{
	size_t i, base = arr->n;

	if (v == NULL || v->kind != Q_ARR)
		return arr_push(c, arr, v);
	if (v->n == 0)
		return true;
	if (!grow(c, (void **)&arr->items, &arr->cap, arr->n, arr->n + v->n,
	    sizeof(*arr->items)))
		return false;
	for (i = 0; i < v->n; i++)
		arr->items[base + i] = v->items[i];
	arr->n += v->n;
	return true;
}

/* utils.arrayToObject: the holes are not copied. */
static struct qv *
arr_to_obj(struct qctx *c, const struct qv *arr)
{
	struct qv *o = qv_new(c, Q_OBJ);
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < arr->n; i++)
		if (arr->items[i] != NULL &&
		    !obj_set_num(c, o, (double)i, arr->items[i]))
			return NULL;
	return o;
}

/* What qs does to an array that grew past arrayLimit. */
static struct qv *
over_limit(struct qctx *c, struct qv *arr)
{
	struct qv *o;

	if (arr->n <= QS_ARRAY_LIMIT)
		return arr;
	if ((o = arr_to_obj(c, arr)) == NULL)
		return NULL;
	o->overflow = true;
	o->maxidx = (double)(arr->n - 1);
	return o;
}

/* Add v at the next index of an overflow object. */
static struct qv *
overflow_push(struct qctx *c, struct qv *o, struct qv *v)
{
	double k = o->maxidx + 1;

	if (!obj_set_num(c, o, k, v))
		return NULL;
	o->maxidx = k;
	return o;
}

/* utils.combine(a, b, arrayLimit) */
static struct qv *
combine(struct qctx *c, struct qv *a, struct qv *b)
{
	struct qv *r;

	if (is_overflow(a))
		return overflow_push(c, a, b);
	if ((r = qv_new(c, Q_ARR)) == NULL || !arr_concat(c, r, a) ||
	    !arr_concat(c, r, b))
		return NULL;
	return over_limit(c, r);
}

/*
 * utils.merge(target, source) with strictMerge.  Returns the merged value,
 * which may be target changed in place, or NULL when out of memory.
 * source NULL is JavaScript undefined.
 */
static struct qv *
merge(struct qctx *c, struct qv *target, struct qv *source)
{
	struct qv *mt, *r;
	size_t i, n;

	if (c->nomem)
		return NULL;
	/* !source: undefined, null and "" leave target alone */
	if (source == NULL || source->kind == Q_NULL ||
	    (source->kind == Q_STR && source->slen == 0))
		return target;

	if (source->kind == Q_STR) {
		if (target != NULL && target->kind == Q_ARR) {
			if (target->n >= QS_ARRAY_LIMIT) {
				if ((r = arr_to_obj(c, target)) == NULL ||
				    !obj_set_num(c, r, (double)target->n, source))
					return NULL;
				r->overflow = true;
				r->maxidx = (double)target->n;
				return r;
			}
			return arr_push(c, target, source) ? target : NULL;
		}
		if (is_overflow(target))
			return overflow_push(c, target, source);
		/* a plain object or a primitive: [target, source] */
		if ((r = qv_new(c, Q_ARR)) == NULL || !arr_set(c, r, 0,
		    target != NULL ? target : c->null) || !arr_push(c, r, source))
			return NULL;
		return r;
	}

	if (!is_container(target)) {
		if (is_overflow(source)) {
			/* target at 0, the source's entries one index up */
			if ((r = qv_new(c, Q_OBJ)) == NULL || !obj_set(c, r, "0", 1,
			    target != NULL ? target : c->null))
				return NULL;
			for (i = 0; i < source->n; i++) {
				struct qent *e = &source->ents[i];

				if (!obj_set_num(c, r, parse_int(e->k, e->klen) + 1,
				    e->v))
					return NULL;
			}
			r->overflow = true;
			r->maxidx = source->maxidx + 1;
			return r;
		}
		if ((r = qv_new(c, Q_ARR)) == NULL ||
		    !arr_push(c, r, target != NULL ? target : c->null) ||
		    !arr_concat(c, r, source))
			return NULL;
		return over_limit(c, r);
	}

	if (target->kind == Q_ARR && source->kind == Q_ARR) {
		/* target grows as we go, and that changes what "has i" sees */
		n = source->n;
		for (i = 0; i < n; i++) {
			struct qv *item = source->items[i], *ti;

			if (item == NULL)
				continue;
			ti = i < target->n ? target->items[i] : NULL;
			if (ti != NULL) {
				if (is_container(ti) && is_container(item)) {
					if ((ti = merge(c, ti, item)) == NULL)
						return NULL;
					target->items[i] = ti;
				} else if (!arr_push(c, target, item))
					return NULL;
			} else if (!arr_set(c, target, i, item))
				return NULL;
		}
		return over_limit(c, target);
	}

	mt = target;
	if (target->kind == Q_ARR && (mt = arr_to_obj(c, target)) == NULL)
		return NULL;
	n = source->n;
	for (i = 0; i < n; i++) {
		const char *k;
		size_t klen;
		struct qv *v;
		struct qent *e;
		double kn;

		if (source->kind == Q_ARR) {
			if ((v = source->items[i]) == NULL)
				continue;
			if ((k = num_key(c, (double)i, &klen)) == NULL)
				return NULL;
		} else {
			k = source->ents[i].k;
			klen = source->ents[i].klen;
			v = source->ents[i].v;
		}
		if ((e = obj_find(mt, k, klen)) != NULL) {
			/* merge() touches only e->v's subtree, never mt */
			if ((v = merge(c, e->v, v)) == NULL)
				return NULL;
			e->v = v;
		} else if (!obj_set(c, mt, k, klen, v))
			return NULL;
		if (is_overflow(source) && !mt->overflow) {
			mt->overflow = true;
			mt->maxidx = source->maxidx;
		}
		if (mt->overflow && canonical_index(k, klen, &kn) &&
		    kn > mt->maxidx)
			mt->maxidx = kn;
	}
	return mt;
}

/* ---- parsing ---- */

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The byte escaped at s[i], or -1 when s[i] does not start "%XX". */
static int
escaped(const char *s, size_t len, size_t i)
{
	int hi, lo;

	if (i >= len || len - i < 3 || s[i] != '%')
		return -1;
	if ((hi = hexval((unsigned char)s[i + 1])) < 0 ||
	    (lo = hexval((unsigned char)s[i + 2])) < 0)
		return -1;
	return hi << 4 | lo;
}

/*
 * qs's utils.decode: '+' is a space, then decodeURIComponent(); when that
 * throws (a malformed escape, or escapes that are not strict UTF-8) qs
 * keeps the string with only the '+' replaced.
 */
static struct qv *
decode(struct qctx *c, const char *s, size_t len)
{
	struct qv *v;
	char *d;
	size_t i = 0, j = 0, k;

	if ((v = qv_new(c, Q_STR)) == NULL || (d = qalloc(c, len + 1)) == NULL)
		return NULL;
	while (i < len) {
		int b = (unsigned char)s[i], more, x;
		uint32_t cp, min;

		if (b != '%') {
			d[j++] = b == '+' ? ' ' : (char)b;
			i++;
			continue;
		}
		if ((b = escaped(s, len, i)) < 0)
			goto undecoded;
		if (b < 0x80) {
			d[j++] = (char)b;
			i += 3;
			continue;
		}
		if ((b & 0xe0) == 0xc0) {
			more = 1;
			cp = (uint32_t)b & 0x1f;
			min = 0x80;
		} else if ((b & 0xf0) == 0xe0) {
			more = 2;
			cp = (uint32_t)b & 0x0f;
			min = 0x800;
		} else if ((b & 0xf8) == 0xf0) {
			more = 3;
			cp = (uint32_t)b & 0x07;
			min = 0x10000;
		} else
			goto undecoded;
		d[j] = (char)b;
		for (k = 1; k <= (size_t)more; k++) {
			x = escaped(s, len, i + 3 * k);
			if (x < 0 || (x & 0xc0) != 0x80)
				goto undecoded;
			cp = cp << 6 | ((uint32_t)x & 0x3f);
			d[j + k] = (char)x;
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto undecoded;
		j += (size_t)more + 1;
		i += 3 * ((size_t)more + 1);
	}
	goto done;
undecoded:
	for (j = 0; j < len; j++)
		d[j] = s[j] == '+' ? ' ' : s[j];
done:
	d[j] = '\0';
	v->s = d;
	v->slen = j;
	return v;
}

/* Own properties of Object.prototype, which allowPrototypes:false refuses. */
static bool
proto_name(const char *s, size_t len)
{
	static const char *const names[] = {
		"constructor", "__defineGetter__", "__defineSetter__",
		"hasOwnProperty", "__lookupGetter__", "__lookupSetter__",
		"isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf",
		"__proto__", "toLocaleString"
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(names); i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return true;
	return false;
}

/* One key=value part into the flat map (parseValues). */
static void
parse_part(struct qctx *c, struct qv *flat, const char *raw, size_t rawlen)
{
	struct qv *key, *val;
	struct qent *e;
	char *p;
	size_t i, n = 0, pos = SIZE_MAX;

	/* qs turns %5B and %5D into brackets before it splits anything */
	if ((p = qalloc(c, rawlen + 1)) == NULL)
		return;
	for (i = 0; i < rawlen; i++) {
		if (raw[i] == '%' && rawlen - i >= 3 && raw[i + 1] == '5' &&
		    (raw[i + 2] == 'B' || raw[i + 2] == 'b' ||
		    raw[i + 2] == 'D' || raw[i + 2] == 'd')) {
			p[n++] = raw[i + 2] == 'B' || raw[i + 2] == 'b' ? '[' : ']';
			i += 2;
		} else
			p[n++] = raw[i];
	}
	/* "a[b=c]=d": split after the "]=" rather than at the first '=' */
	for (i = 0; i + 1 < n; i++)
		if (p[i] == ']' && p[i + 1] == '=') {
			pos = i + 1;
			break;
		}
	if (pos == SIZE_MAX) {
		const char *eq = memchr(p, '=', n);

		if (eq != NULL)
			pos = (size_t)(eq - p);
	}
	if (pos == SIZE_MAX) {
		key = decode(c, p, n);
		val = c->null;
	} else {
		key = decode(c, p, pos);
		val = decode(c, p + pos + 1, n - pos - 1);
	}
	if (key == NULL || val == NULL)
		return;
	if ((e = obj_find(flat, key->s, key->slen)) != NULL) {
		if ((val = combine(c, e->v, val)) != NULL)
			e->v = val;
	} else
		obj_set(c, flat, key->s, key->slen, val);
}

/*
 * splitKeyIntoSegments: the parent before the first '[', then up to
 * QS_DEPTH balanced bracket groups (text between groups is skipped), then
 * whatever is left as one literal segment.  Returns the count, or 0 when
 * qs drops the key for naming a property of Object.prototype.
 */
static size_t
split_key(const char *key, size_t klen, struct qseg *segs)
{
	const char *first = memchr(key, '[', klen);
	size_t nseg = 0, collected = 0, open, plen, i, close;
	bool have_open = first != NULL;

	plen = have_open ? (size_t)(first - key) : klen;
	if (plen > 0) {
		if (proto_name(key, plen))
			return 0;
		segs[nseg++] = (struct qseg){ key, plen, false, false };
	}
	open = have_open ? plen : 0;
	while (have_open && collected < QS_DEPTH) {
		int level = 1;
		const char *next;

		close = SIZE_MAX;
		for (i = open + 1; i < klen && close == SIZE_MAX; i++) {
			if (key[i] == '[')
				level++;
			else if (key[i] == ']' && --level == 0)
				close = i;
		}
		if (close == SIZE_MAX) {
			/* unterminated: "[" + rest + "]", one segment */
			segs[nseg++] = (struct qseg){ key + open, klen - open,
			    true, false };
			return nseg;
		}
		if (proto_name(key + open + 1, close - open - 1))
			return 0;
		segs[nseg++] = (struct qseg){ key + open + 1, close - open - 1,
		    true, close == open + 1 };
		collected++;
		next = memchr(key + close + 1, '[', klen - close - 1);
		have_open = next != NULL;
		if (have_open)
			open = (size_t)(next - key);
	}
	if (have_open)
		segs[nseg++] = (struct qseg){ key + open, klen - open, true, false };
	return nseg;
}

/* parseObject: wrap the value in its key's segments, innermost first. */
static struct qv *
parse_object(struct qctx *c, const struct qseg *segs, size_t nseg,
    struct qv *leaf)
{
	struct qv *obj;
	size_t i;
	double d;

	for (i = nseg; i-- > 0;) {
		const struct qseg *sg = &segs[i];

		if (sg->push) {
			if (is_overflow(leaf))
				obj = leaf;
			else if ((obj = qv_new(c, Q_ARR)) != NULL)
				obj = combine(c, obj, leaf);
		} else if (sg->wrapped && canonical_index(sg->s, sg->len, &d)) {
			if (d < QS_ARRAY_LIMIT) {
				if ((obj = qv_new(c, Q_ARR)) != NULL &&
				    !arr_set(c, obj, (size_t)d, leaf))
					obj = NULL;
			} else if ((obj = qv_new(c, Q_OBJ)) != NULL) {
				if (!obj_set(c, obj, sg->s, sg->len, leaf))
					obj = NULL;
				else {
					obj->overflow = true;
					obj->maxidx = d;
				}
			}
		} else if ((obj = qv_new(c, Q_OBJ)) != NULL &&
		    !(sg->len == 9 && memcmp(sg->s, "__proto__", 9) == 0) &&
		    !obj_set(c, obj, sg->s, sg->len, leaf))
			obj = NULL;
		if (obj == NULL)
			return NULL;
		leaf = obj;
	}
	return leaf;
}

/* ---- json-c ---- */

static void
put_tree(void *p)
{
	json_object_put(p);
}

struct jframe {
	struct qv *v;
	json_object *j;
};

/* A new json-c value for v, empty if a container; NULL is JSON null. */
static bool
new_json(const struct qv *v, json_object **out)
{
	*out = NULL;
	switch (v->kind) {
	case Q_NULL:
		return true;
	case Q_STR:
		if (v->slen > INT32_MAX)
			return false;
		*out = json_object_new_string_len(v->s, (int)v->slen);
		break;
	case Q_ARR:
		*out = json_object_new_array();
		break;
	case Q_OBJ:
		*out = json_object_new_object();
		break;
	}
	return *out != NULL;
}

/* The NUL-terminated key for json-c in *buf; a NUL byte becomes U+FFFD. */
static const char *
json_key(struct qctx *c, const struct qent *e, char **buf, size_t *cap)
{
	size_t i, n = 0;

	if (e->klen > (SIZE_MAX - 1) / 3) {
		c->nomem = true;
		return NULL;
	}
	if (!grow(c, (void **)buf, cap, 0, e->klen * 3 + 1, 1))
		return NULL;
	for (i = 0; i < e->klen; i++) {
		if (e->k[i] == '\0') {
			memcpy(*buf + n, "\xef\xbf\xbd", 3);
			n += 3;
		} else
			(*buf)[n++] = e->k[i];
	}
	(*buf)[n] = '\0';
	return *buf;
}

/* Build the json-c tree, leaving out array holes (utils.compact). */
static enum app_err
to_json(struct qctx *c, struct qv *root, json_object **out)
{
	struct jframe *stack = NULL;
	size_t sn = 0, scap = 0, i, kcap = 0;
	char *kbuf = NULL;
	json_object *jroot;

	if ((jroot = json_object_new_object()) == NULL)
		return APP_ENOMEM;
	/* from here on the arena frees the tree, however far it got */
	if (arena_defer(c->a, put_tree, jroot) != 0)
		return APP_ENOMEM;
	if (!grow(c, (void **)&stack, &scap, 0, 1, sizeof(*stack)))
		return APP_ENOMEM;
	stack[sn++] = (struct jframe){ root, jroot };
	while (sn > 0) {
		struct jframe f = stack[--sn];
		size_t n = f.v->n;

		for (i = 0; i < n; i++) {
			struct qv *cv;
			json_object *cj;
			const char *key = NULL;
			int rc;

			if (f.v->kind == Q_ARR) {
				if ((cv = f.v->items[i]) == NULL)
					continue;
			} else {
				cv = f.v->ents[i].v;
				key = json_key(c, &f.v->ents[i], &kbuf, &kcap);
				if (key == NULL)
					return APP_ENOMEM;
				/*
				 * A key that differs from another only at a NUL
				 * would replace it, and free a container still on
				 * the stack: keep the first.
				 */
				if (json_object_object_get_ex(f.j, key, NULL))
					continue;
			}
			if (!new_json(cv, &cj))
				return APP_ENOMEM;
			rc = key == NULL ? json_object_array_add(f.j, cj) :
			    json_object_object_add(f.j, key, cj);
			if (rc != 0) {
				json_object_put(cj);
				return APP_ENOMEM;
			}
			if (is_container(cv)) {
				if (!grow(c, (void **)&stack, &scap, sn, sn + 1,
				    sizeof(*stack)))
					return APP_ENOMEM;
				stack[sn++] = (struct jframe){ cv, cj };
			}
		}
	}
	*out = jroot;
	return APP_OK;
}

enum app_err
qs_parse(struct arena *a, const char *query, size_t len, json_object **out)
{
	struct qctx c = { a, false, NULL };
	struct qv *flat, *obj;
	size_t i, start = 0, nparts = 0;

	*out = NULL;
	if ((c.null = qv_new(&c, Q_NULL)) == NULL ||
	    (flat = qv_new(&c, Q_OBJ)) == NULL ||
	    (obj = qv_new(&c, Q_OBJ)) == NULL)
		return APP_ENOMEM;

	/* split("&", parameterLimit): empty parts count, later ones are dropped */
	while (len > 0 && nparts < QS_PARAM_LIMIT && !c.nomem) {
		const char *amp = memchr(query + start, '&', len - start);
		size_t end = amp != NULL ? (size_t)(amp - query) : len;

		parse_part(&c, flat, query + start, end - start);
		nparts++;
		if (amp == NULL)
			break;
		start = end + 1;
	}

	/* then each distinct key, in the flat map's JavaScript key order */
	for (i = 0; i < flat->n && !c.nomem; i++) {
		struct qseg segs[QS_DEPTH + 2];
		struct qent *e = &flat->ents[i];
		struct qv *one;
		size_t nseg;

		if (e->klen == 0 || (nseg = split_key(e->k, e->klen, segs)) == 0)
			continue;
		if ((one = parse_object(&c, segs, nseg, e->v)) == NULL)
			break;
		obj = merge(&c, obj, one);
	}
	if (c.nomem || obj == NULL)
		return APP_ENOMEM;
	return to_json(&c, obj, out);
}
