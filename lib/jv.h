/*
 * jv.h - reading JSON with json-c, behind one module.
 *
 * jv_parse() returns a tree owned by the arena: it is released at the
 * arena's reset, so callers never call json_object_put() on it.  Values
 * looked up inside it live as long as the tree.
 */
#ifndef JV_H
#define JV_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"

#define JV_MAX_DEPTH 32

/*
 * Parse exactly len bytes of untrusted JSON (trailing bytes other than
 * white space are an error).  On failure returns APP_EINPUT and, when
 * errmsg is not NULL, a static description.
 */
enum app_err jv_parse(struct arena *a, const char *buf, size_t len,
    json_object **out, const char **errmsg);

/*
 * The JSON object base64url-encoded (no padding) in the n characters at s,
 * as a JWT header or payload is; NULL when it is not one.  Owned by a.
 */
json_object *jv_b64url_object(struct arena *a, const char *s, size_t n);

/* The string member key of obj, or NULL when absent or not a string. */
const char *jv_str(json_object *obj, const char *key);
/* Like jv_str, with its length in *len. */
const char *jv_strn(json_object *obj, const char *key, size_t *len);
/* The boolean member key; false when absent or not a boolean. */
bool jv_bool(json_object *obj, const char *key);
/* The integer member key into *v; -1 when absent or not an integer. */
int jv_int(json_object *obj, const char *key, long long *v);
/* The member key, whatever its type, or NULL. */
json_object *jv_get(json_object *obj, const char *key);

#endif
