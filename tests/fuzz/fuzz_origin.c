/*
 * Where a browser comes from and where it is sent back to: a return_to
 * (first line, any bytes, as it is after the query string's decoding),
 * then the Origin, Host and X-Forwarded-Proto headers (one line each).
 * A return_to that passes the check is made absolute and given an error
 * code, as the sign-in routes do before it becomes a Location header.
 * Each header is a malloc() block of its own, so ASan sees a read past it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "fuzz.h"
#include "origin.h"
#include "req.h"

/* "NAME=" and the n bytes at p, NUL-terminated, in a block of its own. */
static char *
var(const char *name, const char *p, size_t n)
{
	size_t nl = strlen(name);
	char *v = malloc(nl + n + 1);

	if (v != NULL) {
		memcpy(v, name, nl);
		memcpy(v + nl, p, n);
		v[nl + n] = '\0';
	}
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"HTTP_ORIGIN=", "HTTP_HOST=", "HTTP_X_FORWARDED_PROTO=",
	};
	static struct app app;
	static int ready;
	const char *p = (const char *)data, *end = p + size, *nl, *why;
	char *envp[5], *rt, *abs;
	size_t rtlen, n = 0;
	struct arena a;
	struct conn c;
	struct req r;

	if (!ready) {
		cfg_origin_normalise("https://app.example", 19, app.cfg.app_origins[0],
		    CFG_ORIGIN_LEN);
		cfg_origin_normalise("http://localhost:5173", 21, app.cfg.app_origins[1],
		    CFG_ORIGIN_LEN);
		app.cfg.napp_origins = 2;
		snprintf(app.cfg.public_origin, sizeof(app.cfg.public_origin), "%s",
		    "https://api.example");
		app.cfg.trust_proxy = 1;
		ready = 1;
	}
	nl = memchr(p, '\n', size);
	rtlen = nl ? (size_t)(nl - p) : size;
	rt = malloc(rtlen + 1);
	if (rt == NULL)
		return 0;
	memcpy(rt, p, rtlen);
	rt[rtlen] = '\0';
	p = nl ? nl + 1 : end;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && p < end; i++) {
		size_t l;

		nl = memchr(p, '\n', (size_t)(end - p));
		l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if ((envp[n] = var(names[i], p, l)) != NULL)
			n++;
		p = nl ? nl + 1 : end;
	}
	envp[n] = NULL;
	c = fuzz_head_only(envp);

	arena_init(&a, 4096);
	if (req_init(&r, &a, &app, &c) == APP_OK) {
		(void)origin_self(&r);
		(void)origin_request_ok(&r);
		(void)origin_cors(&r);
		if (origin_check_return_to(&app.cfg, rt, rtlen, &why) == 0) {
			abs = origin_absolute(&r, rt);
			if (abs != NULL)
				(void)origin_with_error(&a, abs, "access_denied");
			(void)origin_with_error(&a, rt, "state_mismatch");
		}
	}
	arena_free(&a);
	for (size_t i = 0; i < n; i++)
		free(envp[i]);
	free(rt);
	return 0;
}
