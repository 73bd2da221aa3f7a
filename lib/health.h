/*
 * health.h - GET /api/health, for load balancers and server checks.
 */
#ifndef HEALTH_H
#define HEALTH_H

#include "req.h"

/* 200 {"status":"ok","database":"up"}, or 503 in the error envelope. */
void health_get(struct req *r);

#endif
