#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "hc.h"
#include "jv.h"
#include "log.h"
#include "sbuf.h"
#include "wapply.h"
#include "wsync.h"

#define ID_MAX (WEV_ID_MAX + 1)

struct wsync {
	const struct cfg *cfg;
	struct hc *hc;
	struct db db;
	volatile sig_atomic_t *stop;
	bool once;
	struct arena a;           /* one page or one user; reset after each */
	char cursor[ID_MAX];      /* "" for none */
	char range_start[WEV_TIME_LEN + 1];
};

long
wsync_backoff(int attempt)
{
	long s = 1;

	for (int i = 1; i < attempt && s < 60; i++)
		s *= 2;
	return s < 60 ? s : 60;
}

enum app_err
wsync_parse_page(struct arena *a, const char *buf, size_t len,
    struct wsync_page *p, const char **why)
{
	json_object *o, *data, *meta;
	size_t n;

	memset(p, 0, sizeof(*p));
	*why = NULL;
	if (jv_parse(a, buf, len, &o, NULL) != APP_OK ||
	    !json_object_is_type(o, json_type_object)) {
		*why = "the answer is not a JSON object";
		return APP_EUPSTREAM;
	}
	data = jv_get(o, "data");
	if (data == NULL || !json_object_is_type(data, json_type_array)) {
		*why = "the answer has no data array";
		return APP_EUPSTREAM;
	}
	meta = jv_get(o, "list_metadata");
	if (meta != NULL && json_object_is_type(meta, json_type_object))
		p->after = jv_str(meta, "after");
	n = json_object_array_length(data);
	p->items = arena_calloc(a, n + 1, sizeof(*p->items));
	if (p->items == NULL)
		return APP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct wsync_item *it = &p->items[i];
		json_object *e = json_object_array_get_idx(data, i);
		size_t idlen = 0;
		const char *id = jv_strn(e, "id", &idlen);

		if (id != NULL && idlen > 0 && idlen <= WEV_ID_MAX && strlen(id) == idlen)
			it->id = id;
		it->err = wev_from_json(e, &it->ev, &it->why);
		if (it->err == APP_ENOMEM)
			return APP_ENOMEM;
	}
	p->n = n;
	return APP_OK;
}

/* Sleep s seconds unless asked to stop; false when stopping. */
static bool
nap(struct wsync *w, long long ms)
{
	while (ms > 0 && !*w->stop) {
		long long step = ms < 200 ? ms : 200;
		struct timespec ts = { (time_t)(step / 1000), (long)(step % 1000) * 1000000 };

		nanosleep(&ts, NULL);
		ms -= step;
	}
	return !*w->stop;
}

static void
iso_now(char out[WEV_TIME_LEN + 1])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	wev_time_format((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, out);
}

enum outcome { GOT, RETRY, EXPIRED, FAILED, TOO_MANY };

/*
 * One GET with the retry policy: GOT with *r (status 200; with page not
 * NULL, a body that reads as a page of events into *page), EXPIRED when
 * WorkOS refused the cursor, FAILED (logged) when giving up or stopping.
 */
static enum outcome
get(struct wsync *w, const char *url, const char *what, bool has_cursor,
    struct hc_resp *r, struct wsync_page *page)
{
	for (int attempt = 1;; attempt++) {
		enum app_err e = hc_call(w->hc, &w->a, url, w->cfg->workos_api_key, NULL, r);
		long wait;
		char reason[160];
		const char *why = NULL;

		if (e == APP_OK && r->status == 200) {
			if (page == NULL)
				return GOT;
			e = wsync_parse_page(&w->a, sbuf_str(&r->body), r->body.len, page, &why);
			if (e == APP_OK)
				return GOT;
			if (e == APP_ENOMEM)
				return FAILED;
		}
		if (e == APP_OK && has_cursor && (r->status == 400 || r->status == 404 ||
		    r->status == 410 || r->status == 422))
			return EXPIRED;
		if (why != NULL)
			snprintf(reason, sizeof(reason), "%s (request id \"%s\")", why,
			    r->request_id);
		else if (e == APP_ETIMEOUT)
			snprintf(reason, sizeof(reason), "no answer within WORKOS_TIMEOUT");
		else if (e != APP_OK)
			snprintf(reason, sizeof(reason), "%s", app_strerror(e));
		else
			snprintf(reason, sizeof(reason), "HTTP %ld (request id \"%s\")",
			    r->status, r->request_id);
		if (e == APP_OK && r->status >= 400 && r->status < 500 && r->status != 408 &&
		    r->status != 429) {
			/* 401 (bad API key) and the like do not heal by waiting. */
			log_msg(LOG_ERR, "could not read %s: %s", what, reason);
			return FAILED;
		}
		wait = wsync_backoff(attempt);
		if (e == APP_OK && r->status == 429 && r->retry_after >= 0)
			wait = r->retry_after < WSYNC_MAX_WAIT ? r->retry_after : WSYNC_MAX_WAIT;
		/* Give up this pass; the caller backs off and starts a new one. */
		if (attempt >= WSYNC_ONCE_ATTEMPTS) {
			log_msg(LOG_ERR, "could not read %s after %d attempts: %s", what,
			    attempt, reason);
			return FAILED;
		}
		log_msg(LOG_WARN, "could not read %s: %s; trying again in %ld s%s", what,
		    reason, wait, e == APP_OK && r->status == 429 && r->retry_after >= 0 ?
		    " (Retry-After)" : "");
		if (!nap(w, wait * 1000LL))
			return FAILED;
	}
}

