/*
 * t.h - the unit tests' few checks.  Each check prints "ok - name" or
 * "not ok - name: details"; tests/run.sh counts the lines.  A test binary
 * exits 1 if any check failed.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

static int t_failed;

#define T_OK(name, cond) do {                                          \
	if (cond)                                                      \
		printf("ok - %s\n", (name));                           \
	else {                                                         \
		printf("not ok - %s: %s (%s:%d)\n", (name), #cond,     \
		    __FILE__, __LINE__);                               \
		t_failed = 1;                                          \
	}                                                              \
} while (0)

#define T_STREQ(name, got, want) do {                                  \
	const char *t_g = (got), *t_w = (want);                        \
	if (t_g != NULL && t_w != NULL && strcmp(t_g, t_w) == 0)       \
		printf("ok - %s\n", (name));                           \
	else {                                                         \
		printf("not ok - %s: got \"%s\", want \"%s\" (%s:%d)\n", \
		    (name), t_g ? t_g : "(null)", t_w ? t_w : "(null)", \
		    __FILE__, __LINE__);                               \
		t_failed = 1;                                          \
	}                                                              \
} while (0)

#define T_INT(name, got, want) do {                                    \
	long long t_g = (long long)(got), t_w = (long long)(want);     \
	if (t_g == t_w)                                                \
		printf("ok - %s\n", (name));                           \
	else {                                                         \
		printf("not ok - %s: got %lld, want %lld (%s:%d)\n",   \
		    (name), t_g, t_w, __FILE__, __LINE__);             \
		t_failed = 1;                                          \
	}                                                              \
} while (0)

#define T_DONE() (fflush(stdout), t_failed)

#endif
