/*
 * webhook.h - POST /api/webhooks/workos: WorkOS's signed event deliveries
 * (spec/workos-api.md section 8), applied with wapply.h.
 *
 * The signature is checked before any JSON is parsed; nothing about a
 * refused delivery is logged but the reason (never the body, the header or
 * the secret).  No WorkOS call is made: the answer depends on Postgres only.
 *   200  {"data":{"id","event","result"}}: applied, duplicate, stale,
 *        unknown or ignored (every result WorkOS must not retry)
 *   401  missing, malformed, stale, future or wrong signature
 *   400  body not JSON, wrong shape or types; 413 over 1 MiB
 *   503  the database failed: nothing applied, WorkOS retries later
 */
#ifndef WEBHOOK_H
#define WEBHOOK_H

#include "req.h"

void webhook_workos(struct req *r);

#endif