static enum app_err
events_url(struct wsync *w, struct sbuf *u)
{
	sbuf_init(u, &w->a, 8192);
	sbuf_printf(u, "%s/events?limit=%d", w->cfg->workos_api_base, WSYNC_PAGE);
	for (size_t i = 0; i < wev_nhandled; i++)
		sbuf_printf(u, "&events=%s", wev_handled[i]);
	if (w->cursor[0] != '\0') {
		char *c = hc_escape(&w->a, w->cursor);

		if (c == NULL)
			return APP_ENOMEM;
		sbuf_printf(u, "&after=%s", c);
	} else if (w->range_start[0] != '\0') {
		char *c = hc_escape(&w->a, w->range_start);

		if (c == NULL)
			return APP_ENOMEM;
		sbuf_printf(u, "&range_start=%s", c);
	}
	return sbuf_err(u);
}

/*
 * Memberships of one WorkOS user as WorkOS lists them now: GOT with all
 * of them, TOO_MANY when they take more than WSYNC_MEMBER_PAGES pages or
 * 100 times that many entries, FAILED (logged) otherwise.
 */
static enum outcome
list_memberships(struct wsync *w, const char *uid, struct wev **out, size_t *n)
{
	struct wev *v = NULL;
	size_t cap = 0;
	const char *after = NULL;

	*n = 0;
	for (int pages = 0;; pages++) {
		struct sbuf u;
		struct hc_resp r;
		json_object *o, *data;
		char *eu = hc_escape(&w->a, uid);
		char *ea = after ? hc_escape(&w->a, after) : NULL;

		if (eu == NULL || (after != NULL && ea == NULL))
			return FAILED;
		if (pages == WSYNC_MEMBER_PAGES)
			return TOO_MANY;
		sbuf_init(&u, &w->a, 4096);
		sbuf_printf(&u, "%s/user_management/organization_memberships?user_id=%s"
		    "&statuses=active,inactive,pending&limit=100%s%s",
		    w->cfg->workos_api_base, eu, ea ? "&after=" : "", ea ? ea : "");
		if (sbuf_err(&u) != APP_OK)
			return FAILED;
		if (get(w, u.data, "WorkOS memberships", false, &r, NULL) != GOT)
			return FAILED;
		if (jv_parse(&w->a, sbuf_str(&r.body), r.body.len, &o, NULL) != APP_OK ||
		    (data = jv_get(o, "data")) == NULL ||
		    !json_object_is_type(data, json_type_array)) {
			log_msg(LOG_ERR, "could not read WorkOS memberships: malformed answer "
			    "(request id \"%s\")", r.request_id);
			return FAILED;
		}
		for (size_t i = 0; i < json_object_array_length(data); i++) {
			const char *why;

			if (*n == (size_t)WSYNC_MEMBER_PAGES * 100)
				return TOO_MANY;
			if (*n == cap) {
				struct wev *nv;

				cap = cap ? cap * 2 : 16;
				nv = arena_alloc(&w->a, cap * sizeof(*nv));
				if (nv == NULL)
					return FAILED;
				if (*n > 0)
					memcpy(nv, v, *n * sizeof(*nv));
				v = nv;
			}
			if (wev_membership_from_json(json_object_array_get_idx(data, i),
			    &v[*n], &why) != APP_OK) {
				log_msg(LOG_ERR, "could not read a WorkOS membership: %s", why);
				return FAILED;
			}
			(*n)++;
		}
		after = jv_str(jv_get(o, "list_metadata"), "after");
		if (after == NULL || json_object_array_length(data) == 0)
			break;
	}
	*out = v;
	return GOT;
}

