/*
 * callback.fcgi - GET /api/auth/workos/callback: WorkOS sends the browser
 * back here; the code is exchanged and the suite's JWT answered.
 */
#include "cfg.h"
#include "signin.h"
#include "srv.h"

static const struct route routes[] = {
	{ "GET", "/api/auth/workos/callback", signin_callback },
};

static const struct srv_def def = {
	.name = "callback.fcgi",
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
