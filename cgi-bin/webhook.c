/*
 * webhook.fcgi - POST /api/webhooks/workos: WorkOS's signed webhooks.
 * Blocks on Postgres only; refuses to start without WORKOS_WEBHOOK_SECRET.
 */
#include "cfg.h"
#include "srv.h"
#include "webhook.h"

static const struct route routes[] = {
	{ "POST", "/api/webhooks/workos", webhook_workos },
};

static const struct srv_def def = {
	.name = "webhook.fcgi",
	.cfg_needs = CFG_NEED_DBURL | CFG_NEED_WEBHOOK,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
