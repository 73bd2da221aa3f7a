#include "auth.h"
#include "jw.h"
#include "resp.h"
#include "users.h"

void
users_me(struct req *r)
{
	const struct auth_user *u;
	struct sbuf sb;
	struct jw w;

	if (auth_require(r, "plugin::users-permissions.user.me") != 0)
		return;
	u = r->user;
	if (u == NULL) { /* the public role was granted user.me: no one to show */
		resp_error(r, 401, "UnauthorizedError", "Unauthorized", NULL);
		return;
	}
	sbuf_init(&sb, r->arena, 64 * 1024);
	jw_init(&w, &sb);
	jw_obj_open(&w);
	jw_key(&w, "id");
	jw_int(&w, u->id);
	jw_key(&w, "documentId");
	jw_str(&w, u->document_id);
	jw_key(&w, "username");
	jw_str(&w, u->username);
	jw_key(&w, "email");
	jw_str(&w, u->email);
	jw_key(&w, "provider");
	jw_str(&w, u->provider);
	jw_key(&w, "confirmed");
	jw_bool(&w, u->confirmed);
	jw_key(&w, "blocked");
	jw_bool(&w, u->blocked);
	jw_key(&w, "createdAt");
	jw_str(&w, u->created_at);
	jw_key(&w, "updatedAt");
	jw_str(&w, u->updated_at);
	jw_key(&w, "firstName");
	jw_str(&w, u->first_name);
	jw_key(&w, "lastName");
	jw_str(&w, u->last_name);
	jw_key(&w, "organizationId");
	jw_str(&w, u->org);
	jw_key(&w, "role");
	jw_str(&w, u->org_role);
	jw_obj_close(&w);
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, &sb);
}
