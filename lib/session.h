/*
 * session.h - the routes of session.fcgi (DESIGN.md, "Sessions"):
 *
 *   POST   /api/auth/refresh              {"refreshToken"} or the wos_session
 *                                         cookie -> {"jwt","refreshToken"}
 *                                         (cookie: {"jwt"} and a rotated cookie)
 *   POST   /api/auth/logout               this session or {"all": true} ->
 *                                         {"ok": true, "logoutUrl"}; idempotent
 *   POST   /api/auth/switch-organization  {"organizationId"} -> {"jwt"}, or 403
 *                                         (details.loginUrl when WorkOS wants
 *                                         a new sign-in)
 *   GET    /api/auth/sessions             the caller's live sessions
 *   DELETE /api/auth/sessions/:id         end one of them (204; 404 otherwise)
 *
 * A cookie authenticates only requests whose Origin is the API's own or
 * one of APP_ORIGINS (403 otherwise, nothing changed).  Tokens made here
 * live ACCESS_TOKEN_TTL.  The program's init/fini are signin_init/fini.
 */
#ifndef SESSION_H
#define SESSION_H

#include "req.h"

void session_refresh(struct req *r);
void session_logout(struct req *r);
void session_switch_org(struct req *r);
void session_list(struct req *r);
void session_delete(struct req *r);

#endif
