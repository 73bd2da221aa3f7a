/*
 * wev.h - WorkOS events (spec/workos-api.md section 8): reading one event,
 * from a verified webhook body or from an Events API page, into the few
 * facts the suite copies from WorkOS.  Pure: no database, no logging.
 *
 * Envelope: {"id", "event", "data": {...}, "created_at"} ("object":"event"
 * and "context" from the Events API are ignored).  Unknown members are
 * ignored everywhere, as WorkOS adds fields often.  Strings in a struct
 * wev point into the parsed JSON tree, which the arena owns.
 */
#ifndef WEV_H
#define WEV_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "app.h"
#include "arena.h"

#define WEV_ID_MAX 255      /* bytes of an id (event, user, org...) */
#define WEV_TEXT_MAX 1024   /* bytes of an e-mail, a name, a role slug */
#define WEV_TIME_LEN 24     /* "YYYY-MM-DDTHH:MM:SS.mmmZ" */

/* What an event does here. */
enum wev_kind {
	WEV_IGNORED = 0,        /* a name the suite does not handle */
	WEV_USER,               /* user.created, user.updated */
	WEV_USER_DELETED,       /* user.deleted */
	WEV_ORG,                /* organization.created, organization.updated */
	WEV_ORG_DELETED,        /* organization.deleted */
	WEV_MEMBERSHIP,         /* organization_membership.created, .updated */
	WEV_MEMBERSHIP_DELETED, /* organization_membership.deleted */
	WEV_DIRECTORY_USER,     /* dsync.user.created, .updated, .deleted */
	WEV_SESSION_REVOKED     /* session.revoked */
};

/* The event names of the kinds above, for the Events API's filter. */
extern const char *const wev_handled[];
extern const size_t wev_nhandled;

struct wev {
	const char *id;          /* the event id */
	const char *name;        /* e.g. "user.updated" */
	enum wev_kind kind;
	char created_at[WEV_TIME_LEN + 1]; /* the event's, normalised */
	/*
	 * The object's version: its updated_at, normalised.  For deletions
	 * the later of updated_at and the event's created_at, so the removal
	 * outranks every version it removed.
	 */
	char version[WEV_TIME_LEN + 1];

	const char *obj_id;      /* user_, org_, om_, directory_user_, session_ id */
	/* user */
	const char *email;       /* as WorkOS sent it; directory users too */
	bool email_verified;
	const char *first_name;  /* NULL when null or absent */
	const char *last_name;
	/* organization */
	const char *org_name;    /* NULL when null or absent */
	/* membership, directory user, session */
	const char *user_id;
	const char *org_id;
	const char *status;      /* membership: active, inactive, pending;
	                            "deleted" for organization_membership.deleted */
	const char *role;        /* membership: role slug, NULL when absent */
	const char *state;       /* directory user: active, inactive, suspended;
	                            "deleted" for dsync.user.deleted */
};

/*
 * Parse len bytes of untrusted JSON into *ev.  APP_OK for a well-formed
 * event (kind WEV_IGNORED for a name the suite does not handle, whose
 * data is then not looked at); APP_EINPUT with *why (static text naming
 * the member) for malformed JSON, a wrong shape or a wrong type;
 * APP_ENOMEM.
 */
enum app_err wev_parse(struct arena *a, const char *buf, size_t len,
    struct wev *ev, const char **why);

/* As wev_parse, for one already parsed element of an Events API page. */
enum app_err wev_from_json(json_object *o, struct wev *ev, const char **why);

/*
 * One membership object of the memberships API (GET
 * /user_management/organization_memberships, spec section 5.2) as a
 * WEV_MEMBERSHIP: obj_id, user_id, org_id, org_name, status, role and
 * version (its updated_at).  APP_EINPUT with *why when malformed.
 */
enum app_err wev_membership_from_json(json_object *m, struct wev *ev,
    const char **why);

/*
 * An ISO 8601 UTC time as WorkOS writes them ("2026-01-15T12:00:00.000Z";
 * also without or with up to 9 fraction digits, or a +hh:mm/-hh:mm
 * offset) into milliseconds since 1970.  0, or -1 when it is not one.
 */
int wev_time(const char *s, size_t n, long long *ms);

/* Milliseconds since 1970 as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void wev_time_format(long long ms, char out[WEV_TIME_LEN + 1]);

#endif
