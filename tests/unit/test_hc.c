/*
 * test_hc.c - hc_escape: RFC 3986 percent-encoding of a query component
 * (the unreserved characters kept, every other byte %XX in upper case),
 * as libcurl's curl_easy_escape writes it.
 */
#include <string.h>

#include "arena.h"
#include "hc.h"
#include "t.h"

int
main(void)
{
	static const struct { const char *in, *want; } v[] = {
		{ "", "" },
		{ "client_01ABC-xyz.~", "client_01ABC-xyz.~" },
		{ "a b", "a%20b" },
		{ "a+b/c?d=e&f#g", "a%2Bb%2Fc%3Fd%3De%26f%23g" },
		{ "https://app.example.com/cb?x=1", "https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1" },
		{ "100%", "100%25" },
		{ "\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9" },
		{ "\x01\x7f\xff", "%01%7F%FF" },
	};
	struct arena a;
	char name[96];

	arena_init(&a, 4096);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(name, sizeof(name), "hc_escape vector %zu", i);
		T_STREQ(name, hc_escape(&a, v[i].in), v[i].want);
	}
	arena_free(&a);
	return T_DONE();
}
