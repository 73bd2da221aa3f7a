/*
 * test_jw.c - jw.h: structure and commas, escaping, UTF-8 validation, and
 * output that json-c accepts.
 */
#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "jw.h"
#include "sbuf.h"
#include "t.h"

static struct arena A;

/* Strictly parse text with json-c (UTF-8 validated); NULL if invalid. */
static json_object *
parse_strict(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	if (tok == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)strlen(text));
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != strlen(text)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* jw_escape(s, n) as a string on the arena. */
static const char *
esc(const char *s, size_t n)
{
	struct sbuf sb;

	sbuf_init(&sb, &A, 4096);
	jw_escape(&sb, s, n);
	return sbuf_err(&sb) == APP_OK ? sbuf_str(&sb) : NULL;
}

/* Has text a byte >= 0x80? */
static int
has_high_bytes(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/*
 * Does escaping in[0..n) give valid JSON whose string value is want
 * (wantlen bytes)?
 */
static int
decodes_to(const char *in, size_t n, const char *want, size_t wantlen)
{
	const char *e = esc(in, n);
	json_object *o;
	int ok;

	if (e == NULL)
		return 0;
	o = parse_strict(e);
	ok = o != NULL && json_object_is_type(o, json_type_string) &&
	    (size_t)json_object_get_string_len(o) == wantlen &&
	    memcmp(json_object_get_string(o), want, wantlen) == 0;
	json_object_put(o);
	return ok;
}

static void
test_structure(void)
{
	struct sbuf sb;
	struct jw w;
	json_object *o;

	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "a");
	jw_int(&w, 1);
	jw_key(&w, "b");
	jw_arr_open(&w);
	jw_int(&w, 1);
	jw_int(&w, 2);
	jw_obj_open(&w);
	jw_key(&w, "c");
	jw_null(&w);
	jw_key(&w, "d");
	jw_bool(&w, true);
	jw_obj_close(&w);
	jw_arr_open(&w);
	jw_arr_close(&w);
	jw_str(&w, "s");
	jw_arr_close(&w);
	jw_key(&w, "e");
	jw_obj_open(&w);
	jw_obj_close(&w);
	jw_key(&w, "f");
	jw_bool(&w, false);
	jw_key(&w, "g");
	jw_raw(&w, "[1,{\"x\":2}]");
	jw_key(&w, "h");
	jw_str(&w, NULL);
	jw_obj_close(&w);
	T_INT("nested: no error", sbuf_err(&sb), APP_OK);
	T_STREQ("nested objects and arrays: commas and colons", sbuf_str(&sb),
	    "{\"a\":1,\"b\":[1,2,{\"c\":null,\"d\":true},[],\"s\"],\"e\":{},"
	    "\"f\":false,\"g\":[1,{\"x\":2}],\"h\":null}");
	o = parse_strict(sbuf_str(&sb));
	T_OK("nested: json-c parses it", o != NULL);
	T_OK("nested: json-c sees 6 members",
	    o != NULL && json_object_object_length(o) == 6);
	json_object_put(o);

	/* Top-level array of objects. */
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_arr_open(&w);
	for (int i = 0; i < 3; i++) {
		jw_obj_open(&w);
		jw_key(&w, "i");
		jw_int(&w, i);
		jw_key(&w, "l");
		jw_arr_open(&w);
		jw_arr_close(&w);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	T_STREQ("array of objects", sbuf_str(&sb),
	    "[{\"i\":0,\"l\":[]},{\"i\":1,\"l\":[]},{\"i\":2,\"l\":[]}]");
	o = parse_strict(sbuf_str(&sb));
	T_OK("array of objects: json-c parses 3 elements",
	    o != NULL && json_object_array_length(o) == 3);
	json_object_put(o);

	/* Integers at the extremes. */
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_arr_open(&w);
	jw_int(&w, LLONG_MIN);
	jw_int(&w, LLONG_MAX);
	jw_int(&w, 0);
	jw_int(&w, -1);
	jw_arr_close(&w);
	T_STREQ("integers", sbuf_str(&sb),
	    "[-9223372036854775808,9223372036854775807,0,-1]");

	/* A single scalar at the top level. */
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_str(&w, "only");
	T_STREQ("top-level string", sbuf_str(&sb), "\"only\"");

	/* Keys are escaped too. */
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "k\"e\\y\n");
	jw_int(&w, 1);
	jw_obj_close(&w);
	T_STREQ("keys escaped", sbuf_str(&sb), "{\"k\\\"e\\\\y\\n\":1}");
	o = parse_strict(sbuf_str(&sb));
	T_OK("escaped key: json-c finds it",
	    o != NULL && json_object_object_get_ex(o, "k\"e\\y\n", NULL));
	json_object_put(o);

	/* Deep nesting: 31 levels work, past JW_MAX_DEPTH is an error. */
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	for (int i = 0; i < 31; i++)
		jw_arr_open(&w);
	for (int i = 0; i < 31; i++)
		jw_arr_close(&w);
	T_INT("31 nested arrays: no error", sbuf_err(&sb), APP_OK);
	o = parse_strict(sbuf_str(&sb));
	T_OK("31 nested arrays: json-c parses it", o != NULL);
	json_object_put(o);
	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	for (int i = 0; i < 40; i++)
		jw_arr_open(&w);
	T_OK("40 nested arrays: an error", sbuf_err(&sb) != APP_OK);

	/* Errors are the sbuf's: a full buffer is reported. */
	sbuf_init(&sb, &A, 8);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "long key");
	jw_str(&w, "long value");
	jw_obj_close(&w);
	T_INT("small buffer: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
}

