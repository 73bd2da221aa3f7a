/*
 * app.h - what every module of libapp shares: the error values library
 * calls return, and a few small helpers.
 *
 * Library functions return enum app_err (APP_OK == 0) and put results in
 * out-parameters.  Only a main() decides to exit; the library reports.
 */
#ifndef APP_H
#define APP_H

#include <stddef.h>
#include <stdint.h>

enum app_err {
	APP_OK = 0,
	APP_ENOMEM,     /* allocation failed */
	APP_EINPUT,     /* the client sent something malformed (400) */
	APP_EAUTH,      /* credentials missing or invalid (401) */
	APP_EFORBIDDEN, /* authenticated but not allowed (403) */
	APP_ENOTFOUND,  /* no such thing (404) */
	APP_ETOOBIG,    /* something exceeded its limit (413) */
	APP_EDB,        /* the database failed or is unreachable (503) */
	APP_EUPSTREAM,  /* WorkOS failed or answered nonsense (502) */
	APP_ETIMEOUT,   /* WorkOS did not answer in time (504) */
	APP_ECONFLICT,  /* a uniqueness rule would be broken (400/409) */
	APP_EBUSY,      /* a statement ran out of its time budget (503, Retry-After) */
	APP_EINTERNAL   /* a bug or an impossible state (500) */
};

/* A short lower-case name of the error, for logs. */
const char *app_strerror(enum app_err e);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
