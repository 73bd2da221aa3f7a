/*
 * signin.h - the two sign-in routes:
 *   GET /api/auth/workos/login     302 to WorkOS AuthKit, with a state and
 *                                  a PKCE verifier in a signed cookie
 *   GET /api/auth/workos/callback  checks the state, exchanges the code,
 *                                  records the user, answers the suite's JWT
 */
#ifndef SIGNIN_H
#define SIGNIN_H

#include "req.h"

/* srv_def hooks: the WorkOS client and the cookie key, once per process. */
enum app_err signin_init(struct app *app);
void signin_fini(struct app *app);

void signin_login(struct req *r);
void signin_callback(struct req *r);

#endif
