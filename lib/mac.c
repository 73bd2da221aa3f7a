#include <string.h>

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>

#include "mac.h"

void
mac_hmac_sha256v(const void *key, size_t keylen, const struct mac_part *parts,
    size_t nparts, unsigned char out[MAC_SHA256_BYTES])
{
	struct hmac_sha256_ctx c;

	hmac_sha256_set_key(&c, keylen, key);
	for (size_t i = 0; i < nparts; i++)
		if (parts[i].n > 0)
			hmac_sha256_update(&c, parts[i].n, parts[i].p);
	hmac_sha256_digest(&c, MAC_SHA256_BYTES, out);
	/*
	 * Nettle leaves the context as it was: the inner and outer states
	 * (enough to compute MACs without the key) and the last block of the
	 * message (a refresh secret, for sstore.c).  OpenSSL's contexts were
	 * cleansed when freed; this one goes the same way.
	 */
	explicit_bzero(&c, sizeof(c));
}

void
mac_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[MAC_SHA256_BYTES])
{
	struct mac_part part = { msg, n };

	mac_hmac_sha256v(key, keylen, &part, 1, out);
}

void
mac_derive_key(const char *password, const char *label, unsigned char out[MAC_SHA256_BYTES])
{
	mac_hmac_sha256(password, strlen(password), label, strlen(label), out);
}

void
mac_sha256(const void *msg, size_t n, unsigned char out[MAC_SHA256_BYTES])
{
	struct sha256_ctx c;

	sha256_init(&c);
	if (n > 0)
		sha256_update(&c, n, msg);
	sha256_digest(&c, MAC_SHA256_BYTES, out);
	/* Its block buffer still holds the message's tail (a secret, for sstore.c). */
	explicit_bzero(&c, sizeof(c));
}

int
mac_equal(const void *a, const void *b, size_t n)
{
	return memeql_sec(a, b, n);
}
