#include <string.h>

#include <openssl/evp.h>

#include "aead.h"
#include "b64.h"
#include "mac.h"
#include "rnd.h"

#define NONCE 12
#define TAG 16

void
aead_key_derive(struct aead_key *key, const char *password, const char *label)
{
	mac_derive_key(password, label, key->k);
}

char *
aead_seal(struct arena *a, const struct aead_key *key, const char *aad,
    const void *plain, size_t n)
{
	unsigned char buf[NONCE + AEAD_MAX_PLAIN + TAG];
	EVP_CIPHER_CTX *ctx;
	char *out = NULL;
	int len = 0, fin = 0;

	if (n > AEAD_MAX_PLAIN || rnd_bytes(buf, NONCE) != APP_OK)
		return NULL;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return NULL;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->k, buf) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(ctx, buf + NONCE, &len, plain, (int)n) != 1 ||
	    EVP_EncryptFinal_ex(ctx, buf + NONCE + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG,
	    buf + NONCE + len + fin) != 1)
		goto end;
	n = NONCE + (size_t)len + (size_t)fin + TAG;
	out = arena_alloc(a, B64URL_LEN(n) + 1);
	if (out != NULL)
		b64url_encode(out, buf, n);
end:
	EVP_CIPHER_CTX_free(ctx);
	return out;
}

enum app_err
aead_open(struct arena *a, const struct aead_key *key, const char *aad,
    const char *sealed, char **plain, size_t *n)
{
	unsigned char buf[B64URL_DEC_MAX(B64URL_LEN(NONCE + AEAD_MAX_PLAIN + TAG))];
	EVP_CIPHER_CTX *ctx;
	enum app_err e = APP_EAUTH;
	size_t slen = strlen(sealed);
	long got;
	int len = 0, fin = 0;
	char *out;

	*plain = NULL;
	*n = 0;
	if (slen > B64URL_LEN(NONCE + AEAD_MAX_PLAIN + TAG))
		return APP_EAUTH;
	got = b64url_decode(buf, sealed, slen);
	if (got < NONCE + TAG)
		return APP_EAUTH;
	out = arena_alloc(a, (size_t)got - NONCE - TAG + 1);
	if (out == NULL)
		return APP_ENOMEM;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return APP_ENOMEM;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key->k, buf) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)out, &len, buf + NONCE,
	    (int)(got - NONCE - TAG)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG,
	    buf + got - TAG) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)out + len, &fin) != 1)
		goto end;
	out[len + fin] = '\0';
	*plain = out;
	*n = (size_t)(len + fin);
	e = APP_OK;
end:
	EVP_CIPHER_CTX_free(ctx);
	return e;
}
