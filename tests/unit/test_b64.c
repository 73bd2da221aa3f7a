/*
 * test_b64.c - b64.h: RFC 4648 vectors in base64url without padding,
 * strict decoding, and random round trips.
 */
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "t.h"

static const char url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Does decoding the NUL-terminated text s fail? */
static int
rejects(const char *s)
{
	unsigned char out[256];

	return b64url_decode(out, s, strlen(s)) == -1;
}

static void
test_vectors(void)
{
	static const struct { const char *plain, *enc; } v[] = {
		{ "", "" },
		{ "f", "Zg" },
		{ "fo", "Zm8" },
		{ "foo", "Zm9v" },
		{ "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	char name[80], enc[32];
	unsigned char dec[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i].plain);
		long got;

		memset(enc, '#', sizeof(enc));
		b64url_encode(enc, v[i].plain, n);
		snprintf(name, sizeof(name), "encode \"%s\"", v[i].plain);
		T_STREQ(name, enc, v[i].enc);
		snprintf(name, sizeof(name), "B64URL_LEN(%zu)", n);
		T_INT(name, B64URL_LEN(n), strlen(v[i].enc));

		memset(dec, 0xee, sizeof(dec));
		got = b64url_decode(dec, v[i].enc, strlen(v[i].enc));
		snprintf(name, sizeof(name), "decode \"%s\": length", v[i].enc);
		T_INT(name, got, (long)n);
		snprintf(name, sizeof(name), "decode \"%s\": bytes", v[i].enc);
		T_OK(name, got == (long)n && memcmp(dec, v[i].plain, n) == 0);
		snprintf(name, sizeof(name), "decode \"%s\": within B64URL_DEC_MAX",
		    v[i].enc);
		T_OK(name, (size_t)got <= B64URL_DEC_MAX(strlen(v[i].enc)));
	}
}

static void
test_url_alphabet(void)
{
	unsigned char in[] = { 0xfb, 0xff, 0xbf };
	unsigned char out[8];
	char enc[8];

	b64url_encode(enc, in, 2);
	T_STREQ("encode fb ff uses - and _", enc, "-_8");
	b64url_encode(enc, in, 3);
	T_STREQ("encode fb ff bf", enc, "-_-_");
	T_INT("decode -_8", b64url_decode(out, "-_8", 3), 2);
	T_OK("decode -_8 bytes", out[0] == 0xfb && out[1] == 0xff);
	T_INT("decode -_-_", b64url_decode(out, "-_-_", 4), 3);
	T_OK("decode -_-_ bytes", memcmp(out, in, 3) == 0);
	/* Only n characters are read: what follows is ignored. */
	T_INT("decode reads only n characters", b64url_decode(out, "Zm9vYmFy", 4), 3);
	T_OK("decode reads only n characters: bytes", memcmp(out, "foo", 3) == 0);
	T_INT("decode of zero characters", b64url_decode(out, "", 0), 0);
}

static void
test_rejects(void)
{
	unsigned char out[16];

	T_OK("reject padding Zg==", rejects("Zg=="));
	T_OK("reject padding Zm8=", rejects("Zm8="));
	T_OK("reject padding ====", rejects("===="));
	T_OK("reject '=' inside", rejects("Zm=v"));
	T_OK("reject standard alphabet '+'", rejects("+-__"));
	T_OK("reject standard alphabet '/'", rejects("ab/c"));
	T_OK("reject '+' at the end", rejects("Zm9+"));
	T_OK("reject space", rejects("Zm9 "));
	T_OK("reject newline", rejects("Zm9v\nYmFy"));
	T_OK("reject non-ASCII", rejects("Zm\xc3\xa9"));
	T_OK("reject embedded NUL", b64url_decode(out, "Zm\0v", 4) == -1);
	T_OK("reject length 1", rejects("Z"));
	T_OK("reject length 5", rejects("Zm9vY"));
	T_OK("reject length 9", rejects("Zm9vYmFyZ"));
	/* Non-zero trailing bits: only the canonical form is accepted. */
	T_OK("reject Zh (Zg is the canonical \"f\")", rejects("Zh"));
	T_OK("reject Zv", rejects("Zv"));
	T_OK("accept Zg", !rejects("Zg"));
	T_OK("reject Zm9 (Zm8 is the canonical \"fo\")", rejects("Zm9"));
	T_OK("accept Zm8", !rejects("Zm8"));
	T_OK("reject Zm9vYh", rejects("Zm9vYh"));
	T_OK("reject Zm9vYmF (Zm9vYmE is canonical)", rejects("Zm9vYmF"));
	T_OK("reject __ (trailing bits of 0xff)", rejects("__"));
	T_OK("accept _w (0xff)", !rejects("_w"));
	T_OK("reject ___", rejects("___"));
	T_OK("accept __8 (ff ff)", !rejects("__8"));
}

static void
test_round_trips(void)
{
	unsigned char in[101], out[B64URL_DEC_MAX(B64URL_LEN(100)) + 8];
	char enc[B64URL_LEN(100) + 2];
	int enc_ok = 1, len_ok = 1, dec_ok = 1, alpha_ok = 1, canon_ok = 1;

	srand(4648);
	for (int round = 0; round < 20; round++) {
		for (size_t n = 0; n <= 100; n++) {
			long got;
			size_t el;

			for (size_t i = 0; i < n; i++)
				in[i] = (unsigned char)(rand() & 0xff);
			enc[B64URL_LEN(n) + 1] = '#';
			b64url_encode(enc, in, n);
			el = strlen(enc);
			if (el != B64URL_LEN(n) || enc[B64URL_LEN(n) + 1] != '#')
				len_ok = 0;
			if (strspn(enc, url_alphabet) != el)
				alpha_ok = 0;
			got = b64url_decode(out, enc, el);
			if (got != (long)n)
				enc_ok = 0;
			else if (n && memcmp(in, out, n) != 0)
				dec_ok = 0;
			if ((size_t)got > B64URL_DEC_MAX(el))
				len_ok = 0;
			/* Changing the last character breaks the value or its
			 * canonical form, never decodes to the same bytes. */
			if (el > 0) {
				const char *pos = strchr(url_alphabet, enc[el - 1]);
				long g2;

				enc[el - 1] = url_alphabet[((pos - url_alphabet) + 1) % 64];
				g2 = b64url_decode(out, enc, el);
				if (g2 == (long)n && memcmp(in, out, n) == 0)
					canon_ok = 0;
			}
		}
	}
	T_OK("random 0..100 bytes: encoded length is B64URL_LEN, no overrun", len_ok);
	T_OK("random 0..100 bytes: only url-alphabet characters", alpha_ok);
	T_OK("random 0..100 bytes: decode length matches", enc_ok);
	T_OK("random 0..100 bytes: round trip", dec_ok);
	T_OK("random 0..100 bytes: a changed last character never decodes the same",
	    canon_ok);
}

int
main(void)
{
	test_vectors();
	test_url_alphabet();
	test_rejects();
	test_round_trips();
	return T_DONE();
}
