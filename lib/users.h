/*
 * users.h - GET /api/users/me.
 */
#ifndef USERS_H
#define USERS_H

#include "req.h"

/*
 * The current user in Strapi's shape (bare object, no data envelope) plus
 * firstName, lastName, organizationId and the membership role.
 */
void users_me(struct req *r);

#endif
