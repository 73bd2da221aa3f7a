/*
 * route.h - dispatching a request by method and path.
 *
 * A pattern is a path whose segments are literal or ":name" (one
 * non-empty segment, stored in r->param).  An unknown path answers 404, a
 * known path with another method 405 with Allow, OPTIONS 204 with Allow;
 * HEAD is served by the GET handler.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stddef.h>

#include "req.h"

typedef void (*route_fn)(struct req *r);

struct route {
	const char *method;
	const char *pattern;
	route_fn fn;
};

void route_dispatch(struct req *r, const struct route *routes, size_t n);

/* Does path match pattern?  *param gets the ":x" segment (arena copy). */
int route_match(struct arena *a, const char *pattern, const char *path,
    const char **param);

#endif
