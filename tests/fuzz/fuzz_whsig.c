/*
 * The WorkOS-Signature header and the body it signs, as anyone on the
 * network may send them to /api/webhooks/workos: the input's first line
 * is the header, the rest the body.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "whsig.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char secret[] = "fuzz-webhook-secret-0123456789";
	const char *nl = memchr(data, '\n', size);
	size_t hl = nl ? (size_t)(nl - (const char *)data) : size;
	const char *body = nl ? nl + 1 : "";
	size_t bl = nl ? size - hl - 1 : 0;
	struct whsig s;
	const char *why;
	char *h;

	h = malloc(hl + 1);
	if (h == NULL)
		return 0;
	memcpy(h, data, hl);
	h[hl] = '\0';
	whsig_parse(h, hl, &s, &why);
	/* Inside the tolerance of the seeds' t=1769947200000. */
	whsig_verify(h, body, bl, secret, sizeof(secret) - 1, 1769947200000LL, &why);
	free(h);
	return 0;
}
