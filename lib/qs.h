/*
 * qs.h - the query string parser Strapi puts in front of Koa: the same
 * tree qs 6.15.3 (the version @strapi/core 5.54 pins) builds with
 * qs.parse(q, {strictNullHandling: true, arrayLimit: 100, depth: 20}) and
 * qs's other defaults (parameterLimit 1000, allowDots false,
 * allowPrototypes false, duplicates "combine", comma false, utf-8).
 *
 * The tree holds only objects, arrays, strings and nulls, and belongs to
 * the arena: it is released at the arena's reset, so callers never call
 * json_object_put() on it.
 *
 * Where json-c cannot say what qs says: an object key holding a NUL byte
 * (from %00) is stored with each NUL replaced by U+FFFD, since json-c keys
 * are C strings.  Strings (values) keep their NULs; use
 * json_object_get_string_len().
 */
#ifndef QS_H
#define QS_H

#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"

/*
 * Parse the len bytes of a raw query string (no leading '?') into *out, a
 * json-c object.  Odd input never fails, as qs never throws; the only
 * error is APP_ENOMEM, with *out NULL.
 */
enum app_err qs_parse(struct arena *a, const char *query, size_t len,
    json_object **out);

#endif
