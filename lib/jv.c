#include <string.h>

#include "b64.h"
#include "jv.h"

static void
put_tree(void *p)
{
	json_object_put(p);
}

enum app_err
jv_parse(struct arena *a, const char *buf, size_t len, json_object **out,
    const char **errmsg)
{
	struct json_tokener *tok;
	json_object *obj;
	enum json_tokener_error jerr;
	size_t used;

	*out = NULL;
	if (len > 0x7fffffff) {
		if (errmsg) *errmsg = "document too large";
		return APP_EINPUT;
	}
	tok = json_tokener_new_ex(JV_MAX_DEPTH);
	if (tok == NULL)
		return APP_ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	if (obj == NULL || jerr != json_tokener_success) {
		if (errmsg)
			*errmsg = jerr == json_tokener_continue ?
			    "unexpected end of input" : json_tokener_error_desc(jerr);
		json_object_put(obj);
		json_tokener_free(tok);
		return APP_EINPUT;
	}
	json_tokener_free(tok);
	for (; used < len; used++) {
		char c = buf[used];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			if (errmsg) *errmsg = "unexpected data after the JSON value";
			json_object_put(obj);
			return APP_EINPUT;
		}
	}
	if (arena_defer(a, put_tree, obj) != 0)
		return APP_ENOMEM;
	*out = obj;
	return APP_OK;
}

json_object *
jv_get(json_object *obj, const char *key)
{
	json_object *v = NULL;

	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(obj, key, &v))
		return NULL;
	return v;
}

const char *
jv_strn(json_object *obj, const char *key, size_t *len)
{
	json_object *v = jv_get(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	if (len)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

const char *
jv_str(json_object *obj, const char *key)
{
	return jv_strn(obj, key, NULL);
}

bool
jv_bool(json_object *obj, const char *key)
{
	json_object *v = jv_get(obj, key);

	return v != NULL && json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
}

int
jv_int(json_object *obj, const char *key, long long *out)
{
	json_object *v = jv_get(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return -1;
	*out = json_object_get_int64(v);
	return 0;
}

json_object *
jv_b64url_object(struct arena *a, const char *s, size_t n)
{
	char *buf;
	long len;
	json_object *obj;

	buf = arena_alloc(a, B64URL_DEC_MAX(n) + 1);
	if (buf == NULL)
		return NULL;
	len = b64url_decode(buf, s, n);
	if (len < 0)
		return NULL;
	if (jv_parse(a, buf, (size_t)len, &obj, NULL) != APP_OK)
		return NULL;
	if (!json_object_is_type(obj, json_type_object))
		return NULL;
	return obj;
}
