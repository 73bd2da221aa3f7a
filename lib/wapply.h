/*
 * wapply.h - applying WorkOS events to Postgres: the one code path behind
 * both the webhook route and bin/workos-sync (DESIGN.md, "WorkOS sync").
 *
 * Each event is applied in one transaction together with the insertion of
 * its id into workos_events, so an event is applied at most once however
 * often it arrives.  Objects carry WorkOS's updated_at: a version older
 * than (or as old as) the one stored changes nothing.  A change that ends
 * someone's access revokes the sessions it concerns in the same
 * transaction, so their JWTs stop working at the next request.
 *
 * Lock order, the same as a sign-in's (users_sign_in): the user row first,
 * then the organization (never more than a key-share lock), then the
 * membership, then sessions.  A deadlock or serialization failure that
 * Postgres still reports is retried.
 */
#ifndef WAPPLY_H
#define WAPPLY_H

#include "app.h"
#include "arena.h"
#include "db.h"
#include "wev.h"

enum wapply_source { WAPPLY_WEBHOOK, WAPPLY_EVENTS_API };

enum wapply_result {
	WAPPLY_APPLIED,   /* the event changed what it describes */
	WAPPLY_DUPLICATE, /* its id was applied before: nothing done */
	WAPPLY_STALE,     /* a newer version is stored: nothing changed */
	WAPPLY_UNKNOWN,   /* about a user or membership the suite does not
	                     hold: nothing to change (recorded as applied) */
	WAPPLY_IGNORED    /* a kind the suite does not handle: not recorded */
};

/* "applied", "duplicate"... for logs and answers. */
const char *wapply_result_name(enum wapply_result r);

/*
 * Apply ev (from wev_parse/wev_from_json).  cursor, when not NULL, is the
 * Events API position to store in the same transaction (bin/workos-sync;
 * webhooks never move it); it is stored for every result, so a sync
 * moves past duplicates and ignored events too.  Errors: APP_EDB
 * (nothing applied; try again later), APP_EINPUT or APP_ECONFLICT when the
 * event's values break a rule of the tables (nothing applied), APP_ENOMEM.
 */
enum app_err wapply_event(struct db *db, struct arena *a, const struct wev *ev,
    enum wapply_source src, const char *cursor, enum wapply_result *res);

/*
 * Store the Events API position alone (after an event that could not be
 * read).  cursor NULL with range_start (ISO 8601) restarts the reading
 * at that time.
 */
enum app_err wapply_set_cursor(struct db *db, struct arena *a,
    const char *cursor, const char *range_start);

/* Record that a read reached the end of the Events API now. */
enum app_err wapply_caught_up(struct db *db, struct arena *a);

/*
 * The stored position: *cursor and *range_start (arena strings, or NULL).
 */
enum app_err wapply_get_cursor(struct db *db, struct arena *a,
    const char **cursor, const char **range_start);

/*
 * Reconciliation after an outage longer than the Events API keeps:
 * memberships of one local user as WorkOS lists them now.  ms[] are
 * membership objects (wev fields obj_id, user_id, org_id, status, role,
 * version, org_name); every local membership of that user not among
 * them is marked deleted (version `now`).  One transaction.  Of the local
 * memberships, the first WAPPLY_RECONCILE_LOCAL_MAX by organization id
 * are compared (n is at most 1,000, see wsync.h): beyond them nothing is
 * ended, which errs on the side of keeping what the events said.
 */
#define WAPPLY_RECONCILE_LOCAL_MAX 2000
enum app_err wapply_reconcile_user(struct db *db, struct arena *a,
    const char *workos_user_id, const struct wev *ms, size_t n,
    const char *now, int *changed);

/*
 * Forget applied event ids older than WAPPLY_KEEP_DAYS (WorkOS retries a
 * webhook for about 3 days and the Events API keeps 30, so none of them
 * can arrive again), always keeping the newest, at most
 * WAPPLY_PRUNE_BATCH in one call (the next call takes the rest).  *n gets
 * how many went.
 */
#define WAPPLY_KEEP_DAYS 45
#define WAPPLY_PRUNE_BATCH 10000
enum app_err wapply_prune(struct db *db, struct arena *a, long long *n);

/*
 * The WorkOS user ids of linked local users whose local id is above
 * after, in id order, at most max of them (array on a, *n entries); *last
 * gets the local id of the last one (after when none), to read the next
 * batch from.  For reconciling without holding every user at once.
 */
enum app_err wapply_linked_users(struct db *db, struct arena *a,
    long long after, size_t max, const char ***ids, size_t *n, long long *last);

#endif
