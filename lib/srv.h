/*
 * srv.h - the life of an executable: start-up, the request loop, shut-down.
 *
 * srv_main() reads the configuration (exiting with one line naming a bad
 * variable), connects to Postgres, and then either serves one CGI request
 * (no FastCGI socket on fd 0) or accepts FastCGI requests until SIGTERM,
 * SIGINT or SIGUSR1.  Each request gets a fresh arena state; the arena is
 * reset after every request, so memory stays flat.
 */
#ifndef SRV_H
#define SRV_H

#include <stdbool.h>

#include "req.h"
#include "route.h"

struct srv_def {
	const char *name;            /* for logs and application_name */
	unsigned cfg_needs;          /* CFG_NEED_* */
	const struct route *routes;
	size_t nroutes;
	/*
	 * Answer browsers from any origin (CORS, as Strapi's default): for APIs
	 * authenticated by a bearer token, never by cookies.
	 */
	bool cors;
	/*
	 * Credentialed CORS for APP_ORIGINS only (origin.h): for routes a
	 * cookie may authenticate.
	 */
	bool cors_credentials;
	/* Optional: set up per-process modules once the config is read. */
	enum app_err (*init)(struct app *app);
	void (*fini)(struct app *app);
};

int srv_main(const struct srv_def *def, int argc, char **argv);

/* Serve one request on a connection (exposed for tests). */
void srv_handle(const struct srv_def *def, struct app *app, struct arena *a,
    struct conn *c);

#endif
