/*
 * rnd.h - values drawn from the kernel's CSPRNG (getrandom(2), which
 * blocks only until the pool is first seeded at boot).
 */
#ifndef RND_H
#define RND_H

#include <stddef.h>

#include "app.h"

#define RND_DOCUMENT_ID_LEN 24

/* Fill buf with n random bytes; APP_EINTERNAL if the CSPRNG fails. */
enum app_err rnd_bytes(void *buf, size_t n);

/*
 * Write a Strapi documentId: 24 characters of [a-z0-9], the first a
 * letter, each uniformly drawn.  dst holds RND_DOCUMENT_ID_LEN + 1 bytes.
 */
enum app_err rnd_document_id(char *dst);

/* Write n random bytes as base64url into dst (B64URL_LEN(n) + 1 bytes). */
enum app_err rnd_token(char *dst, size_t n);

#endif
