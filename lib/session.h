/*
 * session.h - the session routes of session.fcgi (DESIGN.md, "Sessions").
 */
#ifndef SESSION_H
#define SESSION_H

#include "req.h"

enum app_err session_init(struct app *app);
void session_fini(struct app *app);

void session_refresh(struct req *r);
void session_logout(struct req *r);
void session_switch_org(struct req *r);
void session_list(struct req *r);
void session_delete(struct req *r);

#endif
