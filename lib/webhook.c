#include <string.h>
#include <time.h>

#include "jw.h"
#include "log.h"
#include "resp.h"
#include "wapply.h"
#include "webhook.h"
#include "wev.h"
#include "whsig.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
webhook_workos(struct req *r)
{
	const struct cfg *cfg = &r->app->cfg;
	const char *why = NULL, *sig;
	char *body;
	size_t len;
	struct wev ev;
	enum wapply_result res;
	enum app_err e;
	char id[96], name[96];
	struct sbuf sb;
	struct jw w;

	e = req_body(r, REQ_BODY_MAX, &body, &len, &why);
	if (e == APP_ETOOBIG) {
		resp_error(r, 413, "PayloadTooLargeError",
		    "Request body too large (limit 1 MiB)", NULL);
		return;
	}
	if (e != APP_OK) {
		resp_error(r, 400, "ValidationError", why ? why : "Unreadable body", NULL);
		return;
	}
	sig = req_param(r, "HTTP_WORKOS_SIGNATURE");
	e = whsig_verify(sig, body, len, cfg->workos_webhook_secret,
	    strlen(cfg->workos_webhook_secret), now_ms(), &why);
	if (e != APP_OK) {
		log_msg(LOG_WARN, "refused a webhook: %s", why);
		resp_error(r, e == APP_EAUTH ? 401 : 500,
		    e == APP_EAUTH ? "UnauthorizedError" : "InternalServerError", why, NULL);
		return;
	}
	e = wev_parse(r->arena, body, len, &ev, &why);
	if (e == APP_ENOMEM) {
		resp_fail(r, e);
		return;
	}
	if (e != APP_OK) {
		struct sbuf m;

		log_msg(LOG_WARN, "refused a signed webhook: %s", why);
		sbuf_init(&m, r->arena, 512);
		sbuf_printf(&m, "Invalid WorkOS event: %s", why);
		resp_error(r, 400, "ValidationError",
		    sbuf_err(&m) == APP_OK ? m.data : "Invalid WorkOS event", NULL);
		return;
	}
	/* Cut for the log; log_msg escapes them. */
	snprintf(id, sizeof(id), "%s", ev.id);
	snprintf(name, sizeof(name), "%s", ev.name);
	e = wapply_event(&r->app->db, r->arena, &ev, WAPPLY_WEBHOOK, NULL, &res);
	if (e == APP_EINPUT || e == APP_ECONFLICT) {
		log_msg(LOG_WARN, "could not apply event \"%s\" (%s): its values break "
		    "a rule of the tables", id, name);
		resp_error(r, 400, "ValidationError",
		    "Invalid WorkOS event: a value is out of range", NULL);
		return;
	}
	if (e != APP_OK) {
		log_msg(LOG_ERR, "could not apply event \"%s\" (%s): %s", id, name,
		    app_strerror(e));
		resp_fail(r, e);
		return;
	}
	if (res == WAPPLY_IGNORED)
		log_msg(LOG_INFO, "ignored event \"%s\": type \"%s\" is not handled", id, name);
	else
		log_msg(LOG_INFO, "event \"%s\" (%s): %s", id, name, wapply_result_name(res));
	sbuf_init(&sb, r->arena, 4096);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	jw_obj_open(&w);
	jw_kstr(&w, "id", ev.id);
	jw_kstr(&w, "event", ev.name);
	jw_kstr(&w, "result", wapply_result_name(res));
	jw_obj_close(&w);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}
