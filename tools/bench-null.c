/*
 * bench-null - the least a program of the suite can do for a request: a
 * fixed 302, through the same FastCGI loop, request parsing and response
 * writing as login.fcgi, with no configuration, database or WorkOS.
 * `make bench` serves it behind lighttpd as the limit L1f of row e (the
 * login redirect): what is left between the two is login.fcgi's own work.
 * Built for the bench only; never installed, never a route of the suite.
 */
#include "resp.h"
#include "srv.h"

static void
redirect(struct req *r)
{
	resp_header(r, "Location", "https://api.workos.com/user_management/authorize");
	resp_empty(r, 302);
}

static const struct route routes[] = {
	{ "GET", "/api/auth/workos/login", redirect },
};

static const struct srv_def def = {
	.name = "bench-null",
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
