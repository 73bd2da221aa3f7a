/*
 * migrate - apply the pending SQL migrations of a directory to DATABASE_URL.
 *
 * Each file NNNN_name.sql runs once, inside a transaction together with the
 * row that records it, so a failed migration leaves nothing behind and
 * running the command again changes nothing.  An advisory lock makes two
 * concurrent runs take turns.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#define LOCK_KEY "4702119"   /* any constant shared by every migrate run */
#define MAX_FILES 1000
#define MAX_SQL (16 * 1024 * 1024)

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: migrate [--dir DIR] [--status]\n"
	    "\n"
	    "Apply the pending migrations in DIR (default: sql) to the database\n"
	    "named by the DATABASE_URL environment variable (a libpq connection\n"
	    "string or postgresql:// URI).\n"
	    "\n"
	    "Files are named NNNN_description.sql and applied in name order.  Each\n"
	    "runs once, in a transaction with the row in schema_migrations that\n"
	    "records it; a file that fails is rolled back and stops the run.\n"
	    "\n"
	    "  --dir DIR   where the .sql files are\n"
	    "  --status    list the migrations and whether each is applied\n"
	    "  --help      this text\n"
	    "\n"
	    "Exit status: 0 when the database is up to date, 1 on any error.\n");
}

static int
is_migration(const char *n)
{
	size_t l = strlen(n);

	return l > 4 && n[0] >= '0' && n[0] <= '9' && strcmp(n + l - 4, ".sql") == 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = malloc(MAX_SQL + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MAX_SQL + 1, f);
	if (ferror(f) || n > MAX_SQL) {
		fclose(f);
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
sha256_hex(const char *buf, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(buf, n, md, &mdlen, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int
ok(PGconn *c, PGresult *r, ExecStatusType want, const char *what)
{
	if (r != NULL && PQresultStatus(r) == want)
		return 1;
	fprintf(stderr, "migrate: could not %s: %s", what,
	    r ? PQresultErrorMessage(r) : PQerrorMessage(c));
	return 0;
}

static int
run_simple(PGconn *c, const char *sql, const char *what)
{
	PGresult *r = PQexec(c, sql);
	int good = ok(c, r, PGRES_COMMAND_OK, what);

	PQclear(r);
	return good;
}

int
main(int argc, char **argv)
{
	const char *dir = "sql", *url = getenv("DATABASE_URL");
	int status_only = 0, applied = 0, skipped = 0, rc = 1;
	char *files[MAX_FILES];
	size_t nfiles = 0;
	PGconn *c = NULL;
	DIR *d;
	struct dirent *de;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--status") == 0)
			status_only = 1;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "migrate: unknown argument \"%s\"\n", argv[i]);
			usage(stderr);
			return 1;
		}
	}
	if (url == NULL || *url == '\0') {
		fprintf(stderr, "migrate: DATABASE_URL: is required but not set\n");
		return 1;
	}
	d = opendir(dir);
	if (d == NULL) {
		fprintf(stderr, "migrate: could not open directory \"%s\": %s\n",
		    dir, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL && nfiles < MAX_FILES)
		if (is_migration(de->d_name))
			files[nfiles++] = strdup(de->d_name);
	closedir(d);
	qsort(files, nfiles, sizeof(files[0]), cmp);

	{
		const char *k[] = { "application_name", "dbname", NULL };
		const char *v[] = { "migrate", url, NULL };

		c = PQconnectdbParams(k, v, 1);
	}
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "migrate: could not connect to the database: %s",
		    PQerrorMessage(c));
		goto end;
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	{
		PGresult *r = PQexec(c, "SELECT pg_advisory_lock(" LOCK_KEY ")");
		int good = ok(c, r, PGRES_TUPLES_OK, "take the migration lock");

		PQclear(r);
		if (!good)
			goto end;
	}
	if (!run_simple(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    " version text PRIMARY KEY,"
	    " checksum text NOT NULL,"
	    " applied_at timestamptz NOT NULL DEFAULT now())",
	    "create the schema_migrations table"))
		goto end;

	for (size_t i = 0; i < nfiles; i++) {
		const char *p[2];
		char path[4096], sum[65];
		char *sql;
		size_t len;
		PGresult *r;
		struct timespec t0, t1;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		sql = slurp(path, &len);
		if (sql == NULL) {
			fprintf(stderr, "migrate: could not read \"%s\": %s\n", path,
			    strerror(errno));
			goto end;
		}
		sha256_hex(sql, len, sum);
		p[0] = files[i];
		r = PQexecParams(c, "SELECT checksum FROM schema_migrations WHERE version = $1",
		    1, NULL, p, NULL, NULL, 0);
		if (!ok(c, r, PGRES_TUPLES_OK, "read schema_migrations")) {
			PQclear(r);
			free(sql);
			goto end;
		}
		if (PQntuples(r) == 1) {
			if (strcmp(PQgetvalue(r, 0, 0), sum) != 0)
				fprintf(stderr, "migrate: warning: %s changed after it was "
				    "applied; applied migrations must never be edited\n",
				    files[i]);
			if (status_only)
				printf("applied  %s\n", files[i]);
			skipped++;
			PQclear(r);
			free(sql);
			continue;
		}
		PQclear(r);
		if (status_only) {
			printf("pending  %s\n", files[i]);
			free(sql);
			continue;
		}
		printf("applying %s ... ", files[i]);
		fflush(stdout);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (!run_simple(c, "BEGIN", "begin a transaction")) {
			free(sql);
			goto end;
		}
		r = PQexec(c, sql);
		free(sql);
		if (!(r != NULL && PQresultStatus(r) == PGRES_TUPLES_OK) &&
		    !ok(c, r, PGRES_COMMAND_OK, files[i])) {
			PQclear(r);
			printf("failed\n");
			run_simple(c, "ROLLBACK", "roll back");
			goto end;
		}
		PQclear(r);
		p[1] = sum;
		r = PQexecParams(c, "INSERT INTO schema_migrations (version, checksum)"
		    " VALUES ($1, $2)", 2, NULL, p, NULL, NULL, 0);
		if (!ok(c, r, PGRES_COMMAND_OK, "record the migration")) {
			PQclear(r);
			run_simple(c, "ROLLBACK", "roll back");
			goto end;
		}
		PQclear(r);
		if (!run_simple(c, "COMMIT", "commit")) {
			printf("failed\n");
			goto end;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("ok (%ld ms)\n", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000));
		applied++;
	}
	if (!status_only)
		printf("database is up to date: %d applied now, %d already applied\n",
		    applied, skipped);
	rc = 0;
end:
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	PQfinish(c);
	return rc;
}
