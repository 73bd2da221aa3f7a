/*
 * test_sbuf.c - sbuf.h: appends, printf, the sticky maximum, reserve and
 * commit, truncate, and the NUL terminator.
 */
#include <string.h>

#include "arena.h"
#include "sbuf.h"
#include "t.h"

/* The buffer's invariant: len bytes then a NUL (or no data at all). */
static int
terminated(const struct sbuf *sb)
{
	if (sb->data == NULL)
		return sb->len == 0 && sbuf_str(sb)[0] == '\0';
	return sb->len < sb->cap && sb->len <= sb->max &&
	    sb->data[sb->len] == '\0' && strlen(sb->data) <= sb->len;
}

static void
test_appends(struct arena *a)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 1000);
	T_STREQ("empty: sbuf_str is \"\"", sbuf_str(&sb), "");
	T_INT("empty: len 0", sb.len, 0);
	T_INT("empty: no error", sbuf_err(&sb), APP_OK);
	sbuf_puts(&sb, "hello");
	sbuf_putc(&sb, ' ');
	sbuf_putn(&sb, "world!!!", 5);
	T_STREQ("puts/putc/putn", sbuf_str(&sb), "hello world");
	T_INT("len after appends", sb.len, 11);
	T_OK("terminated after appends", terminated(&sb));
	sbuf_putn(&sb, "", 0);
	sbuf_puts(&sb, "");
	T_STREQ("empty appends change nothing", sbuf_str(&sb), "hello world");
	T_INT("no error after appends", sbuf_err(&sb), APP_OK);

	/* Binary data with an embedded NUL keeps its length. */
	sbuf_init(&sb, a, 1000);
	sbuf_putn(&sb, "a\0b", 3);
	T_INT("putn with NUL: len 3", sb.len, 3);
	T_OK("putn with NUL: bytes", memcmp(sb.data, "a\0b\0", 4) == 0);

	/* Growth across many reallocations moves the data intact. */
	sbuf_init(&sb, a, 100000);
	for (int i = 0; i < 5000; i++)
		sbuf_putc(&sb, (char)('a' + i % 26));
	{
		int ok = sb.len == 5000;

		for (int i = 0; ok && i < 5000; i++)
			if (sb.data[i] != (char)('a' + i % 26))
				ok = 0;
		T_OK("5000 putc: contents intact through growth", ok);
	}
	T_OK("5000 putc: terminated", terminated(&sb));
	T_INT("5000 putc: no error", sbuf_err(&sb), APP_OK);
}

