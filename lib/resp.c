#include <stdint.h>
#include <string.h>

#include "jw.h"
#include "log.h"
#include "resp.h"

const char *
resp_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	}
	return "Unknown";
}

static bool
header_safe(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return false;
	return true;
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	if (!header_safe(name) || !header_safe(value)) {
		log_msg(LOG_ERR, "refused a header with a line break: \"%s\"", name);
		return;
	}
	sbuf_printf(&r->resp_headers, "%s: %s\r\n", name, value);
}

static void
put_all(struct req *r, const char *p, size_t n)
{
	while (n > 0) {
		int chunk = n > 65536 ? 65536 : (int)n;
		int w = r->conn->write(r->conn->ctx, p, chunk);

		if (w <= 0) {
			log_msg(LOG_INFO, "client went away before the response was written");
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Write the status line and headers; length SIZE_MAX means unknown. */
static void
send_headers(struct req *r, int status, const char *content_type, size_t len);

void
resp_send(struct req *r, int status, const char *content_type,
    const char *body, size_t len)
{
	if (r->responded) {
		log_msg(LOG_ERR, "second response to one request ignored");
		return;
	}
	if (sbuf_err(&r->resp_headers) != APP_OK) {
		body = NULL;
		len = 0;
	}
	send_headers(r, status, content_type, len);
	if (!r->head && body != NULL && len > 0 && r->status == status)
		put_all(r, body, len);
}

void
resp_stream_begin(struct req *r, int status, const char *content_type)
{
	if (r->responded) {
		log_msg(LOG_ERR, "second response to one request ignored");
		return;
	}
	send_headers(r, status, content_type, SIZE_MAX);
}

void
resp_stream_write(struct req *r, const char *p, size_t n)
{
	if (!r->head && n > 0)
		put_all(r, p, n);
}

static void
send_headers(struct req *r, int status, const char *content_type, size_t len)
{
	struct sbuf h;

	r->responded = true;
	if (sbuf_err(&r->resp_headers) != APP_OK) {
		log_msg(LOG_ERR, "response headers too large");
		sbuf_truncate(&r->resp_headers, 0);
		r->resp_headers.err = APP_OK;
		status = 500;
		len = 0;
	}
	r->status = status;
	sbuf_init(&h, r->arena, 64 * 1024);
	sbuf_printf(&h, "Status: %d %s\r\n", status, resp_reason(status));
	if (content_type != NULL)
		sbuf_printf(&h, "Content-Type: %s\r\n", content_type);
	/* Unknown length: the web server frames the body for the client. */
	if (status != 204 && status != 304 && len != SIZE_MAX)
		sbuf_printf(&h, "Content-Length: %zu\r\n", len);
	sbuf_puts(&h, "X-Content-Type-Options: nosniff\r\n");
	sbuf_putn(&h, r->resp_headers.data, r->resp_headers.len);
	sbuf_puts(&h, "\r\n");
	if (sbuf_err(&h) != APP_OK) {
		static const char fallback[] =
		    "Status: 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";

		r->status = 500;
		put_all(r, fallback, sizeof(fallback) - 1);
		return;
	}
	put_all(r, h.data, h.len);
}

void
resp_json(struct req *r, int status, const struct sbuf *body)
{
	if (sbuf_err(body) != APP_OK) {
		log_msg(LOG_ERR, "could not build the response: %s",
		    app_strerror(sbuf_err(body)));
		resp_error(r, 500, "InternalServerError", "Internal Server Error", NULL);
		return;
	}
	resp_send(r, status, "application/json; charset=utf-8", body->data, body->len);
}

void
resp_empty(struct req *r, int status)
{
	resp_send(r, status, NULL, NULL, 0);
}

void
resp_error(struct req *r, int status, const char *name, const char *message,
    const char *details_json)
{
	struct sbuf sb;
	struct jw w;

	sbuf_init(&sb, r->arena, 64 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "data");
	jw_null(&w);
	jw_key(&w, "error");
	jw_obj_open(&w);
	jw_kint(&w, "status", status);
	jw_kstr(&w, "name", name);
	jw_kstr(&w, "message", message);
	jw_key(&w, "details");
	jw_raw(&w, details_json ? details_json : "{}");
	jw_obj_close(&w);
	jw_obj_close(&w);
	if (status >= 500)
		log_msg(LOG_ERR, "answered %d: %s", status, message);
	if (sbuf_err(&sb) != APP_OK) {
		static const char body[] = "{\"data\":null,\"error\":{\"status\":500,"
		    "\"name\":\"InternalServerError\",\"message\":\"Internal Server Error\","
		    "\"details\":{}}}";

		resp_send(r, 500, "application/json; charset=utf-8", body, sizeof(body) - 1);
		return;
	}
	resp_send(r, status, "application/json; charset=utf-8", sb.data, sb.len);
}

void
resp_fail(struct req *r, enum app_err e)
{
	switch (e) {
	case APP_OK:
		resp_error(r, 500, "InternalServerError", "Internal Server Error", NULL);
		return;
	case APP_EINPUT:
		resp_error(r, 400, "ValidationError", "Invalid request", NULL);
		return;
	case APP_EAUTH:
		resp_error(r, 401, "UnauthorizedError", "Missing or invalid credentials", NULL);
		return;
	case APP_EFORBIDDEN:
		resp_error(r, 403, "ForbiddenError", "Forbidden", NULL);
		return;
	case APP_ENOTFOUND:
		resp_error(r, 404, "NotFoundError", "Not Found", NULL);
		return;
	case APP_ETOOBIG:
		resp_error(r, 413, "PayloadTooLargeError", "request entity too large", NULL);
		return;
	case APP_EDB:
		resp_error(r, 503, "ServiceUnavailableError", "Database unavailable", NULL);
		return;
	case APP_EUPSTREAM:
		resp_error(r, 502, "BadGatewayError", "WorkOS answered with an error", NULL);
		return;
	case APP_ETIMEOUT:
		resp_error(r, 504, "GatewayTimeoutError", "WorkOS did not answer in time", NULL);
		return;
	case APP_ECONFLICT:
		resp_error(r, 400, "ValidationError", "This attribute must be unique", NULL);
		return;
	case APP_EBUSY:
		/* The statement was cancelled: a client may try again shortly. */
		resp_header(r, "Retry-After", "1");
		resp_error(r, 503, "ServiceUnavailableError",
		    "The request took too long and was stopped", NULL);
		return;
	case APP_ENOMEM:
	case APP_EINTERNAL:
		break;
	}
	resp_error(r, 500, "InternalServerError", "Internal Server Error", NULL);
}
