/*
 * test_log.c - log.h: every %s argument is escaped structurally, so a
 * client's bytes can neither end a line nor forge a field; the other
 * conversions print as printf would.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "t.h"

static char out[1024];

static const char *
fmt(const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	log_vformat(out, sizeof(out), f, ap);
	va_end(ap);
	return out;
}

int
main(void)
{
	T_STREQ("log: a quote in a value cannot forge a field",
	    fmt("error \"%s\"", "x\" user=\"admin\" action=\"granted"),
	    "error \"x\\x22 user=\\x22admin\\x22 action=\\x22granted\"");
	T_STREQ("log: a line break in a value cannot start a line",
	    fmt("v=%s", "a\r\n2026-01-01 forged: error"), "v=a\\x0d\\x0a2026-01-01 forged: error");
	T_STREQ("log: backslashes are escaped", fmt("%s", "a\\b"), "a\\x5cb");
	T_STREQ("log: a precision cuts the value before escaping", fmt("%.3s|", "\"abcdef"),
	    "\\x22ab|");
	T_STREQ("log: .* precision", fmt("%.*s|", 2, "abc"), "ab|");
	T_STREQ("log: integers", fmt("%d %ld %lld %u %zu %x", -1, 2L, 3LL, 4U, (size_t)5, 255U),
	    "-1 2 3 4 5 ff");
	T_STREQ("log: a NULL string", fmt("%s", (char *)NULL), "(null)");
	T_STREQ("log: a percent sign", fmt("100%% %s", "ok"), "100% ok");
	T_STREQ("log: UTF-8 is kept", fmt("%s", "Crème"), "Crème");
	memset(out, 'x', sizeof(out));
	{
		char big[3000];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		fmt("%s%s%s", big, big, big);
		T_OK("log: a long message is cut, terminated", strlen(out) < sizeof(out));
	}
	return T_DONE();
}
