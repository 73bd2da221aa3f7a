/*
 * test_mac.c - mac.h against published vectors: RFC 4231's HMAC-SHA256
 * test cases (a short key, a short key and message, a key longer than
 * the block, a key and message longer than the block), FIPS 180-4's
 * SHA-256 examples, a message fed in parts, and the comparison; rnd.h's
 * documentId shape.
 */
#include <ctype.h>
#include <string.h>

#include "mac.h"
#include "rnd.h"
#include "t.h"

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void
test_hmac_rfc4231(void)
{
	unsigned char key[131], out[MAC_SHA256_BYTES];
	char got[2 * MAC_SHA256_BYTES + 1];
	static const char long_msg[] =
	    "This is a test using a larger than block-size key and a larger "
	    "than block-size data. The key needs to be hashed before being "
	    "used by the HMAC algorithm.";

	memset(key, 0x0b, 20);
	mac_hmac_sha256(key, 20, "Hi There", 8, out);
	hex(out, sizeof(out), got);
	T_STREQ("RFC 4231 case 1", got,
	    "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	mac_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out);
	hex(out, sizeof(out), got);
	T_STREQ("RFC 4231 case 2", got,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	memset(key, 0xaa, sizeof(key));
	mac_hmac_sha256(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54, out);
	hex(out, sizeof(out), got);
	T_STREQ("RFC 4231 case 6 (key longer than the block)", got,
	    "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");

	mac_hmac_sha256(key, 131, long_msg, strlen(long_msg), out);
	hex(out, sizeof(out), got);
	T_STREQ("RFC 4231 case 7 (key and data longer than the block)", got,
	    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");

	mac_derive_key("Jefe", "what do ya want for nothing?", out);
	hex(out, sizeof(out), got);
	T_STREQ("a derived key is HMAC-SHA256(password, label): RFC 4231 case 2", got,
	    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

	/* The same message in three parts, one of them empty. */
	{
		const struct mac_part parts[] = {
			{ long_msg, 10 }, { NULL, 0 }, { long_msg + 10, strlen(long_msg) - 10 },
		};

		mac_hmac_sha256v(key, 131, parts, 3, out);
		hex(out, sizeof(out), got);
		T_STREQ("a message in parts MACs as the whole", got,
		    "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	}
}

static void
test_sha256(void)
{
	unsigned char out[MAC_SHA256_BYTES];
	char got[2 * MAC_SHA256_BYTES + 1];

	mac_sha256("abc", 3, out);
	hex(out, sizeof(out), got);
	T_STREQ("SHA-256 of \"abc\"", got,
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	mac_sha256("", 0, out);
	hex(out, sizeof(out), got);
	T_STREQ("SHA-256 of nothing", got,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	mac_sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, out);
	hex(out, sizeof(out), got);
	T_STREQ("SHA-256 of the two-block example", got,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void
test_equal(void)
{
	unsigned char a[32], b[32];

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	T_INT("equal bytes compare equal", mac_equal(a, b, 32), 1);
	b[31] ^= 1;
	T_INT("a last byte differing compares unequal", mac_equal(a, b, 32), 0);
	b[31] ^= 1;
	b[0] ^= 0x80;
	T_INT("a first byte differing compares unequal", mac_equal(a, b, 32), 0);
}

static void
test_document_id(void)
{
	char id[RND_DOCUMENT_ID_LEN + 1], prev[RND_DOCUMENT_ID_LEN + 1] = "";
	int shaped = 1, distinct = 1;

	for (int i = 0; i < 1000; i++) {
		if (rnd_document_id(id) != APP_OK || strlen(id) != RND_DOCUMENT_ID_LEN ||
		    !islower((unsigned char)id[0]))
			shaped = 0;
		for (int k = 0; k < RND_DOCUMENT_ID_LEN; k++)
			if (!islower((unsigned char)id[k]) && !isdigit((unsigned char)id[k]))
				shaped = 0;
		if (strcmp(id, prev) == 0)
			distinct = 0;
		memcpy(prev, id, sizeof(prev));
	}
	T_INT("documentIds are 24 of [a-z0-9], a letter first", shaped, 1);
	T_INT("consecutive documentIds differ", distinct, 1);
}

int
main(void)
{
	test_hmac_rfc4231();
	test_sha256();
	test_equal();
	test_document_id();
	return T_DONE();
}
