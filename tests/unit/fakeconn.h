/*
 * fakeconn.h - a connection (struct conn of req.h) whose parameters,
 * input and output live in memory, for the unit tests that drive requests.
 * Input is handed out 7 bytes at a time so readers must loop; `fail`
 * makes every read an error; output and log lines are captured.
 */
#ifndef FAKECONN_H
#define FAKECONN_H

#include <stdio.h>
#include <string.h>

#include "req.h"

struct fake {
	char store[16][512];
	char *envp[17];
	const char *in;
	size_t inlen, inpos;
	int reads;
	int fail;
	char out[65536];
	size_t outlen;
	char log[8192];
	size_t loglen;
};

static void
fake_env(struct fake *f, const char *const *vars)
{
	size_t i;

	for (i = 0; i < 16 && vars[i] != NULL; i++) {
		snprintf(f->store[i], sizeof(f->store[i]), "%s", vars[i]);
		f->envp[i] = f->store[i];
	}
	f->envp[i] = NULL;
}

static int
fake_read(void *ctx, char *buf, int n)
{
	struct fake *f = ctx;
	size_t left = f->inlen - f->inpos, k;

	f->reads++;
	if (f->fail)
		return -1;
	if (n <= 0)
		return 0;
	k = (size_t)n;
	if (k > 7)
		k = 7;
	if (k > left)
		k = left;
	memcpy(buf, f->in + f->inpos, k);
	f->inpos += k;
	return (int)k;
}

static int
fake_write(void *ctx, const char *buf, int n)
{
	struct fake *f = ctx;

	if ((size_t)n > sizeof(f->out) - 1 - f->outlen)
		return -1;
	memcpy(f->out + f->outlen, buf, (size_t)n);
	f->outlen += (size_t)n;
	f->out[f->outlen] = '\0';
	return n;
}

static void
fake_log(void *ctx, const char *line, size_t len)
{
	struct fake *f = ctx;

	if (len > sizeof(f->log) - 1 - f->loglen)
		len = sizeof(f->log) - 1 - f->loglen;
	memcpy(f->log + f->loglen, line, len);
	f->loglen += len;
	f->log[f->loglen] = '\0';
}

#endif
