/*
 * test_wsync.c - wsync.h's pure parts: reading an Events API page (a
 * malformed element is kept with its reason so the reader can skip it),
 * and the back-off between failed reads.
 */
#include <string.h>

#include "arena.h"
#include "wsync.h"
#include "t.h"

static struct arena A;

static void
test_page(void)
{
	static const char page[] =
	    "{\"object\":\"list\",\"data\":["
	    "{\"object\":\"event\",\"id\":\"event_1\",\"event\":\"user.deleted\","
	    "\"created_at\":\"2026-02-01T12:00:00.000Z\",\"data\":{\"id\":\"user_1\"},\"context\":{}},"
	    "{\"object\":\"event\",\"id\":\"event_2\",\"event\":\"user.updated\","
	    "\"created_at\":\"2026-02-01T12:00:00.000Z\",\"data\":{\"id\":\"user_1\",\"email\":7}},"
	    "{\"object\":\"event\",\"id\":\"event_3\",\"event\":\"role.created\","
	    "\"created_at\":\"2026-02-01T12:00:00.000Z\",\"data\":{}},"
	    "{\"object\":\"event\",\"id\":5}],"
	    "\"list_metadata\":{\"before\":null,\"after\":\"event_3\"}}";
	struct wsync_page p;
	const char *why;

	T_INT("a page of four", wsync_parse_page(&A, page, strlen(page), &p, &why), APP_OK);
	T_INT("four items", p.n, 4);
	T_STREQ("list_metadata.after", p.after, "event_3");
	T_OK("a good event", p.items[0].err == APP_OK && p.items[0].ev.kind == WEV_USER_DELETED);
	T_OK("a malformed event keeps its id and reason", p.items[1].err == APP_EINPUT &&
	    strcmp(p.items[1].id, "event_2") == 0 && strstr(p.items[1].why, "email") != NULL);
	T_OK("an unhandled event is ignored", p.items[2].err == APP_OK &&
	    p.items[2].ev.kind == WEV_IGNORED);
	T_OK("an element without a string id", p.items[3].err == APP_EINPUT && p.items[3].id == NULL);

	{
		static const char empty[] = "{\"data\":[],\"list_metadata\":{\"after\":null}}";

		T_INT("an empty page", wsync_parse_page(&A, empty, strlen(empty), &p, &why), APP_OK);
	}
	T_OK("empty: no items, no after", p.n == 0 && p.after == NULL);
	T_INT("not JSON is refused", wsync_parse_page(&A, "{\"data\": [", 10, &p, &why), APP_EUPSTREAM);
	T_INT("no data array is refused", wsync_parse_page(&A, "{\"data\":{}}", 11, &p, &why), APP_EUPSTREAM);
	T_OK("the reason is given", why != NULL && strstr(why, "data") != NULL);
	T_INT("an array is refused", wsync_parse_page(&A, "[]", 2, &p, &why), APP_EUPSTREAM);
}

static void
test_backoff(void)
{
	T_INT("first retry after 1 s", wsync_backoff(1), 1);
	T_INT("then 2 s", wsync_backoff(2), 2);
	T_INT("then 4 s", wsync_backoff(3), 4);
	T_INT("never more than 60 s", wsync_backoff(30), 60);
	T_INT("nor for absurd attempts", wsync_backoff(1000000), 60);
}

int
main(void)
{
	arena_init(&A, 4096);
	test_page();
	test_backoff();
	arena_free(&A);
	return T_DONE();
}
