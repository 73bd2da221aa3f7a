/*
 * A Cookie header as a browser (or anyone) sends it: split by req_cookie()
 * for the session cookie and by signin_flows() for the login-state cookies,
 * then each value found given to its parser (the session's refresh token,
 * the sealed login state and its unauthenticated expiry).  The input is the
 * header's value; the header is a malloc() block of its own, exactly as
 * long, so ASan sees a read past its end.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "fuzz.h"
#include "req.h"
#include "sess.h"
#include "signin.h"
#include "sstore.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "HTTP_COOKIE=";
	static struct app app;
	static struct sess_key key;
	static int ready;
	struct signin_flow flows[16];
	unsigned char secret[SSTORE_SECRET_BYTES];
	char id[SSTORE_ID_LEN + 1], *envp[2], *h;
	const char *v;
	struct sess_login l;
	struct arena a;
	struct conn c;
	struct req r;
	size_t n;

	if (!ready) {
		sess_key_derive(&key, "fuzz-cookie-password-fuzz-cookie-password");
		ready = 1;
	}
	h = malloc(sizeof(prefix) + size);
	if (h == NULL)
		return 0;
	memcpy(h, prefix, sizeof(prefix) - 1);
	memcpy(h + sizeof(prefix) - 1, data, size);
	h[sizeof(prefix) - 1 + size] = '\0';
	envp[0] = h;
	envp[1] = NULL;
	c = fuzz_head_only(envp);

	arena_init(&a, 4096);
	if (req_init(&r, &a, &app, &c) == APP_OK) {
		v = req_cookie(&r, SIGNIN_SESSION_COOKIE);
		if (v != NULL)
			(void)sstore_token_parse(v, strlen(v), id, secret);
		(void)req_cookie(&r, "wos");
		n = signin_flows(req_param(&r, "HTTP_COOKIE"), flows, ARRAY_LEN(flows));
		for (size_t i = 0; i < n; i++) {
			v = req_cookie(&r, flows[i].name);
			if (v == NULL)
				continue;
			(void)sess_peek_expiry(v);
			(void)sess_open(&key, v, 1700000000, &l);
		}
	}
	arena_free(&a);
	free(h);
	return 0;
}
