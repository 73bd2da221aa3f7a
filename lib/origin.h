/*
 * origin.h - where a browser comes from and where it may be sent back to.
 *
 * The API's own origin is the request's scheme and Host; APP_ORIGINS adds
 * the front-end apps'.  Cookie-authenticated requests must carry an Origin
 * that is one of these (CSRF defence: RFC 6454 origins, compared after
 * normalisation), and only APP_ORIGINS get credentialed CORS.  A return_to
 * is a path on the API's origin or a URL on one of APP_ORIGINS, nothing
 * else: it becomes a Location header, so an open redirect here would hand
 * a sign-in to another site.
 */
#ifndef ORIGIN_H
#define ORIGIN_H

#include <stddef.h>

#include "req.h"

/* The API's own origin, "scheme://host[:port]" (on the arena), or NULL. */
const char *origin_self(struct req *r);

/*
 * Does the request carry an Origin header that is the API's own or one of
 * APP_ORIGINS?  (Absent, "null" or any other origin: no.)
 */
int origin_request_ok(struct req *r);

/*
 * Credentialed CORS for an Origin in APP_ORIGINS: Access-Control-Allow-
 * Origin (that origin, never "*"), -Allow-Credentials, and Vary: Origin on
 * every answer.  Returns 1 when the origin was allowed.
 */
int origin_cors(struct req *r);

/*
 * Check a return_to (n bytes): at most SESS_RETURN_MAX bytes of printable
 * ASCII; either a path starting with exactly one '/' or an absolute
 * http(s) URL whose origin is one of APP_ORIGINS (no userinfo).  No
 * backslash, and no encoded slash, backslash or percent in its path (a
 * NUL byte, as any control byte, is refused).  Returns 0, or -1; *why is
 * always set (a fixed text for the client).
 */
int origin_check_return_to(const struct cfg *cfg, const char *v, size_t n,
    const char **why);

/*
 * return_to made absolute against the API's public origin, the origin of
 * WORKOS_REDIRECT_URI (on the arena); NULL when there is none.
 */
char *origin_absolute(struct req *r, const char *return_to);

/*
 * return_to with "error=<code>" added to its query, before any fragment
 * (on a).  code is one of a fixed set of words, never client text.
 */
char *origin_with_error(struct arena *a, const char *return_to,
    const char *code);

#endif