static void
test_escaping(void)
{
	T_STREQ("plain", esc("abc", 3), "\"abc\"");
	T_STREQ("empty", esc("", 0), "\"\"");
	T_STREQ("quote", esc("a\"b", 3), "\"a\\\"b\"");
	T_STREQ("backslash", esc("a\\b", 3), "\"a\\\\b\"");
	T_STREQ("newline", esc("a\nb", 3), "\"a\\nb\"");
	T_STREQ("cr and tab", esc("\r\t", 2), "\"\\r\\t\"");
	T_STREQ("\\u0001", esc("\x01", 1), "\"\\u0001\"");
	T_STREQ("\\u001f", esc("\x1f", 1), "\"\\u001f\"");
	T_STREQ("backspace and form feed as \\u", esc("\b\f", 2), "\"\\u0008\\u000c\"");
	T_STREQ("embedded NUL", esc("a\0b", 3), "\"a\\u0000b\"");
	T_STREQ("DEL passes", esc("\x7f", 1), "\"\x7f\"");
	T_STREQ("slash passes", esc("/", 1), "\"/\"");
	T_STREQ("only n bytes are read", esc("abcdef", 3), "\"abc\"");
	T_OK("all controls: valid JSON, same bytes back",
	    decodes_to("q\"\\\n\r\t\x01\x02\x1e\x1f\b\fz", 13,
	    "q\"\\\n\r\t\x01\x02\x1e\x1f\b\fz", 13));
	T_OK("NUL: valid JSON, same bytes back", decodes_to("a\0b", 3, "a\0b", 3));
}

