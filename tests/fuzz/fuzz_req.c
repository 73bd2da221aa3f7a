/*
 * A request as a web server hands it over: the target and the CGI
 * variables a client controls, then the body.  Input: one line each for
 * REQUEST_URI, REQUEST_METHOD, CONTENT_LENGTH, HTTP_COOKIE,
 * HTTP_AUTHORIZATION, HTTP_ORIGIN and HTTP_HOST, then the body.
 */
#include <stdlib.h>
#include <string.h>

#include "../unit/fakeconn.h"
#include "arena.h"
#include "auth.h"
#include "fuzz.h"
#include "origin.h"
#include "req.h"

static const char *const names[] = {
	"REQUEST_URI=", "REQUEST_METHOD=", "CONTENT_LENGTH=", "HTTP_COOKIE=",
	"HTTP_AUTHORIZATION=", "HTTP_ORIGIN=", "HTTP_HOST=",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake f;
	static struct app app;
	struct arena a;
	struct conn c;
	struct req r;
	const char *p = (const char *)data, *end = p + size;
	char *vars[8];
	size_t n = 0, len;
	char *body;
	const char *why;

	/* Each variable a block of its own, exactly as long, as ASan should see it. */
	for (; n < ARRAY_LEN(names) && p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p), k = strlen(names[n]);

		if ((vars[n] = malloc(k + l + 1)) == NULL)
			break;
		memcpy(vars[n], names[n], k);
		memcpy(vars[n] + k, p, l);
		vars[n][k + l] = '\0';
		if (memchr(vars[n], '\0', k + l) != NULL)
			vars[n][0] = 'X'; /* a NUL inside: not a variable of ours */
		p = nl ? nl + 1 : end;
	}
	memset(&f, 0, sizeof(f));
	(void)fake_env; /* its fixed-size copies would hide a read past the end */
	for (size_t i = 0; i < n; i++)
		f.envp[i] = vars[i];
	f.envp[n] = NULL;
	f.in = p;
	f.inlen = (size_t)(end - p);
	c.envp = f.envp;
	c.read = fake_read;
	c.write = fake_write;
	c.log = fake_log;
	c.ctx = &f;
	arena_init(&a, 4096);
	if (req_init(&r, &a, &app, &c) == APP_OK) {
		(void)req_query(&r, "return_to", &len);
		(void)req_query(&r, "state", NULL);
		(void)req_cookie(&r, "wos_session");
		(void)auth_bearer(&r, &len);
		(void)origin_self(&r);
		(void)origin_request_ok(&r);
		(void)req_body(&r, 4096, &body, &len, &why);
	}
	arena_free(&a);
	for (size_t i = 0; i < n; i++)
		free(vars[i]);
	return 0;
}