/*
 * The cursor is too old for WorkOS: bring every linked user's memberships
 * to WorkOS's present state, then read events from the time this began.
 */
static int
reconcile(struct wsync *w)
{
	struct arena ids_arena;
	const char **ids;
	size_t n, changed_total = 0, users = 0, skipped = 0;
	long long after = 0;
	char began[WEV_TIME_LEN + 1];
	int rc = -1;

	iso_now(began);
	arena_init(&ids_arena, 16 * 1024);
	log_msg(LOG_INFO, "reconciling the memberships of every linked user with WorkOS");
	do {
		arena_reset(&ids_arena);
		if (wapply_linked_users(&w->db, &ids_arena, after, WSYNC_USERS_BATCH,
		    &ids, &n, &after) != APP_OK) {
			log_msg(LOG_ERR, "could not list the linked users to reconcile");
			goto end;
		}
		for (size_t i = 0; i < n && !*w->stop; i++) {
			struct wev *ms = NULL;
			size_t nm = 0;
			int changed = 0;
			enum outcome oc = list_memberships(w, ids[i], &ms, &nm);

			if (oc == TOO_MANY) {
				log_msg(LOG_WARN, "not reconciled: user \"%s\" has more than "
				    "%d memberships at WorkOS (or the list never ends); "
				    "their memberships here are kept", ids[i],
				    WSYNC_MEMBER_PAGES * 100);
				skipped++;
				arena_reset(&w->a);
				continue;
			}
			if (oc != GOT ||
			    wapply_reconcile_user(&w->db, &w->a, ids[i], ms, nm, began, &changed) != APP_OK) {
				log_msg(LOG_ERR, "could not reconcile the memberships of a user; "
				    "will try again");
				arena_reset(&w->a);
				goto end;
			}
			changed_total += (size_t)changed;
			users++;
			arena_reset(&w->a);
		}
	} while (n == WSYNC_USERS_BATCH && !*w->stop);
	if (*w->stop)
		goto end;
	if (wapply_set_cursor(&w->db, &w->a, NULL, began) != APP_OK)
		goto end;
	w->cursor[0] = '\0';
	snprintf(w->range_start, sizeof(w->range_start), "%s", began);
	log_msg(LOG_INFO, "reconciled %zu users (%zu skipped): %zu memberships changed; "
	    "reading events from %s", users, skipped, changed_total, began);
	rc = 0;
end:
	arena_free(&ids_arena);
	arena_reset(&w->a);
	return rc;
}

static void
set_cursor(struct wsync *w, const char *id)
{
	snprintf(w->cursor, sizeof(w->cursor), "%s", id);
	w->range_start[0] = '\0';
}

