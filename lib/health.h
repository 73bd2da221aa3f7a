/*
 * health.h - GET /api/health, for load balancers and server checks.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include "req.h"

/*
 * 200 {"status":"ok","database":"up","workosSync":{"lagSeconds":N}}, with
 * "workosSync":null until a WorkOS event was ever applied, or 503 in the
 * error envelope when Postgres is down.  N (whole seconds) counts from
 * the later of the newest applied event's creation at WorkOS and the last
 * time workos-sync read the Events API to its end.
 */
void health_get(struct req *r);

#endif
