#include "resp.h"
#include "session.h"

enum app_err
session_init(struct app *app)
{
	(void)app;
	return APP_OK;
}

void
session_fini(struct app *app)
{
	(void)app;
}

static void
not_yet(struct req *r)
{
	resp_error(r, 501, "NotImplementedError", "Not implemented yet", NULL);
}

void session_refresh(struct req *r) { not_yet(r); }
void session_logout(struct req *r) { not_yet(r); }
void session_switch_org(struct req *r) { not_yet(r); }
void session_list(struct req *r) { not_yet(r); }
void session_delete(struct req *r) { not_yet(r); }
