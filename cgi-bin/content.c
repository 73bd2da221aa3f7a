/*
 * content.fcgi - every path under /api that is not sign-in: the content
 * collections, /api/users/me and /api/health.
 */
#include "cfg.h"
#include "content.h"
#include "health.h"
#include "srv.h"
#include "users.h"

static const struct route routes[] = {
	{ "GET", "/api/health", health_get },
	{ "GET", "/api/users/me", users_me },
	{ "GET", "/api/users/me/organizations", users_me_organizations },
	{ "GET", "/api/articles", content_articles_find },
	{ "POST", "/api/articles", content_articles_create },
	{ "GET", "/api/articles/:id", content_articles_find_one },
	{ "PUT", "/api/articles/:id", content_articles_update },
	{ "DELETE", "/api/articles/:id", content_articles_delete },
	{ "GET", "/api/blog-posts", content_posts_find },
	{ "POST", "/api/blog-posts", content_posts_create },
	{ "GET", "/api/blog-posts/:id", content_posts_find_one },
	{ "PUT", "/api/blog-posts/:id", content_posts_update },
	{ "DELETE", "/api/blog-posts/:id", content_posts_delete },
};

static const struct srv_def def = {
	.name = "content.fcgi",
	.cfg_needs = CFG_NEED_DB,
	.routes = routes,
	.nroutes = ARRAY_LEN(routes),
	.cors = true,
};

int
main(int argc, char **argv)
{
	return srv_main(&def, argc, argv);
}
