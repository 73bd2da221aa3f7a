#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "b64.h"
#include "log.h"
#include "rnd.h"

enum app_err
rnd_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			log_msg(LOG_ERR, "could not draw random bytes: %s",
			    got < 0 ? strerror(errno) : "none returned");
			return APP_EINTERNAL;
		}
		p += got;
		n -= (size_t)got;
	}
	return APP_OK;
}

/*
 * Random bytes drawn in batches, so a documentId costs one system call,
 * not one per character.
 */
struct pool {
	unsigned char b[64];
	size_t next;
};

/* Uniform in [0, range) by rejection, so no value is favoured. */
static enum app_err
pick(struct pool *p, unsigned range, unsigned *out)
{
	unsigned limit = 256 - 256 % range;
	unsigned b;

	do {
		if (p->next == sizeof(p->b)) {
			if (rnd_bytes(p->b, sizeof(p->b)) != APP_OK)
				return APP_EINTERNAL;
			p->next = 0;
		}
		b = p->b[p->next++];
	} while (b >= limit);
	*out = b % range;
	return APP_OK;
}

enum app_err
rnd_document_id(char *dst)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct pool p = { .next = sizeof(p.b) };
	unsigned v;

	if (pick(&p, 26, &v) != APP_OK)
		return APP_EINTERNAL;
	dst[0] = chars[v];
	for (int i = 1; i < RND_DOCUMENT_ID_LEN; i++) {
		if (pick(&p, 36, &v) != APP_OK)
			return APP_EINTERNAL;
		dst[i] = chars[v];
	}
	explicit_bzero(p.b, sizeof(p.b));
	dst[RND_DOCUMENT_ID_LEN] = '\0';
	return APP_OK;
}

enum app_err
rnd_token(char *dst, size_t n)
{
	unsigned char buf[128];

	if (n > sizeof(buf) || rnd_bytes(buf, n) != APP_OK)
		return APP_EINTERNAL;
	b64url_encode(dst, buf, n);
	return APP_OK;
}
