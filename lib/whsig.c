#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mac.h"
#include "whsig.h"

static int
is_sp(char c)
{
	return c == ' ' || c == '\t';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum app_err
whsig_parse(const char *h, size_t n, struct whsig *out, const char **why)
{
	size_t i = 0;
	int nt = 0;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (h == NULL || n == 0) {
		*why = "missing WorkOS-Signature header";
		return APP_EAUTH;
	}
	if (n > WHSIG_HEADER_MAX) {
		*why = "malformed WorkOS-Signature header: too long";
		return APP_EAUTH;
	}
	while (i < n) {
		size_t s = i, e;

		while (i < n && h[i] != ',')
			i++;
		e = i;
		if (i < n)
			i++; /* the comma */
		while (s < e && is_sp(h[s]))
			s++;
		while (e > s && is_sp(h[e - 1]))
			e--;
		if (e - s >= 2 && (h[s] == 't' || h[s] == 'T') && h[s + 1] == '=') {
			const char *v = h + s + 2;
			size_t vl = e - s - 2;
			long long ms = 0;

			if (++nt > 1) {
				*why = "malformed WorkOS-Signature header: more than one t";
				return APP_EAUTH;
			}
			if (vl == 0 || vl > 16) {
				*why = "malformed WorkOS-Signature header: t is not a time in milliseconds";
				return APP_EAUTH;
			}
			for (size_t k = 0; k < vl; k++) {
				if (v[k] < '0' || v[k] > '9') {
					*why = "malformed WorkOS-Signature header: t is not a time in milliseconds";
					return APP_EAUTH;
				}
				ms = ms * 10 + (v[k] - '0');
			}
			out->t = v;
			out->tlen = vl;
			out->t_ms = ms;
		} else if (e - s >= 3 && (h[s] == 'v' || h[s] == 'V') && h[s + 1] == '1' &&
		    h[s + 2] == '=') {
			const char *v = h + s + 3;
			size_t vl = e - s - 3;
			int ok = vl == 64;

			for (size_t k = 0; ok && k < vl; k++)
				ok = hexval(v[k]) >= 0;
			/* A v1 of another shape cannot match: skip it, as the SDKs do. */
			if (ok && out->nv1 < WHSIG_MAX_V1)
				out->v1[out->nv1++] = v;
		}
	}
	if (nt == 0) {
		*why = "malformed WorkOS-Signature header: no t";
		return APP_EAUTH;
	}
	if (out->nv1 == 0) {
		*why = "malformed WorkOS-Signature header: no v1 of 64 hex digits";
		return APP_EAUTH;
	}
	return APP_OK;
}

/* HMAC-SHA256 over "<t>.<body>", in parts, so the body (up to 1 MiB) is never copied. */
static void
sig_mac(const char *t, size_t tlen, const char *body, size_t len,
    const char *secret, size_t secretlen, unsigned char out[32])
{
	const struct mac_part parts[] = { { t, tlen }, { ".", 1 }, { body, len } };

	mac_hmac_sha256v(secret, secretlen, parts, 3, out);
}

enum app_err
whsig_verify(const char *h, const char *body, size_t len, const char *secret,
    size_t secretlen, long long now_ms, const char **why)
{
	struct whsig s;
	unsigned char want[32];
	long long d;
	int match = 0;

	if (whsig_parse(h, h != NULL ? strlen(h) : 0, &s, why) != APP_OK)
		return APP_EAUTH;
	/* The time first: an old signature is refused before any MAC work. */
	d = now_ms - s.t_ms;
	if (d > WHSIG_TOLERANCE_MS) {
		*why = "stale WorkOS-Signature: t is more than 180 s in the past";
		return APP_EAUTH;
	}
	if (d < -WHSIG_TOLERANCE_MS) {
		*why = "WorkOS-Signature from the future: t is more than 180 s ahead";
		return APP_EAUTH;
	}
	sig_mac(s.t, s.tlen, body, len, secret, secretlen, want);
	for (size_t i = 0; i < s.nv1; i++) {
		unsigned char got[32];

		for (size_t k = 0; k < 32; k++)
			got[k] = (unsigned char)(hexval(s.v1[i][2 * k]) << 4 |
			    hexval(s.v1[i][2 * k + 1]));
		/* Every value is compared, so the time taken says nothing. */
		match |= mac_equal(got, want, 32);
	}
	explicit_bzero(want, sizeof(want));
	if (!match) {
		*why = "WorkOS-Signature does not match the body";
		return APP_EAUTH;
	}
	return APP_OK;
}

void
whsig_sign(const char *body, size_t len, const char *secret, size_t secretlen,
    long long t_ms, char *out, size_t outsz)
{
	static const char hx[] = "0123456789abcdef";
	char t[24], hex[65];
	unsigned char m[32];
	int tl = snprintf(t, sizeof(t), "%lld", t_ms);

	if (outsz == 0)
		return;
	out[0] = '\0';
	if (tl <= 0)
		return;
	sig_mac(t, (size_t)tl, body, len, secret, secretlen, m);
	for (size_t i = 0; i < 32; i++) {
		hex[2 * i] = hx[m[i] >> 4];
		hex[2 * i + 1] = hx[m[i] & 15];
	}
	hex[64] = '\0';
	snprintf(out, outsz, "t=%s, v1=%s", t, hex);
}
