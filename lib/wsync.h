/*
 * wsync.h - bin/workos-sync: follow the WorkOS Events API (spec/workos-api.md
 * section 8.1) from a cursor kept in Postgres, applying each event with
 * wapply.h exactly as the webhook route does, to fill whatever webhooks
 * missed.
 *
 * A pass reads GET /events?events=<handled names>&limit=100&after=<cursor>
 * page by page until a page comes back short, storing the cursor in the
 * transaction of each event.  429 waits as Retry-After says (at most
 * WSYNC_MAX_WAIT s); 5xx, timeouts, dropped connections and malformed
 * pages back off 1, 2, 4... s up to 60 s.  A cursor WorkOS refuses (older
 * than its 30 days) is reported; memberships are then reconciled through
 * GET /user_management/organization_memberships for every linked user and
 * reading restarts from the time the reconciliation began.  A pass that
 * reaches the end also forgets event ids too old to arrive again (at most
 * WAPPLY_PRUNE_BATCH a pass).
 *
 * Every message is one line on stderr; nothing logged holds the API key.
 */
#ifndef WSYNC_H
#define WSYNC_H

#include <signal.h>
#include <stdbool.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"
#include "cfg.h"
#include "wev.h"

#define WSYNC_PAGE 100          /* events asked for per read (the API's most) */
#define WSYNC_MAX_WAIT 300      /* seconds: the longest Retry-After obeyed */
#define WSYNC_ONCE_ATTEMPTS 4   /* tries of one read before a pass gives up */
/*
 * Bounds of the work one pass takes on, whatever WorkOS answers:
 *   WSYNC_PASS_PAGES    pages of events read in one pass; past it the pass
 *                       ends (the cursor is stored with every event) and
 *                       the next pass reads on.
 *   WSYNC_MEMBER_PAGES  pages of 100 memberships followed for one user
 *                       while reconciling; a user with more (or an answer
 *                       that never ends) is skipped with a log line and
 *                       keeps the memberships held here, since a partial
 *                       list would end the memberships it left out.
 *   WSYNC_USERS_BATCH   linked users read from Postgres at a time while
 *                       reconciling (by id), so memory does not grow with
 *                       the number of users.
 */
#define WSYNC_PASS_PAGES 1000
#define WSYNC_MEMBER_PAGES 10
#define WSYNC_USERS_BATCH 1000

struct wsync_opts {
	bool once;                /* one pass, then exit (cron, tests) */
	long long interval_ms;    /* between passes when following */
};

/*
 * Run until *stop is set (SIGTERM: the event being applied is finished
 * first) or, with once, after one pass.  Returns the exit status: 0, or 1
 * when --once could not finish its pass (the reason logged).
 */
int wsync_run(const struct cfg *cfg, const struct wsync_opts *o,
    volatile sig_atomic_t *stop);

/* One element of a page: the event, or why it could not be read. */
struct wsync_item {
	struct wev ev;
	enum app_err err;         /* APP_OK or APP_EINPUT */
	const char *why;
	const char *id;           /* the element's "id" when it is a string */
};

struct wsync_page {
	struct wsync_item *items; /* on the arena */
	size_t n;
	const char *after;        /* list_metadata.after, NULL when null */
};

/*
 * Read an Events API answer (len bytes of untrusted JSON) into *p.
 * APP_EUPSTREAM with *why when it is not a list of events at all; a
 * malformed element is kept with its reason, so the reader can skip it.
 */
enum app_err wsync_parse_page(struct arena *a, const char *buf, size_t len,
    struct wsync_page *p, const char **why);

/* Seconds to wait before try number attempt (1, 2, ...) after a failure. */
long wsync_backoff(int attempt);

#endif
