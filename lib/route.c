#include <string.h>

#include "resp.h"
#include "route.h"

int
route_match(struct arena *a, const char *pattern, const char *path,
    const char **param)
{
	const char *p = pattern, *s = path;

	*param = NULL;
	while (*p != '\0' && *s != '\0') {
		size_t pl, sl;

		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pl = strcspn(p, "/");
		sl = strcspn(s, "/");
		if (*p == ':') {
			if (sl == 0)
				return 0;
			*param = arena_strndup(a, s, sl);
			if (*param == NULL)
				return 0;
		} else if (pl != sl || memcmp(p, s, pl) != 0) {
			return 0;
		}
		p += pl;
		s += sl;
	}
	return *p == '\0' && *s == '\0';
}

static void
append_allow(char *allow, size_t size, const char *m)
{
	if (strstr(allow, m) != NULL) /* methods are distinct words */
		return;
	if (allow[0] != '\0')
		strncat(allow, ", ", size - strlen(allow) - 1);
	strncat(allow, m, size - strlen(allow) - 1);
}

void
route_dispatch(struct req *r, const struct route *routes, size_t n)
{
	const char *method = r->head ? "GET" : r->method;
	char allow[128] = "";
	int path_known = 0;

	for (size_t i = 0; i < n; i++) {
		const char *param;

		if (!route_match(r->arena, routes[i].pattern, r->path, &param))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, "GET") == 0)
			append_allow(allow, sizeof(allow), "HEAD");
		append_allow(allow, sizeof(allow), routes[i].method);
		if (strcmp(routes[i].method, method) == 0) {
			r->param = param;
			routes[i].fn(r);
			return;
		}
	}
	if (!path_known) {
		resp_error(r, 404, "NotFoundError", "Not Found", NULL);
		return;
	}
	append_allow(allow, sizeof(allow), "OPTIONS");
	resp_header(r, "Allow", allow);
	if (strcmp(r->method, "OPTIONS") == 0) {
		if (r->cors_ok &&
		    req_param(r, "HTTP_ACCESS_CONTROL_REQUEST_METHOD") != NULL) {
			/* A browser's preflight: what it may send here. */
			resp_header(r, "Access-Control-Allow-Methods", allow);
			resp_header(r, "Access-Control-Allow-Headers",
			    "Content-Type, Authorization, Origin, Accept, Strapi-Response-Format");
			resp_header(r, "Access-Control-Max-Age", "86400");
		}
		resp_empty(r, 204);
		return;
	}
	resp_error(r, 405, "MethodNotAllowedError", "Method Not Allowed", NULL);
}
