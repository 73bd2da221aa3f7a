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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A request's body and answer for targets that only parse its head. */
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

#endif
