/*
 * content.h - the Strapi-compatible collections: find, findOne, create,
 * update and delete on /api/articles and /api/blog-posts.
 *
 * Permissions come from the users-permissions tables on every request.
 * Blog posts are organization-scoped: anyone reads published posts; an
 * active member also reads every post of their organization; writes need
 * an active membership whose WorkOS role holds the action in
 * organization_role_permissions, touch only the caller's organization,
 * and take the organization from the token, never from the body.
 */
#ifndef CONTENT_H
#define CONTENT_H

#include "req.h"

void content_articles_find(struct req *r);
void content_articles_find_one(struct req *r);
void content_articles_create(struct req *r);
void content_articles_update(struct req *r);
void content_articles_delete(struct req *r);

void content_posts_find(struct req *r);
void content_posts_find_one(struct req *r);
void content_posts_create(struct req *r);
void content_posts_update(struct req *r);
void content_posts_delete(struct req *r);

/*
 * Strapi's slugify: ASCII-transliterated, lower case, runs of anything
 * else turned into one '-', no '-' at either end.  On a.
 */
char *content_slugify(struct arena *a, const char *s);

#endif
