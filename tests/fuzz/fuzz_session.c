/*
 * What a browser or an API client sends to the session routes: a
 * return_to, an Origin, a refresh token (body or cookie), and a sealed
 * WorkOS refresh token as it could be tampered with in the database.
 * The first byte picks the parser; the rest is its input.
 */
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "arena.h"
#include "cfg.h"
#include "fuzz.h"
#include "origin.h"
#include "sstore.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cfg cfg;
	static struct aead_key key;
	static int ready;
	struct arena a;
	char *s, id[SSTORE_ID_LEN + 1], norm[CFG_ORIGIN_LEN], *plain;
	unsigned char secret[SSTORE_SECRET_BYTES];
	const char *why;
	size_t n;

	if (!ready) {
		cfg_origin_normalise("https://app.example", 19, cfg.app_origins[0],
		    CFG_ORIGIN_LEN);
		cfg_origin_normalise("http://localhost:5173", 21, cfg.app_origins[1],
		    CFG_ORIGIN_LEN);
		cfg.napp_origins = 2;
		aead_key_derive(&key, "fuzz-cookie-password-fuzz-cookie-password", "fuzz");
		ready = 1;
	}
	if (size == 0)
		return 0;
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	switch (data[0] % 4) {
	case 0:
		(void)origin_check_return_to(&cfg, s, size - 1, &why);
		break;
	case 1:
		(void)cfg_origin_normalise(s, size - 1, norm, sizeof(norm));
		(void)cfg_origin_allowed(&cfg, s, size - 1);
		break;
	case 2:
		(void)sstore_token_parse(s, size - 1, id, secret);
		break;
	default:
		arena_init(&a, 4096);
		(void)aead_open(&a, &key, "aad", s, &plain, &n);
		arena_free(&a);
		break;
	}
	free(s);
	return 0;
}
