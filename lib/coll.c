#include <string.h>

#include "app.h"
#include "coll.h"

#define TS_FIELDS \
	{ "createdAt", "created_at", COLL_DATETIME, false, false, 0, false, NULL }, \
	{ "updatedAt", "updated_at", COLL_DATETIME, false, false, 0, false, NULL }, \
	{ "publishedAt", "published_at", COLL_DATETIME, false, false, 0, false, NULL }

static const struct coll_field article_fields[] = {
	{ "id", "id", COLL_ID, false, false, 0, false, NULL },
	{ "documentId", "document_id", COLL_STRING, false, false, 0, false, NULL },
	{ "title", "title", COLL_STRING, true, true, 255, false, NULL },
	{ "content", "content", COLL_TEXT, true, false, 0, false, NULL },
	{ "slug", "slug", COLL_STRING, true, false, 255, true, NULL },
	TS_FIELDS,
};

static const char *const post_status[] = { "draft", "published", "archived", NULL };

static const struct coll_field post_fields[] = {
	{ "id", "id", COLL_ID, false, false, 0, false, NULL },
	{ "documentId", "document_id", COLL_STRING, false, false, 0, false, NULL },
	{ "title", "title", COLL_STRING, true, true, 255, false, NULL },
	{ "content", "content", COLL_TEXT, true, false, 0, false, NULL },
	{ "slug", "slug", COLL_STRING, true, false, 255, true, NULL },
	{ "organizationId", "organization_id", COLL_STRING, true, false, 255, false, NULL },
	{ "status", "status", COLL_STRING, true, false, 0, false, post_status },
	TS_FIELDS,
};

const struct coll coll_articles = {
	"articles", "articles", "api::article.article.",
	article_fields, ARRAY_LEN(article_fields), false, NULL, "article_counts", NULL,
};

const struct coll coll_blog_posts = {
	"blog-posts", "blog_posts", "api::blog-post.blog-post.",
	post_fields, ARRAY_LEN(post_fields), true, NULL, "blog_post_counts",
	"blog_posts_visible",
};

/*
 * /api/users/me's keys, in its order.  Strapi's private attributes
 * (password, resetPasswordToken, confirmationToken) are not here, so
 * naming them is an invalid key as in Strapi.
 */
static const struct coll_field user_fields[] = {
	{ "id", "id", COLL_ID, false, false, 0, false, NULL },
	{ "documentId", "document_id", COLL_STRING, false, false, 0, false, NULL },
	{ "username", "username", COLL_STRING, false, false, 0, false, NULL },
	{ "email", "email", COLL_STRING, false, false, 0, false, NULL },
	{ "provider", "provider", COLL_STRING, false, false, 0, false, NULL },
	{ "confirmed", "confirmed", COLL_BOOL, false, false, 0, false, NULL },
	{ "blocked", "blocked", COLL_BOOL, false, false, 0, false, NULL },
	{ "createdAt", "created_at", COLL_DATETIME, false, false, 0, false, NULL },
	{ "updatedAt", "updated_at", COLL_DATETIME, false, false, 0, false, NULL },
	{ "firstName", "first_name", COLL_STRING, false, false, 0, false, NULL },
	{ "lastName", "last_name", COLL_STRING, false, false, 0, false, NULL },
	{ "organizationId", "organization_id", COLL_STRING, false, false, 0, false, NULL },
	{ "role", "role_slug", COLL_STRING, false, false, 0, false, NULL },
};

static const char *const user_relations[] = { "role", NULL };

const struct coll coll_users = {
	"users", "users", "plugin::users-permissions.user.",
	user_fields, ARRAY_LEN(user_fields), false, user_relations, NULL, NULL,
};

const struct coll_field *
coll_field(const struct coll *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].name, name) == 0)
			return &c->fields[i];
	return NULL;
}
