/*
 * session.fcgi - every path under /api/auth/ that is not the sign-in
 * redirects: refresh, logout, organization switching and the caller's
 * sessions.  May block on WorkOS (a refresh can refresh there too).
 */
#include "cfg.h"
#include "session.h"
#include "signin.h"
#include "srv.h"

static const struct route routes[] = {
	{ "POST", "/api/auth/refresh", session_refresh },
	{ "POST", "/api/auth/logout", session_logout },
	{ "POST", "/api/auth/switch-organization", session_switch_org },
	{ "GET", "/api/auth/sessions", session_list },
	{ "DELETE", "/api/auth/sessions/:id", session_delete },
};

static const struct srv_def def = {
	.name = "session.fcgi",
	.cfg_needs = CFG_NEED_DB | CFG_NEED_WORKOS,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.cors_credentials = true,
	.init = signin_init,
	.fini = signin_fini,
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
