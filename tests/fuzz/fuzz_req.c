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
	const char *vars[8], *p = (const char *)data, *end = p + size;
	char line[8][480];
	size_t n = 0, len;
	char *body;
	const char *why;

	for (; n < ARRAY_LEN(names) && p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (l > 400)
			l = 400;
		memcpy(line[n], names[n], strlen(names[n]));
		memcpy(line[n] + strlen(names[n]), p, l);
		line[n][strlen(names[n]) + l] = '\0';
		if (memchr(line[n], '\0', strlen(names[n]) + l) != line[n] + strlen(names[n]) + l)
			line[n][0] = 'X'; /* a NUL inside: not a variable of ours */
		vars[n] = line[n];
		p = nl ? nl + 1 : end;
	}
	vars[n] = NULL;
	memset(&f, 0, sizeof(f));
	fake_env(&f, vars);
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
	return 0;
}
