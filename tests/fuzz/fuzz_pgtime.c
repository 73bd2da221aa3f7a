/* Postgres's timestamptz text, rearranged into the wire form by hand. */
#include <stdlib.h>
#include <string.h>

#include "dt.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[DT_TEXT_MAX];
	/* Exactly size + 1 bytes: a read past the NUL is an overflow. */
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	dt_from_pg(s, out);
	free(s);
	return 0;
}
