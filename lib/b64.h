/*
 * b64.h - base64url without padding (RFC 4648 section 5), as JWTs, PKCE
 * and the suite's cookies use it.
 */
#ifndef B64_H
#define B64_H

#include <stddef.h>

/* Characters b64url_encode() writes for n bytes, without the NUL. */
#define B64URL_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))
/* Upper bound of the bytes b64url_decode() writes for n characters. */
#define B64URL_DEC_MAX(n) (((n) / 4) * 3 + 2)

/* Encode n bytes into dst (B64URL_LEN(n) + 1 bytes), NUL-terminated. */
void b64url_encode(char *dst, const void *src, size_t n);

/*
 * Decode n characters into dst (B64URL_DEC_MAX(n) bytes).  Rejects padding,
 * characters outside the url alphabet, impossible lengths and non-zero
 * trailing bits, so each value has exactly one encoding.  Returns the
 * number of bytes written, or -1.
 */
long b64url_decode(void *dst, const char *src, size_t n);

#endif
