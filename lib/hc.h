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

/*
 * Make the process's client; NULL when out of memory.  libcurl itself is
 * set up at the first hc_call (a failure then is APP_EINTERNAL, logged).
 */
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

/*
 * Percent-encode the NUL-terminated s for a URL query component (RFC 3986
 * section 2: the unreserved ALPHA DIGIT - . _ ~ kept, every other byte as
 * %XX in upper-case hex), into a string allocated on a; NULL when a is
 * out of memory.  Our own, not libcurl's: building a URL must not load
 * the HTTP client (see hc_new).
 */
char *hc_escape(struct arena *a, const char *s);

#endif
