/*
 * resp.h - writing the one response of a request.
 *
 * Every answer has a valid status line and headers.  Errors use Strapi's
 * envelope {"data":null,"error":{"status","name","message","details"}}.
 * A request is answered once; later calls are ignored (and logged), so a
 * handler can never emit two responses.
 */
#ifndef RESP_H
#define RESP_H

#include "app.h"
#include "req.h"

/* Add a header to the response to come; CR, LF and NUL are refused. */
void resp_header(struct req *r, const char *name, const char *value);

/* Send status with a body of len bytes (HEAD sends the headers only). */
void resp_send(struct req *r, int status, const char *content_type,
    const char *body, size_t len);

/*
 * A response too large to build at once: headers now (no Content-Length;
 * the web server frames the body), then the body in pieces.  A streamed
 * response cannot turn into an error any more: check before beginning.
 */
void resp_stream_begin(struct req *r, int status, const char *content_type);
void resp_stream_write(struct req *r, const char *p, size_t n);

/* Send a JSON body with status. */
void resp_json(struct req *r, int status, const struct sbuf *body);

/* 204, or any status without a body. */
void resp_empty(struct req *r, int status);

/*
 * The error envelope.  details_json is a JSON object's text, or NULL for
 * {}.  message is escaped.
 */
void resp_error(struct req *r, int status, const char *name,
    const char *message, const char *details_json);

/* The envelope that fits an app_err (APP_EDB -> 503, APP_ENOMEM -> 500...). */
void resp_fail(struct req *r, enum app_err e);

/* Reason phrase of a status code. */
const char *resp_reason(int status);

#endif