static void
test_utf8(void)
{
	static const char fffd[] = "\xef\xbf\xbd";
	const char *e;

	T_STREQ("2-byte UTF-8 passes", esc("caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	T_STREQ("3-byte UTF-8 passes", esc("\xe2\x82\xac", 3), "\"\xe2\x82\xac\"");
	T_STREQ("4-byte UTF-8 passes", esc("\xf0\x9f\x98\x80", 4),
	    "\"\xf0\x9f\x98\x80\"");
	T_STREQ("U+10FFFF passes", esc("\xf4\x8f\xbf\xbf", 4), "\"\xf4\x8f\xbf\xbf\"");
	T_STREQ("U+D7FF passes", esc("\xed\x9f\xbf", 3), "\"\xed\x9f\xbf\"");
	T_STREQ("U+E000 passes", esc("\xee\x80\x80", 3), "\"\xee\x80\x80\"");
	T_STREQ("U+0080 passes", esc("\xc2\x80", 2), "\"\xc2\x80\"");
	T_STREQ("U+0800 passes", esc("\xe0\xa0\x80", 3), "\"\xe0\xa0\x80\"");
	T_STREQ("U+10000 passes", esc("\xf0\x90\x80\x80", 4), "\"\xf0\x90\x80\x80\"");
	T_OK("valid UTF-8 mix: json-c reads the same text",
	    decodes_to("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11,
	    "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", 11));

	T_STREQ("0xff becomes \\ufffd", esc("\xff", 1), "\"\\ufffd\"");
	T_STREQ("0xff between ASCII", esc("a\xff" "b", 3), "\"a\\ufffdb\"");
	T_STREQ("lone continuation byte", esc("\x80", 1), "\"\\ufffd\"");

	e = esc("a\xe2\x82", 3);
	T_OK("truncated 3-byte sequence at the end: \\ufffd, no raw bytes",
	    e != NULL && strncmp(e, "\"a\\ufffd", 8) == 0 && !has_high_bytes(e));
	T_OK("truncated sequence at the end: valid JSON",
	    e != NULL && decodes_to("a\xe2\x82", 3, "a" "\xef\xbf\xbd\xef\xbf\xbd", 7));
	e = esc("\xe2\x82z", 3);
	T_OK("truncated sequence before ASCII: the ASCII survives",
	    e != NULL && strncmp(e, "\"\\ufffd", 7) == 0 && !has_high_bytes(e) &&
	    strcmp(e + strlen(e) - 2, "z\"") == 0);
	e = esc("\xf0\x9f\x98", 3);
	T_OK("truncated 4-byte sequence: no raw bytes",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xc3", 1);
	T_STREQ("truncated 2-byte sequence", e, "\"\\ufffd\"");

	e = esc("\xc0\x80", 2);
	T_OK("overlong c0 80 (NUL) becomes \\ufffd, no raw bytes",
	    e != NULL && strncmp(e, "\"\\ufffd", 7) == 0 && !has_high_bytes(e) &&
	    strstr(e, "\\u0000") == NULL);
	e = esc("\xc1\xbf", 2);
	T_OK("overlong c1 bf becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xe0\x80\xaf", 3);
	T_OK("overlong e0 80 af ('/') becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e) &&
	    strchr(e + 1, '/') == NULL);
	e = esc("\xf0\x80\x80\xaf", 4);
	T_OK("overlong f0 80 80 af becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xed\xa0\x80", 3);
	T_OK("surrogate ed a0 80 becomes \\ufffd, no raw bytes",
	    e != NULL && strncmp(e, "\"\\ufffd", 7) == 0 && !has_high_bytes(e));
	e = esc("\xed\xbf\xbf", 3);
	T_OK("surrogate ed bf bf becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xf4\x90\x80\x80", 4);
	T_OK("above U+10FFFF becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xf5\x80\x80\x80", 4);
	T_OK("f5 lead byte becomes \\ufffd",
	    e != NULL && strstr(e, "\\ufffd") != NULL && !has_high_bytes(e));
	e = esc("\xc3\x28", 2);
	T_STREQ("bad continuation: \\ufffd then the ASCII byte", e, "\"\\ufffd(\"");

	/* Whatever the bytes, json-c accepts the output strictly. */
	{
		unsigned char all[256];
		const char *out;
		json_object *o;

		for (int i = 0; i < 256; i++)
			all[i] = (unsigned char)i;
		out = esc((const char *)all, sizeof(all));
		o = out ? parse_strict(out) : NULL;
		T_OK("all 256 byte values: valid JSON", o != NULL);
		T_OK("all 256 byte values: no raw high bytes", !has_high_bytes(out));
		T_OK("all 256 byte values: decoded text starts with the ASCII",
		    o != NULL && json_object_get_string_len(o) > 128 &&
		    memcmp(json_object_get_string(o), all, 128) == 0);
		T_OK("all 256 byte values: the rest are U+FFFD",
		    o != NULL && json_object_get_string_len(o) == 128 + 128 * 3 &&
		    memcmp(json_object_get_string(o) + 128, fffd, 3) == 0);
		json_object_put(o);
	}
}

static void
test_json_c(void)
{
	struct sbuf sb;
	struct jw w;
	json_object *o, *v;
	static const char tricky[] = "he said \"hi\\\"\n\ttab\x01\xff caf\xc3\xa9";

	sbuf_init(&sb, &A, 4096);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "s");
	jw_str(&w, tricky);
	jw_key(&w, "n");
	jw_int(&w, -42);
	jw_key(&w, "arr");
	jw_arr_open(&w);
	jw_str(&w, "\xed\xa0\x80");
	jw_bool(&w, true);
	jw_null(&w);
	jw_arr_close(&w);
	jw_obj_close(&w);
	o = parse_strict(sbuf_str(&sb));
	T_OK("json-c: document parses", o != NULL);
	T_OK("json-c: string member",
	    o != NULL && json_object_object_get_ex(o, "s", &v) &&
	    strcmp(json_object_get_string(v),
	    "he said \"hi\\\"\n\ttab\x01\xef\xbf\xbd caf\xc3\xa9") == 0);
	T_OK("json-c: integer member",
	    o != NULL && json_object_object_get_ex(o, "n", &v) &&
	    json_object_get_int64(v) == -42);
	T_OK("json-c: surrogate element is U+FFFD only",
	    o != NULL && json_object_object_get_ex(o, "arr", &v) &&
	    json_object_array_length(v) == 3 &&
	    strspn(json_object_get_string(json_object_array_get_idx(v, 0)),
	    "\xef\xbf\xbd") ==
	    strlen(json_object_get_string(json_object_array_get_idx(v, 0))));
	json_object_put(o);
}

/* The escape of one ASCII byte, as the JSON of a string holds it. */
static void
ref_byte(struct sbuf *sb, unsigned char c)
{
	switch (c) {
	case '"': sbuf_puts(sb, "\\\""); break;
	case '\\': sbuf_puts(sb, "\\\\"); break;
	case '\n': sbuf_puts(sb, "\\n"); break;
	case '\r': sbuf_puts(sb, "\\r"); break;
	case '\t': sbuf_puts(sb, "\\t"); break;
	default:
		if (c < 0x20 || c == '&' || c == '<' || c == '>')
			sbuf_printf(sb, "\\u%04x", c);
		else
			sbuf_putc(sb, (char)c);
	}
}

/* Does escaping in[0..len) (ASCII) give what ref_byte says, byte by byte? */
static bool
matches_reference(const char *in, size_t len)
{
	struct sbuf want;
	const char *got;
	bool ok;

	sbuf_init(&want, &A, 1024);
	sbuf_putc(&want, '"');
	for (size_t i = 0; i < len; i++)
		ref_byte(&want, (unsigned char)in[i]);
	sbuf_putc(&want, '"');
	got = esc(in, len);
	ok = got != NULL && sbuf_err(&want) == APP_OK && strcmp(got, sbuf_str(&want)) == 0;
	arena_reset(&A);
	return ok;
}

/*
 * Every special byte, at every offset of strings of every short length
 * (and in random text), comes out as ref_byte says: the escaper's runs of
 * plain bytes must never swallow or split one.
 */
static void
test_against_reference(void)
{
	static const unsigned char specials[] = { 0x01, 0x1f, '"', '\\', '&', '<',
	    '>', '\n', 0x7f, 0x20, '!', '#', '%', ';', '=', '?', '[', ']' };
	unsigned seed = 12345;
	int bad = 0, tries = 0;

	for (size_t len = 0; len <= 24; len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(specials); k++) {
				char in[32];

				memset(in, 'a' + (int)(len % 26), len);
				in[at] = (char)specials[k];
				tries++;
				bad += !matches_reference(in, len);
			}
	/* Random ASCII, special bytes frequent. */
	for (int r = 0; r < 20000; r++) {
		char in[64];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = (char)((seed >> 16) % 4 == 0 ?
			    specials[(seed >> 20) % sizeof(specials)] : 1 + (seed >> 20) % 127);
		}
		tries++;
		bad += !matches_reference(in, len);
	}
	T_INT("escaping equals the reference, byte for byte", bad, 0);
	T_OK("every case ran", tries > 20000);
	/*
	 * UTF-8 and invalid bytes at every offset of 20 bytes, up to the last:
	 * a 2-byte sequence whole, or cut short by the end (U+FFFD), and 0xff.
	 */
	bad = 0;
	for (size_t at = 0; at < 20; at++) {
		char in[32], want[64];
		const char *got;

		memset(in, 'x', 20);
		memcpy(in + at, "\xc3\xa9", 2);
		got = esc(in, 20);
		if (at < 19)
			snprintf(want, sizeof(want), "\"%.*s\xc3\xa9%.*s\"", (int)at, in,
			    (int)(18 - at), in + at + 2);
		else
			snprintf(want, sizeof(want), "\"%.*s\\ufffd\"", (int)at, in);
		if (got == NULL || strcmp(got, want) != 0)
			bad++;
		in[at] = (char)0xff;
		in[at + 1] = 'x';
		got = esc(in, 20);
		snprintf(want, sizeof(want), "\"%.*s\\ufffd%.*s\"", (int)at, in,
		    (int)(19 - at), in + at + 1);
		if (got == NULL || strcmp(got, want) != 0)
			bad++;
	}
	T_INT("UTF-8 and invalid bytes at every offset", bad, 0);
	arena_reset(&A);
}

int
main(void)
{
	arena_init(&A, 4096);
	test_structure();
	test_escaping();
	test_utf8();
	test_json_c();
	test_against_reference();
	arena_free(&A);
	return T_DONE();
}
