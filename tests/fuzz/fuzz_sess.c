/* The login-state cookie, as a browser (or an attacker) sends it back. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sess.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sess_key key;
	static int ready;
	struct sess_login l;
	char *s;

	if (!ready) {
		sess_key_derive(&key, "fuzz-cookie-password-fuzz-cookie-password");
		ready = 1;
	}
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	sess_open(&key, s, 1700000000, &l);
	free(s);
	return 0;
}
