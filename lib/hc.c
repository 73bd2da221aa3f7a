#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "hc.h"
#include "log.h"

struct hc {
	CURL *curl;             /* NULL until the first call */
	void (*close)(struct hc *);
	const struct cfg *cfg;
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * libcurl is set up at the first call, not here: a program that never
 * calls WorkOS (the login redirect builds a URL and no more) then never
 * initialises libcurl, nor the OpenSSL it initialises, about 2 MiB of
 * each worker's memory.  And only hc_call reaches libcurl's functions
 * (hc_free through h->close, set there), so a program whose routes never
 * call WorkOS is linked without libcurl at all (--gc-sections drops
 * what no route reaches, and --as-needed the library no code calls).
 */
struct hc *
hc_new(const struct cfg *cfg)
{
	struct hc *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->cfg = cfg;
	return h;
}

void
hc_free(struct hc *h)
{
	if (h == NULL)
		return;
	if (h->close != NULL)
		h->close(h);
	free(h);
}

/* Counted: each close undoes one curl_global_init. */
static void
curl_close(struct hc *h)
{
	curl_easy_cleanup(h->curl);
	curl_global_cleanup();
	h->curl = NULL;
	h->close = NULL;
}

static enum app_err
curl_open(struct hc *h)
{
	if (h->curl != NULL)
		return APP_OK;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_msg(LOG_ERR, "could not initialise libcurl");
		return APP_EINTERNAL;
	}
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		log_msg(LOG_ERR, "could not create the HTTP client");
		curl_global_cleanup();
		return APP_EINTERNAL;
	}
	h->close = curl_close;
	return APP_OK;
}

struct sink {
	struct hc_resp *out;
	int overflow;
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;

	if (len > HC_MAX_BODY || s->out->body.len + len > HC_MAX_BODY) {
		s->overflow = 1;
		return 0; /* a short count aborts the transfer */
	}
	sbuf_putn(&s->out->body, p, len);
	return sbuf_err(&s->out->body) == APP_OK ? len : 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t len = size * n;
	static const char name[] = "x-request-id:";
	static const char ra[] = "retry-after:";

	if (len > sizeof(ra) - 1 && strncasecmp(p, ra, sizeof(ra) - 1) == 0) {
		long v = 0;
		size_t i = sizeof(ra) - 1, digits = 0;

		while (i < len && (p[i] == ' ' || p[i] == '\t'))
			i++;
		for (; i < len && p[i] >= '0' && p[i] <= '9' && digits < 9; i++, digits++)
			v = v * 10 + (p[i] - '0');
		while (i < len && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'))
			i++;
		/* Only the delta-seconds form; an HTTP date counts as absent. */
		s->out->retry_after = digits > 0 && i == len ? v : -1;
	}
	if (len > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		const char *v = p + sizeof(name) - 1;
		size_t vl = len - (sizeof(name) - 1);

		while (vl > 0 && (*v == ' ' || *v == '\t'))
			v++, vl--;
		while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
			vl--;
		if (vl >= sizeof(s->out->request_id))
			vl = sizeof(s->out->request_id) - 1;
		for (size_t i = 0; i < vl; i++) /* it goes to logs: printable only */
			s->out->request_id[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
		s->out->request_id[vl] = '\0';
	}
	return len;
}

enum app_err
hc_call(struct hc *h, struct arena *a, const char *url, const char *bearer,
    const char *json, struct hc_resp *out)
{
	struct curl_slist *hdrs = NULL, *t;
	struct sink s = { out, 0 };
	struct sbuf auth;
	CURLcode rc;
	long ms = h->cfg->workos_timeout_ms;
	enum app_err e = APP_OK;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	sbuf_init(&out->body, a, HC_MAX_BODY);
	if ((e = curl_open(h)) != APP_OK)
		return e;
	CURL *c = h->curl;

	curl_easy_reset(c);
	h->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms / 2 > 0 ? ms / 2 : 1);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
	    h->cfg->workos_loopback ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HC_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &s);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "workos-strapi-c/1");

	t = curl_slist_append(hdrs, "Accept: application/json");
	if (t != NULL)
		hdrs = t;
	if (bearer != NULL) {
		sbuf_init(&auth, a, 4096);
		sbuf_printf(&auth, "Authorization: Bearer %s", bearer);
		if (sbuf_err(&auth) != APP_OK ||
		    (t = curl_slist_append(hdrs, auth.data)) == NULL) {
			curl_slist_free_all(hdrs);
			return APP_ENOMEM;
		}
		hdrs = t;
	}
	if (json != NULL) {
		/*
		 * A fresh connection: on a reused one that dies, libcurl
		 * silently sends the request again, and a code exchange must
		 * never reach WorkOS twice.
		 */
		curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
		t = curl_slist_append(hdrs, "Content-Type: application/json");
		if (t != NULL)
			hdrs = t;
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(c);
	/* The header list holds the API key: drop it from the handle now. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hdrs);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		log_msg(LOG_ERR, "WorkOS did not answer within %lld ms", (long long)ms);
		e = APP_ETIMEOUT;
	} else if (s.overflow || rc == CURLE_FILESIZE_EXCEEDED) {
		log_msg(LOG_ERR, "WorkOS answer larger than %d bytes refused", HC_MAX_BODY);
		e = APP_EUPSTREAM;
	} else {
		log_msg(LOG_ERR, "could not reach WorkOS: %s",
		    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		e = APP_EUPSTREAM;
	}
	return e;
}

char *
hc_escape(struct arena *a, const char *s)
{
	static const char hx[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *e, *p;

	if (n > (SIZE_MAX - 1) / 3 || (e = arena_alloc(a, 3 * n + 1)) == NULL)
		return NULL;
	p = e;
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hx[c >> 4];
			*p++ = hx[c & 15];
		}
	}
	*p = '\0';
	return e;
}
