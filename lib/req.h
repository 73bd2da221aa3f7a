/*
 * req.h - one HTTP request as a FastCGI (or CGI) program sees it, and the
 * per-process state every handler reaches through it.
 *
 * A request's strings live in its arena.  The connection hides whether the
 * bytes come from a FastCGI stream or from a CGI program's stdin/stdout.
 */
#ifndef REQ_H
#define REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "log.h"
#include "sbuf.h"

#define REQ_BODY_MAX (1024 * 1024) /* Strapi's (koa-body's) 1 MiB */

/* How bytes reach and leave the program for one request. */
struct conn {
	char **envp;
	/* Read up to n bytes: count, 0 at end of input, -1 on error. */
	int (*read)(void *ctx, char *buf, int n);
	/* Write n bytes: n, or -1 when the client has gone. */
	int (*write)(void *ctx, const char *buf, int n);
	log_sink_fn log;
	void *ctx;
};

/* What lives as long as the process: one per executable. */
struct app {
	const char *name;
	struct cfg cfg;
	struct db db;
	struct db db_read; /* DATABASE_READ_URL, when set: content pages only */
	bool cors;  /* answers carry Access-Control-Allow-Origin: * */
	void *ext; /* state of the executable's own modules (e.g. HTTP client) */
};

struct auth_user;

struct req {
	struct arena *arena;
	struct app *app;
	struct conn *conn;

	const char *method;     /* REQUEST_METHOD, upper case as sent */
	const char *path;       /* REQUEST_URI's path, no query, no trailing '/' */
	const char *query;      /* raw query string, "" when none */
	const char *remote;     /* REMOTE_ADDR or "-" */
	bool https;             /* the client reached the server over TLS */
	bool head;              /* HEAD: answer as GET without a body */

	const char *param;      /* the :documentId of the matched route, if any */
	bool cors_ok;           /* the answer carries CORS headers for Origin */

	/* Response state (resp.c). */
	struct sbuf resp_headers;
	bool responded;
	int status;

	struct auth_user *user; /* set by auth once identified */
};

/* Fill r from the connection's parameters. */
enum app_err req_init(struct req *r, struct arena *a, struct app *app,
    struct conn *c);

/* A FastCGI parameter (CGI variable) or NULL. */
const char *req_param(const struct req *r, const char *name);

/*
 * Read the request body, at most max bytes.  CONTENT_LENGTH is parsed
 * strictly and never trusted for more than it says; without one, a body
 * method reads to the end of the stream.  APP_ETOOBIG past max, APP_EINPUT
 * for a malformed CONTENT_LENGTH or a body shorter than it claims.
 * *why gets a message for the client.  The body is NUL-terminated.
 */
enum app_err req_body(struct req *r, size_t max, char **body, size_t *len,
    const char **why);

/*
 * The first value of query parameter name, percent-decoded ('+' is a
 * space; an invalid escape is kept as it is), copied into the arena, or
 * NULL when absent.  *len (if not NULL) gets its length: the value may
 * hold a NUL byte, which callers that want text must refuse.
 */
const char *req_query(struct req *r, const char *name, size_t *len);

/* Percent-decode n bytes of s the form way onto a; *outlen gets the length. */
char *req_decode(struct arena *a, const char *s, size_t n, size_t *outlen);

/*
 * The value of cookie name from the Cookie header, copied into the arena,
 * or NULL.  A malformed header yields NULL, never an error.
 */
const char *req_cookie(struct req *r, const char *name);

#endif
