/*
 * session.h - the routes of session.fcgi (DESIGN.md, "Sessions"):
 *
 *   POST   /api/auth/refresh              {"refreshToken"} or the wos_session
 *                                         cookie -> {"jwt","refreshToken"}
 *                                         (cookie: {"jwt"} and a rotated cookie)
 *   POST   /api/auth/logout               this session or {"all": true} ->
 *                                         {"ok": true, "logoutUrl"}; idempotent;
 *                                         "all" ends every session here and
 *                                         at most SESSION_REVOKE_AT_WORKOS
 *                                         others at WorkOS
 *   POST   /api/auth/switch-organization  {"organizationId"} -> {"jwt"}, or 403
 *                                         (details.loginUrl when WorkOS wants
 *                                         a new sign-in)
 *   GET    /api/auth/sessions             the caller's live sessions, the
 *                                         SESSION_LIST_MAX most recently used
 *   DELETE /api/auth/sessions/:id         end one of them (204; 404 otherwise)
 *
 * A cookie authenticates only requests whose Origin is the API's own or
 * one of APP_ORIGINS (403 otherwise, nothing changed).  Tokens made here
 * live ACCESS_TOKEN_TTL.  The program's init/fini are signin_init/fini.
 */
#ifndef SESSION_H
#define SESSION_H

#include "req.h"

/* Live sessions GET /api/auth/sessions lists: the most recently used. */
#define SESSION_LIST_MAX 100
/*
 * WorkOS sessions a logout of every session revokes at WorkOS in one
 * request (each call may take WORKOS_TIMEOUT; a timeout stops them): the
 * most recently used; every session ends here whatever their number.
 */
#define SESSION_REVOKE_AT_WORKOS 10

void session_refresh(struct req *r);
void session_logout(struct req *r);
void session_switch_org(struct req *r);
void session_list(struct req *r);
void session_delete(struct req *r);

#endif