static void
test_printf(struct arena *a)
{
	struct sbuf sb;
	char big[1001], want[2000];

	sbuf_init(&sb, a, 4096);
	sbuf_printf(&sb, "%d-%s-%c", 42, "x", 'y');
	T_STREQ("printf small", sbuf_str(&sb), "42-x-y");
	sbuf_printf(&sb, "%s", "");
	T_STREQ("printf empty result", sbuf_str(&sb), "42-x-y");
	sbuf_printf(&sb, "|%05.1f|", 3.14159);
	T_STREQ("printf appends", sbuf_str(&sb), "42-x-y|003.1|");
	T_OK("printf small: terminated", terminated(&sb));

	memset(big, 'B', 1000);
	big[1000] = '\0';
	sbuf_init(&sb, a, 4096);
	sbuf_puts(&sb, "<");
	sbuf_printf(&sb, "%s:%d", big, 7);
	strcpy(want, "<");
	strcat(want, big);
	strcat(want, ":7");
	T_STREQ("printf > 256 bytes", sbuf_str(&sb), want);
	T_INT("printf > 256: len", sb.len, 1003);
	T_INT("printf > 256: no error", sbuf_err(&sb), APP_OK);
	T_OK("printf > 256: terminated", terminated(&sb));

	/* Exactly 255 and 256 characters: the edge of the small buffer. */
	sbuf_init(&sb, a, 4096);
	sbuf_printf(&sb, "%.*s", 255, big);
	T_INT("printf 255 chars", sb.len, 255);
	sbuf_printf(&sb, "%.*s", 256, big);
	T_INT("printf 256 more chars", sb.len, 511);
	T_OK("printf 255+256: contents",
	    strspn(sbuf_str(&sb), "B") == 511 && terminated(&sb));

	/* A long printf that exactly fits the maximum. */
	sbuf_init(&sb, a, 300);
	sbuf_printf(&sb, "%.*s", 300, big);
	T_INT("printf > 256 exact fit at max: no error", sbuf_err(&sb), APP_OK);
	T_INT("printf > 256 exact fit at max: len", sb.len, 300);
	T_OK("printf > 256 exact fit: terminated", terminated(&sb));

	/* A long printf past the maximum writes nothing. */
	sbuf_init(&sb, a, 300);
	sbuf_puts(&sb, "keep");
	sbuf_printf(&sb, "%s", big);
	T_INT("printf > 256 past max: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("printf > 256 past max: nothing written", sbuf_str(&sb), "keep");

	/* A short printf past the maximum writes nothing either. */
	sbuf_init(&sb, a, 5);
	sbuf_puts(&sb, "abc");
	sbuf_printf(&sb, "%d", 123);
	T_INT("printf small past max: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("printf small past max: nothing written", sbuf_str(&sb), "abc");
}

static void
test_max(struct arena *a)
{
	struct sbuf sb;
	char *p;

	sbuf_init(&sb, a, 10);
	sbuf_puts(&sb, "12345678");
	T_INT("max: 8 of 10 fits", sbuf_err(&sb), APP_OK);
	sbuf_puts(&sb, "abc");
	T_INT("max: 11 of 10 sets ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("max: the failed append wrote nothing", sbuf_str(&sb), "12345678");
	T_INT("max: len unchanged", sb.len, 8);
	sbuf_putc(&sb, 'x');
	T_STREQ("max: sticky, a fitting putc writes nothing", sbuf_str(&sb), "12345678");
	sbuf_puts(&sb, "y");
	sbuf_putn(&sb, "z", 1);
	sbuf_printf(&sb, "%c", 'w');
	T_STREQ("max: sticky for puts/putn/printf", sbuf_str(&sb), "12345678");
	T_INT("max: error stays ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_OK("max: reserve refused while in error", sbuf_reserve(&sb, 1) == NULL);
	T_OK("max: terminated after errors", terminated(&sb));

	sbuf_init(&sb, a, 10);
	sbuf_puts(&sb, "0123456789");
	T_INT("exact fit at max: no error", sbuf_err(&sb), APP_OK);
	T_STREQ("exact fit at max: contents", sbuf_str(&sb), "0123456789");
	T_OK("exact fit at max: cap is max + 1 at most", sb.cap <= 11);
	T_OK("exact fit at max: terminated", terminated(&sb));
	sbuf_putc(&sb, 'x');
	T_INT("one past max: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("one past max: unchanged", sbuf_str(&sb), "0123456789");

	/* Exact fit reached in pieces through growth. */
	sbuf_init(&sb, a, 100);
	for (int i = 0; i < 10; i++)
		sbuf_puts(&sb, "abcdefghij");
	T_INT("exact fit in pieces: no error", sbuf_err(&sb), APP_OK);
	T_INT("exact fit in pieces: len 100", sb.len, 100);
	T_OK("exact fit in pieces: terminated", terminated(&sb));
	sbuf_putn(&sb, "", 0);
	T_INT("empty append at max is fine", sbuf_err(&sb), APP_OK);

	/* A maximum of 0 holds only the empty string. */
	sbuf_init(&sb, a, 0);
	sbuf_putn(&sb, "", 0);
	T_INT("max 0: empty append ok", sbuf_err(&sb), APP_OK);
	sbuf_putc(&sb, 'a');
	T_INT("max 0: one byte is too big", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("max 0: still empty", sbuf_str(&sb), "");

	/* Huge requests fail cleanly (no overflow in len + n). */
	sbuf_init(&sb, a, 100);
	sbuf_puts(&sb, "ab");
	p = sbuf_reserve(&sb, (size_t)-1);
	T_OK("reserve SIZE_MAX: NULL", p == NULL);
	T_INT("reserve SIZE_MAX: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_STREQ("reserve SIZE_MAX: unchanged", sbuf_str(&sb), "ab");

	/* Out of memory (the arena's limit) is APP_ENOMEM and sticky. */
	{
		struct arena la;

		arena_init(&la, 1024);
		la.limit = 64;
		sbuf_init(&sb, &la, 10000);
		sbuf_puts(&sb, "small");
		T_INT("arena limit: small append ok", sbuf_err(&sb), APP_OK);
		for (int i = 0; i < 20; i++)
			sbuf_puts(&sb, "0123456789");
		T_INT("arena limit: ENOMEM", sbuf_err(&sb), APP_ENOMEM);
		T_OK("arena limit: contents still terminated", terminated(&sb));
		T_OK("arena limit: starts with what fitted",
		    strncmp(sbuf_str(&sb), "small", 5) == 0);
		arena_free(&la);
	}
}

static void
test_reserve_commit(struct arena *a)
{
	struct sbuf sb;
	char *p;

	sbuf_init(&sb, a, 100);
	sbuf_puts(&sb, "ab");
	p = sbuf_reserve(&sb, 5);
	T_OK("reserve: pointer after the contents", p != NULL && p == sb.data + 2);
	T_INT("reserve: len unchanged", sb.len, 2);
	T_OK("reserve: still terminated", terminated(&sb));
	if (p != NULL)
		memcpy(p, "cdefg", 5);
	sbuf_commit(&sb, 3);
	T_STREQ("commit: counts only the committed bytes", sbuf_str(&sb), "abcde");
	T_OK("commit: terminated", terminated(&sb));
	p = sbuf_reserve(&sb, 0);
	T_OK("reserve 0: a pointer", p != NULL);
	sbuf_commit(&sb, 0);
	T_STREQ("commit 0: unchanged", sbuf_str(&sb), "abcde");

	/* Reserve that forces growth keeps the old contents. */
	p = sbuf_reserve(&sb, 90);
	T_OK("reserve with growth", p != NULL && sb.cap >= 5 + 90 + 1);
	T_STREQ("reserve with growth: contents kept", sbuf_str(&sb), "abcde");
	if (p != NULL) {
		memset(p, 'z', 90);
		sbuf_commit(&sb, 90);
	}
	T_INT("commit 90: len 95", sb.len, 95);
	T_OK("commit 90: terminated", terminated(&sb));
	p = sbuf_reserve(&sb, 5);
	T_OK("reserve up to max exactly", p != NULL);
	if (p != NULL) {
		memcpy(p, "12345", 5);
		sbuf_commit(&sb, 5);
	}
	T_INT("reserve at max: len 100", sb.len, 100);
	T_OK("reserve past max refused", sbuf_reserve(&sb, 1) == NULL);
	T_INT("reserve past max: ETOOBIG", sbuf_err(&sb), APP_ETOOBIG);
	T_INT("reserve past max: len unchanged", sb.len, 100);

	/* Reserve into a buffer that never had data. */
	sbuf_init(&sb, a, 100);
	p = sbuf_reserve(&sb, 3);
	T_OK("reserve on an empty buffer", p != NULL && sb.data == p);
	if (p != NULL) {
		memcpy(p, "xyz", 3);
		sbuf_commit(&sb, 3);
	}
	T_STREQ("reserve/commit on an empty buffer", sbuf_str(&sb), "xyz");
}

static void
test_truncate(struct arena *a)
{
	struct sbuf sb;

	sbuf_init(&sb, a, 100);
	sbuf_truncate(&sb, 0);
	T_STREQ("truncate an empty buffer", sbuf_str(&sb), "");
	sbuf_puts(&sb, "hello world");
	sbuf_truncate(&sb, 5);
	T_STREQ("truncate to 5", sbuf_str(&sb), "hello");
	T_INT("truncate: len 5", sb.len, 5);
	T_OK("truncate: terminated", terminated(&sb));
	sbuf_truncate(&sb, 50);
	T_STREQ("truncate longer than len: no change", sbuf_str(&sb), "hello");
	T_INT("truncate longer: len 5", sb.len, 5);
	sbuf_puts(&sb, "!");
	T_STREQ("append after truncate", sbuf_str(&sb), "hello!");
	sbuf_truncate(&sb, 0);
	T_STREQ("truncate to 0", sbuf_str(&sb), "");
	T_INT("truncate to 0: len", sb.len, 0);
	T_OK("truncate to 0: terminated", terminated(&sb));
}

int
main(void)
{
	struct arena a;

	arena_init(&a, 1024);
	test_appends(&a);
	test_printf(&a);
	test_max(&a);
	test_reserve_commit(&a);
	test_truncate(&a);
	arena_free(&a);
	return T_DONE();
}
