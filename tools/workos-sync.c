/*
 * workos-sync - keep users, organizations, memberships and sessions in
 * step with WorkOS by following its Events API (see lib/wsync.h).
 *
 *   workos-sync [--once] [--interval DURATION]
 *
 * Needs DATABASE_URL, WORKOS_API_KEY and optionally WORKOS_API_BASE and
 * WORKOS_TIMEOUT.  SIGTERM or SIGINT: the event being applied is
 * finished, then the program exits 0.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cfg.h"
#include "log.h"
#include "wsync.h"

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: workos-sync [--once] [--interval DURATION]\n"
	    "\n"
	    "Apply the WorkOS Events API to the suite's database, from the cursor it\n"
	    "keeps there, as the webhook route applies deliveries.\n"
	    "  --once           read to the end of the events, then exit (0, or 1 on\n"
	    "                   failure): for cron and tests\n"
	    "  --interval D     time between reads when following, e.g. 30s, 2m\n"
	    "                   (default 30s)\n"
	    "Environment: DATABASE_URL, WORKOS_API_KEY, WORKOS_API_BASE, WORKOS_TIMEOUT.\n");
}

int
main(int argc, char **argv)
{
	struct wsync_opts o = { false, 30000 };
	struct sigaction sa;
	struct cfg cfg;
	char err[512];
	int rc;

	log_init("workos-sync");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			o.once = true;
		} else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
			if (cfg_parse_duration_ms(argv[++i], &o.interval_ms) != 0 ||
			    o.interval_ms < 100 || o.interval_ms > 24LL * 3600 * 1000) {
				log_msg(LOG_ERR, "--interval: must be a duration from 100ms to 24h, "
				    "such as 30s");
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (cfg_load(&cfg, CFG_NEED_DBURL | CFG_NEED_WORKOS_API, err, sizeof(err)) != APP_OK) {
		log_msg(LOG_ERR, "invalid configuration: %s", err);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_msg(LOG_ERR, "could not initialise libcurl");
		return 1;
	}
	rc = wsync_run(&cfg, &o, &stop);
	curl_global_cleanup();
	return rc;
}
