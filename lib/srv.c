#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "log.h"
#include "origin.h"
#include "resp.h"
#include "srv.h"

extern char **environ;

static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

/* FastCGI streams. */
static int
fcgi_read(void *ctx, char *buf, int n)
{
	FCGX_Request *rq = ctx;
	int got = FCGX_GetStr(buf, n, rq->in);

	if (got == 0 && FCGX_GetError(rq->in) != 0)
		return -1;
	return got;
}

static int
fcgi_write(void *ctx, const char *buf, int n)
{
	FCGX_Request *rq = ctx;

	return FCGX_PutStr(buf, n, rq->out) == n ? n : -1;
}

static void
fcgi_log(void *ctx, const char *line, size_t len)
{
	FCGX_Request *rq = ctx;

	FCGX_PutStr(line, (int)len, rq->err);
}

/* CGI: the request is the environment, stdin and stdout. */
static int
cgi_read(void *ctx, char *buf, int n)
{
	size_t got;

	(void)ctx;
	got = fread(buf, 1, (size_t)n, stdin);
	if (got == 0 && ferror(stdin))
		return -1;
	return (int)got;
}

static int
cgi_write(void *ctx, const char *buf, int n)
{
	(void)ctx;
	return fwrite(buf, 1, (size_t)n, stdout) == (size_t)n ? n : -1;
}

static void
cgi_log(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	fwrite(line, 1, len, stderr);
}

void
srv_handle(const struct srv_def *def, struct app *app, struct arena *a,
    struct conn *c)
{
	struct req r;
	enum app_err e;

	const char *uri = FCGX_GetParam("REQUEST_URI", c->envp);
	char path[256];

	/* The path only: query strings carry codes and states, never logged. */
	snprintf(path, sizeof(path), "%.*s", uri ? (int)strcspn(uri, "?#") : 1,
	    uri ? uri : "-");
	log_begin_request(c->log, c->ctx, FCGX_GetParam("REQUEST_METHOD", c->envp),
	    path, FCGX_GetParam("REMOTE_ADDR", c->envp));
	db_request_start(&app->db);
	db_request_start(&app->db_read);
	e = req_init(&r, a, app, c);
	if (e == APP_OK && app->cors && req_param(&r, "HTTP_ORIGIN") != NULL) {
		resp_header(&r, "Access-Control-Allow-Origin", "*");
		r.cors_ok = true;
	}
	if (e == APP_OK && def->cors_credentials)
		r.cors_ok = origin_cors(&r) != 0;
	if (e != APP_OK)
		resp_fail(&r, e);
	else
		route_dispatch(&r, def->routes, def->nroutes);
	if (!r.responded) {
		log_msg(LOG_ERR, "handler returned without answering");
		resp_error(&r, 500, "InternalServerError", "Internal Server Error", NULL);
	}
	if (app->db.in_tx) {
		log_msg(LOG_ERR, "handler left a transaction open; rolled back");
		db_rollback(&app->db);
	}
	log_end_request();
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked accept() must return so the loop ends. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void
usage(const struct srv_def *def)
{
	printf("usage: %s\n\n"
	    "A FastCGI responder of the suite.  Started by a web server or\n"
	    "spawn-fcgi it serves FastCGI requests on fd 0 until SIGTERM; run\n"
	    "with CGI variables (REQUEST_METHOD, REQUEST_URI...) and no socket\n"
	    "it serves that one request.  Configuration comes from the\n"
	    "environment: see README.md.\n", def->name);
}

/*
 * Has the request's input been read to its end?  libfcgi closes a
 * connection by shutting down its side and then waiting for the web
 * server to close first, so that input still unread cannot make TCP reset
 * the connection under the answer; the wait costs each request a poll, a
 * read and a sleep until the server gets round to it.  When the input is
 * all read (a GET's empty stdin, a body read whole) there is nothing left
 * to provoke a reset, and the connection is detached so that finishing it
 * is a plain close.  A body left unread (413) keeps the careful close.
 */
static bool
input_read(FCGX_Request *rq)
{
	char c;

	if (rq->in == NULL)
		return false;
	if (FCGX_HasSeenEOF(rq->in) == EOF)
		return true;
	return FCGX_GetStr(&c, 1, rq->in) == 0 && FCGX_GetError(rq->in) == 0 &&
	    FCGX_HasSeenEOF(rq->in) == EOF;
}

int
srv_main(const struct srv_def *def, int argc, char **argv)
{
	struct app app;
	struct arena arena;
	char err[512];
	int rc = 0;

	log_init(def->name);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(def);
		return 0;
	}
	memset(&app, 0, sizeof(app));
	app.name = def->name;
	app.cors = def->cors;
	if (cfg_load(&app.cfg, def->cfg_needs, err, sizeof(err)) != APP_OK) {
		log_msg(LOG_ERR, "invalid configuration: %s", err);
		return 1;
	}
	install_signals();
	if (FCGX_Init() != 0) {
		log_msg(LOG_ERR, "could not initialise the FastCGI library");
		return 1;
	}
	if (def->init != NULL && def->init(&app) != APP_OK)
		return 1;
	if (app.cfg.database_url != NULL) {
		unsigned fl = app.cfg.database_pooler ? DB_POOLER : 0;

		db_open(&app.db, app.cfg.database_url, def->name, fl);
		if (app.cfg.database_read_url != NULL)
			db_open(&app.db_read, app.cfg.database_read_url, def->name,
			    fl | DB_REPLICA);
	}
	arena_init(&arena, 64 * 1024);

	if (FCGX_IsCGI()) {
		struct conn c = { environ, cgi_read, cgi_write, cgi_log, NULL };

		srv_handle(def, &app, &arena, &c);
		fflush(stdout);
	} else {
		FCGX_Request rq;

		if (FCGX_InitRequest(&rq, 0, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
			log_msg(LOG_ERR, "could not initialise the FastCGI request");
			rc = 1;
			goto end;
		}
		log_msg(LOG_INFO, "ready");
		while (!stopping) {
			int a = FCGX_Accept_r(&rq);

			if (a < 0) {
				if (stopping)
					break;
				if (errno == EINTR)
					continue;
				log_msg(LOG_ERR, "could not accept a request (%d)", a);
				break;
			}
			struct conn c = { rq.envp, fcgi_read, fcgi_write, fcgi_log, &rq };

			srv_handle(def, &app, &arena, &c);
			if (input_read(&rq))
				FCGX_Detach(&rq);
			FCGX_Finish_r(&rq);
			arena_reset(&arena);
		}
		FCGX_Free(&rq, 1);
		log_msg(LOG_INFO, "stopping");
	}
end:
	arena_free(&arena);
	db_close(&app.db);
	db_close(&app.db_read);
	if (def->fini != NULL)
		def->fini(&app);
	return rc;
}
