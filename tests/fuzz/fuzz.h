/*
 * fuzz.h - the fuzz targets' shared entry point.  Each fuzz_<name>.c
 * defines LLVMFuzzerTestOneInput; built with clang -fsanitize=fuzzer it
 * is a libFuzzer target (make fuzz), built with replay.c it replays a seed
 * corpus inside make test.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A connection whose head is envp, for targets that only parse a request's
 * head: no body to read, an answer that goes nowhere.
 */
static inline int
fuzz_no_read(void *ctx, char *buf, int n)
{
	(void)ctx, (void)buf, (void)n;
	return 0;
}

static inline int
fuzz_no_write(void *ctx, const char *buf, int n)
{
	(void)ctx, (void)buf;
	return n;
}

static inline struct conn
fuzz_head_only(char **envp)
{
	return (struct conn){ envp, fuzz_no_read, fuzz_no_write, NULL, NULL };
}

#endif
