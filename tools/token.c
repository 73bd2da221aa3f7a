/*
 * token - print one of the suite's JWTs, for development and tests.
 *
 *   token --email dev@example.com [--create] [--org org_x [--role admin]]
 *         [--expires-in 1h]
 *   token --id 42 [--org org_x] [--expires-in -60s]
 *
 * With --email the user is looked up in DATABASE_URL (and, with --create,
 * made as a confirmed local user of the authenticated role when missing).
 * With --role too, the organization and the user's active membership with
 * that organization role are made (or the role updated), so the token may
 * do what the role may (e.g. write the organization's blog posts).
 * With --id no database is needed.  JWT_SECRET signs the token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "cfg.h"
#include "db.h"
#include "jwt.h"
#include "log.h"
#include "rnd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: token (--email EMAIL [--create] | --id ID)\n"
	    "             [--org ORG_ID [--role ROLE]] [--expires-in DURATION]\n"
	    "\n"
	    "Print a JWT of the suite (HS256, signed with JWT_SECRET) for a user.\n"
	    "  --email EMAIL     the user with that e-mail in DATABASE_URL\n"
	    "  --create          make that user (confirmed, authenticated role) if missing\n"
	    "  --id ID           a user id, without looking at the database\n"
	    "  --org ORG_ID      the organizationId claim (default: none)\n"
	    "  --role ROLE       with --email and --org: make the organization and an\n"
	    "                    active membership of the user with this role (e.g.\n"
	    "                    admin, member) in DATABASE_URL\n"
	    "  --expires-in D    lifetime such as 30d, 1h, 900s; a leading '-' makes\n"
	    "                    an already expired token (default: JWT_EXPIRES_IN)\n");
}

static struct db_stmt q_find = DB_STMT("token_find",
    "SELECT id FROM users WHERE email = lower($1)");
static struct db_stmt q_create = DB_STMT("token_create",
    "INSERT INTO users (document_id, username, email, provider, confirmed, role_id)"
    /* sql/0005: every path that creates users takes a free username so. */
    " SELECT $2, users_free_username(split_part(lower($1), '@', 1)),"
    " lower($1), 'local', true, id"
    " FROM roles WHERE type = 'authenticated'"
    " ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id");
static struct db_stmt q_org = DB_STMT("token_org",
    "INSERT INTO organizations (id, name) VALUES ($1, $1) ON CONFLICT (id) DO NOTHING");
static struct db_stmt q_member = DB_STMT("token_member",
    "INSERT INTO memberships (user_id, organization_id, role_slug, status)"
    " VALUES ($1::bigint, $2, $3, 'active') ON CONFLICT (user_id, organization_id)"
    " DO UPDATE SET role_slug = EXCLUDED.role_slug, status = 'active', updated_at = now()");

int
main(int argc, char **argv)
{
	const char *email = NULL, *org = NULL, *role = NULL, *exp = NULL;
	long long id = 0, life;
	int create = 0;
	struct cfg cfg;
	struct jwt_claims c;
	struct arena a;
	char err[512], *tok;
	int rc = 1;

	log_init("token");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--email") == 0 && i + 1 < argc)
			email = argv[++i];
		else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			id = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--org") == 0 && i + 1 < argc)
			org = argv[++i];
		else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
			role = argv[++i];
		else if (strcmp(argv[i], "--expires-in") == 0 && i + 1 < argc)
			exp = argv[++i];
		else if (strcmp(argv[i], "--create") == 0)
			create = 1;
		else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 1;
		}
	}
	if ((email == NULL) == (id <= 0)) {
		usage(stderr);
		return 1;
	}
	if (role != NULL && (email == NULL || org == NULL || role[0] == '\0')) {
		fprintf(stderr, "token: --role needs --email and --org\n");
		return 1;
	}
	if (cfg_load(&cfg, CFG_NEED_DB, err, sizeof(err)) != APP_OK) {
		fprintf(stderr, "token: %s\n", err);
		return 1;
	}
	life = cfg.jwt_expires_in;
	if (exp != NULL) {
		long long ms;
		int neg = exp[0] == '-';

		if (cfg_parse_duration_ms(exp + neg, &ms) != 0) {
			fprintf(stderr, "token: --expires-in: not a duration: \"%s\"\n", exp);
			return 1;
		}
		life = (neg ? -ms : ms) / 1000;
	}
	if (org != NULL && strlen(org) > JWT_ORG_MAX) {
		fprintf(stderr, "token: --org: longer than %d bytes\n", JWT_ORG_MAX);
		return 1;
	}
	arena_init(&a, 8192);
	if (email != NULL) {
		struct db db;
		PGresult *res;
		char did[RND_DOCUMENT_ID_LEN + 1];
		const char *p[] = { email, did };
		enum app_err e;

		db_init(&db, cfg.database_url, "token");
		db_request_start(&db);
		e = db_exec(&db, &a, &q_find, 1, p, &res, NULL);
		if (e == APP_OK && PQntuples(res) == 0 && create) {
			if (rnd_document_id(did) != APP_OK)
				e = APP_EINTERNAL;
			else
				e = db_exec(&db, &a, &q_create, 2, p, &res, NULL);
		}
		if (e == APP_OK && role != NULL && PQntuples(res) == 1) {
			const char *op[] = { org };
			const char *mp[] = { PQgetvalue(res, 0, 0), org, role };
			PGresult *r2;

			e = db_exec(&db, &a, &q_org, 1, op, &r2, NULL);
			if (e == APP_OK)
				e = db_exec(&db, &a, &q_member, 3, mp, &r2, NULL);
		}
		db_close(&db);
		if (e != APP_OK) {
			fprintf(stderr, "token: could not look up \"%s\": %s\n", email,
			    app_strerror(e));
			goto end;
		}
		if (PQntuples(res) != 1) {
			fprintf(stderr, "token: no user with e-mail \"%s\" (use --create)\n",
			    email);
			goto end;
		}
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	memset(&c, 0, sizeof(c));
	c.id = id;
	if (org != NULL)
		snprintf(c.org, sizeof(c.org), "%s", org);
	c.iat = (long long)time(NULL);
	c.exp = c.iat + life;
	if (jwt_sign(&a, (const unsigned char *)cfg.jwt_secret, cfg.jwt_secret_len,
	    &c, &tok) != APP_OK) {
		fprintf(stderr, "token: could not sign the token\n");
		goto end;
	}
	printf("%s\n", tok);
	rc = 0;
end:
	arena_free(&a);
	return rc;
}
