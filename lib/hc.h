/*
 * hc.h - the outbound HTTP client (libcurl) that talks to WorkOS.
 *
 * One easy handle per process, reused so connections are kept alive.
 * Every call is bounded: total and connect timeouts from WORKOS_TIMEOUT,
 * a response-size cap, TLS verification on, no redirects followed, and
 * plain http only when WORKOS_API_BASE is a loopback address (tests).
 */
#ifndef HC_H
#define HC_H

#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "sbuf.h"

#define HC_MAX_BODY (1024 * 1024)

struct hc;

struct hc_resp {
	long status;            /* HTTP status */
	struct sbuf body;       /* arena-backed */
	char request_id[128];   /* X-Request-ID, "" if none */
	long retry_after;       /* Retry-After in seconds (delta form), -1 if
	                           none or not a number */
};

/* Make the process's client; NULL on failure (logged). */
struct hc *hc_new(const struct cfg *cfg);
void hc_free(struct hc *h);

/*
 * GET (json == NULL) or POST json to url.  bearer, when not NULL, goes in
 * Authorization.  APP_OK means an HTTP answer arrived (any status);
 * APP_ETIMEOUT when none arrived in time, APP_EUPSTREAM when the
 * connection failed or the body passed HC_MAX_BODY.
 */
enum app_err hc_call(struct hc *h, struct arena *a, const char *url,
    const char *bearer, const char *json, struct hc_resp *out);

/* Percent-encode s for a URL query (RFC 3986 unreserved kept), on a. */
char *hc_escape(struct hc *h, struct arena *a, const char *s);

#endif
