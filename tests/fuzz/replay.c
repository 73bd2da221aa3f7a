/*
 * replay - run a fuzz target over every file of its seed corpus, so the
 * parsers that see untrusted bytes are exercised (under ASan + UBSan in
 * the sanitizer build) by every make test.
 *
 *   replay NAME DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (f == NULL)
		return -1;
	buf = malloc(1 << 20);
	if (buf == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int count = 0, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: replay NAME DIR...\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		DIR *d = opendir(argv[i]);
		struct dirent *de;

		if (d == NULL) {
			bad++;
			continue;
		}
		while ((de = readdir(d)) != NULL) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (run_file(path) != 0)
				bad++;
			else
				count++;
		}
		closedir(d);
	}
	if (count > 0 && bad == 0)
		printf("ok - fuzz: %s replays its %d seeds\n", argv[1], count);
	else
		printf("not ok - fuzz: %s replays its seeds: %d read, %d unreadable\n",
		    argv[1], count, bad);
	return bad != 0;
}
