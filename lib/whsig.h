/*
 * whsig.h - the WorkOS webhook signature (spec/workos-api.md section 8).
 *
 * Header: "WorkOS-Signature: t=<unix ms>, v1=<64 lower-case hex>"; several
 * v1 values may appear (WorkOS signs with each active secret while one is
 * rotated).  The MAC is HMAC-SHA256 keyed with the webhook secret's bytes
 * over "<t as sent>.<raw body>", compared in constant time.  Nothing here
 * logs: callers log the static reason, never the header, body or secret.
 */
#ifndef WHSIG_H
#define WHSIG_H

#include <stddef.h>

#include "app.h"

#define WHSIG_TOLERANCE_MS (180LL * 1000) /* the SDKs' 180 s, both ways */
#define WHSIG_MAX_V1 8                    /* v1 values considered */
#define WHSIG_HEADER_MAX 2048             /* longer headers are refused */

/* What the header says, pointing into it (not NUL-terminated values). */
struct whsig {
	const char *t;          /* the timestamp's digits as sent */
	size_t tlen;
	long long t_ms;         /* its value: Unix time in milliseconds */
	const char *v1[WHSIG_MAX_V1]; /* each 64 hex digits */
	size_t nv1;
};

/*
 * Read a header value (n bytes) leniently: split on ',', trim spaces and
 * tabs around each part, "t=" and "v1=" in any letter case; other schemes
 * (v0=...) and unknown parts are skipped.  APP_OK needs exactly one t of
 * 1 to 16 digits and at least one v1 of 64 hex digits; else APP_EAUTH
 * and *why (static text) says what was wrong.
 */
enum app_err whsig_parse(const char *h, size_t n, struct whsig *out,
    const char **why);

/*
 * Verify header h (NULL when absent) for body (len bytes) with secret
 * (secretlen bytes) at now_ms: APP_OK, or APP_EAUTH with *why (static):
 * missing, malformed, outside the tolerance (stale or from the future),
 * or no v1 matching.
 */
enum app_err whsig_verify(const char *h, const char *body, size_t len,
    const char *secret, size_t secretlen, long long now_ms, const char **why);

/*
 * The header value for body at t_ms, as WorkOS would send it, into out
 * (at least 100 bytes).  For tests and make bench.
 */
void whsig_sign(const char *body, size_t len, const char *secret,
    size_t secretlen, long long t_ms, char *out, size_t outsz);

#endif
