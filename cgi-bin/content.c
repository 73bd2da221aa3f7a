/*
 * content.fcgi - every path under /api that is not sign-in: the content
 * collections, /api/users/me and /api/health.
 */
#include "cfg.h"
#include "health.h"
#include "srv.h"
#include "users.h"

static const struct route routes[] = {
	{ "GET", "/api/health", health_get },
	{ "GET", "/api/users/me", users_me },
};

static const struct srv_def def = {
	.name = "content.fcgi",
	.cfg_needs = CFG_NEED_DB,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