/* One pass to the end of the events: 0, or -1 (logged). */
static int
pass(struct wsync *w)
{
	const char *c, *rs;
	size_t applied = 0, pages = 0;

	db_request_start(&w->db);
	if (wapply_get_cursor(&w->db, &w->a, &c, &rs) != APP_OK) {
		log_msg(LOG_ERR, "could not read the sync cursor from the database");
		arena_reset(&w->a);
		return -1;
	}
	snprintf(w->cursor, sizeof(w->cursor), "%s", c ? c : "");
	snprintf(w->range_start, sizeof(w->range_start), "%s", rs ? rs : "");
	arena_reset(&w->a);
	while (!*w->stop) {
		struct sbuf url;
		struct hc_resp r;
		struct wsync_page p;
		enum outcome oc;
		bool has_cursor = w->cursor[0] != '\0';

		if (pages == WSYNC_PASS_PAGES) {
			/* The cursor is stored: the next pass reads on from it. */
			log_msg(LOG_INFO, "read %d pages of events in this pass, its most; "
			    "the next pass reads on", WSYNC_PASS_PAGES);
			break;
		}
		if (events_url(w, &url) != APP_OK)
			return -1;
		oc = get(w, url.data, "WorkOS events", has_cursor, &r, &p);
		if (oc == EXPIRED) {
			log_msg(LOG_ERR, "WorkOS refused the sync cursor \"%s\" (HTTP %ld, request "
			    "id \"%s\"): it is older than the 30 days WorkOS keeps events; "
			    "reconciling memberships, then syncing from now",
			    w->cursor, r.status, r.request_id);
			arena_reset(&w->a);
			if (reconcile(w) != 0)
				return -1;
			continue;
		}
		if (oc != GOT) {
			arena_reset(&w->a);
			return -1;
		}
		pages++;
		for (size_t i = 0; i < p.n && !*w->stop; i++) {
			struct wsync_item *it = &p.items[i];
			enum wapply_result res;
			enum app_err e;
			char id[96];

			snprintf(id, sizeof(id), "%s", it->id ? it->id : "(no id)");
			if (it->err != APP_OK) {
				/* Skipped, or it would stop the sync for good. */
				log_msg(LOG_WARN, "skipped WorkOS event \"%s\": %s", id, it->why);
				if (it->id != NULL) {
					if (wapply_set_cursor(&w->db, &w->a, it->id, NULL) != APP_OK)
						goto dbfail;
					set_cursor(w, it->id);
				}
				continue;
			}
			e = wapply_event(&w->db, &w->a, &it->ev, WAPPLY_EVENTS_API, it->ev.id, &res);
			if (e == APP_EINPUT || e == APP_ECONFLICT) {
				log_msg(LOG_WARN, "skipped WorkOS event \"%s\": its values break a "
				    "rule of the tables", id);
				if (wapply_set_cursor(&w->db, &w->a, it->ev.id, NULL) != APP_OK)
					goto dbfail;
			} else if (e != APP_OK) {
				goto dbfail;
			} else {
				applied += res == WAPPLY_APPLIED;
			}
			set_cursor(w, it->ev.id);
		}
		if (*w->stop) {
			arena_reset(&w->a);
			break;
		}
		/* A last element without an id: move past it by the page's own cursor. */
		if (p.n > 0 && p.items[p.n - 1].id == NULL && p.after != NULL &&
		    strlen(p.after) <= WEV_ID_MAX) {
			if (wapply_set_cursor(&w->db, &w->a, p.after, NULL) != APP_OK)
				goto dbfail;
			set_cursor(w, p.after);
		}
		if (p.n == 0 || p.n < WSYNC_PAGE) {
			long long pruned = 0;

			arena_reset(&w->a);
			if (wapply_caught_up(&w->db, &w->a) != APP_OK ||
			    wapply_prune(&w->db, &w->a, &pruned) != APP_OK)
				goto dbfail;
			if (pruned > 0)
				log_msg(LOG_INFO, "forgot %lld applied event ids older than %d days",
				    pruned, WAPPLY_KEEP_DAYS);
			arena_reset(&w->a);
			break;
		}
		arena_reset(&w->a);
	}
	if (applied > 0 || w->once)
		log_msg(LOG_INFO, "read %zu pages of events, %zu applied; cursor \"%s\"",
		    pages, applied, w->cursor[0] ? w->cursor : "(none)");
	return 0;
dbfail:
	log_msg(LOG_ERR, "could not store WorkOS events in the database");
	arena_reset(&w->a);
	return -1;
}

int
wsync_run(const struct cfg *cfg, const struct wsync_opts *o,
    volatile sig_atomic_t *stop)
{
	struct wsync w;
	int rc = 0, failures = 0;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.stop = stop;
	w.once = o->once;
	w.hc = hc_new(cfg);
	if (w.hc == NULL)
		return 1;
	arena_init(&w.a, 64 * 1024);
	db_init(&w.db, cfg->database_url, "workos-sync");
	if (!o->once)
		log_msg(LOG_INFO, "following WorkOS events every %lld ms", o->interval_ms);
	while (!*stop) {
		if (pass(&w) != 0) {
			if (o->once) {
				rc = 1;
				break;
			}
			failures++;
			nap(&w, wsync_backoff(failures) * 1000LL);
			continue;
		}
		failures = 0;
		if (o->once)
			break;
		nap(&w, o->interval_ms);
	}
	if (*stop)
		log_msg(LOG_INFO, "stopping");
	db_close(&w.db);
	arena_free(&w.a);
	hc_free(w.hc);
	return rc;
}
