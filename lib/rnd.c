#include <openssl/rand.h>

#include "b64.h"
#include "log.h"
#include "rnd.h"

enum app_err
rnd_bytes(void *buf, size_t n)
{
	if (n > 0x7fffffff || RAND_bytes(buf, (int)n) != 1) {
		log_msg(LOG_ERR, "could not draw random bytes");
		return APP_EINTERNAL;
	}
	return APP_OK;
}

/* Uniform in [0, range) by rejection, so no value is favoured. */
static enum app_err
pick(unsigned range, unsigned *out)
{
	unsigned limit = 256 - 256 % range;
	unsigned char b;

	do {
		if (rnd_bytes(&b, 1) != APP_OK)
			return APP_EINTERNAL;
	} while (b >= limit);
	*out = b % range;
	return APP_OK;
}

enum app_err
rnd_document_id(char *dst)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned v;

	if (pick(26, &v) != APP_OK)
		return APP_EINTERNAL;
	dst[0] = chars[v];
	for (int i = 1; i < RND_DOCUMENT_ID_LEN; i++) {
		if (pick(36, &v) != APP_OK)
			return APP_EINTERNAL;
		dst[i] = chars[v];
	}
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
