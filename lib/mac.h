/*
 * mac.h - HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256), SHA-256 and a
 * constant-time comparison, computed with Nettle.
 *
 * Why Nettle and not OpenSSL, which the suite also links: OpenSSL 3 sets
 * up its provider machinery the first time a digest is fetched, about
 * 2 MiB of pages in every process.  Every JWT the content program checks
 * needs one HMAC, and nothing else it does needs OpenSSL.  Nettle is
 * already loaded in every program (libpq's GnuTLS uses it), and its HMAC
 * is a plain function call.
 */
#ifndef MAC_H
#define MAC_H

#include <stddef.h>

#define MAC_SHA256_BYTES 32

/* One piece of a message: n bytes at p (p may be NULL when n is 0). */
struct mac_part {
	const void *p;
	size_t n;
};

/*
 * out = HMAC-SHA256(key, the parts concatenated in order).  key is keylen
 * bytes, any length (a key longer than SHA-256's 64-byte block is hashed
 * first, as RFC 2104 says).  Never fails.
 */
void mac_hmac_sha256v(const void *key, size_t keylen, const struct mac_part *parts,
    size_t nparts, unsigned char out[MAC_SHA256_BYTES]);

/* out = HMAC-SHA256(key, the n bytes at msg). */
void mac_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
    unsigned char out[MAC_SHA256_BYTES]);

/*
 * A key of its own for one use, from a password shared by several:
 * out = HMAC-SHA256(password, label), password and label NUL-terminated.
 * Distinct labels give independent keys, so the password never keys
 * anything directly.
 */
void mac_derive_key(const char *password, const char *label,
    unsigned char out[MAC_SHA256_BYTES]);

/* out = SHA-256 of the n bytes at msg. */
void mac_sha256(const void *msg, size_t n, unsigned char out[MAC_SHA256_BYTES]);

/*
 * 1 when the n bytes at a and b are equal, else 0, in time that depends
 * on n only (for comparing a MAC or a hash with one an attacker sent).
 */
int mac_equal(const void *a, const void *b, size_t n);

#endif
