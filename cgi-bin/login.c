/*
 * login.fcgi - GET /api/auth/workos/login, the start of a sign-in (its
 * state travels in a signed cookie), and GET /api/auth/workos/logout, which
 * ends the cookie's session in Postgres.  Never blocks on WorkOS.
 */
#include "cfg.h"
#include "signin.h"
#include "srv.h"

static const struct route routes[] = {
	{ "GET", "/api/auth/workos/login", signin_login },
	{ "GET", "/api/auth/workos/logout", signin_logout },
};

static const struct srv_def def = {
	.name = "login.fcgi",
	.cfg_needs = CFG_NEED_DB | CFG_NEED_WORKOS,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.init = signin_init,
	.fini = signin_fini,
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
