/*
 * aead.h - secrets the suite must keep but never store in clear (the WorkOS
 * refresh token of a session): AES-256-GCM (NIST SP 800-38D) with a
 * random 96-bit nonce per seal and associated data that binds the value
 * to its owner (a session id), so a sealed value copied to another row
 * does not open.
 *
 * Sealed form: base64url(nonce[12] || ciphertext || tag[16]), no padding.
 */
#ifndef AEAD_H
#define AEAD_H

#include <stddef.h>

#include "app.h"
#include "arena.h"

#define AEAD_MAX_PLAIN 4096 /* bytes: more is refused by seal and open */

struct aead_key {
	unsigned char k[32];
};

/*
 * Derive a 256-bit key from a password and a purpose label:
 * HMAC-SHA256(password, label).  Each purpose gets its own label, so one
 * password never keys two things.
 */
void aead_key_derive(struct aead_key *key, const char *password,
    const char *label);

/*
 * Seal n bytes of plain (at most AEAD_MAX_PLAIN) with aad (a NUL-terminated
 * string, may be "").  Returns the sealed text on a, or NULL (no memory,
 * too long, or the CSPRNG failed).
 */
char *aead_seal(struct arena *a, const struct aead_key *key, const char *aad,
    const void *plain, size_t n);

/*
 * Open a sealed text.  On APP_OK *plain (on a, NUL-terminated) and *n hold
 * the value.  APP_EAUTH for anything forged, truncated, tampered, or
 * sealed under another key or aad; APP_ENOMEM.
 */
enum app_err aead_open(struct arena *a, const struct aead_key *key,
    const char *aad, const char *sealed, char **plain, size_t *n);

#endif
