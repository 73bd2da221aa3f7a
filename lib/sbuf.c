#include <stdio.h>
#include <string.h>

#include "sbuf.h"

/*
 * In the fuzz build (ARENA_MALLOC under AddressSanitizer) the bytes between
 * the NUL and the end of the allocation are poisoned, so a read past the
 * string's end is caught although it stays inside the buffer.
 */
#if defined(__SANITIZE_ADDRESS__)
#define SBUF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) /* clang before 15 */
#define SBUF_ASAN 1
#endif
#endif
#if defined(ARENA_MALLOC) && defined(SBUF_ASAN)
#include <sanitizer/asan_interface.h>
#define SLACK_POISON(sb) \
	ASAN_POISON_MEMORY_REGION((sb)->data + (sb)->len + 1, (sb)->cap - (sb)->len - 1)
#define SLACK_UNPOISON(sb, n) \
	ASAN_UNPOISON_MEMORY_REGION((sb)->data + (sb)->len, (n) + 1)
#else
#define SLACK_POISON(sb) ((void)(sb))
#define SLACK_UNPOISON(sb, n) ((void)(sb), (void)(n))
#endif

void
sbuf_init(struct sbuf *sb, struct arena *a, size_t max)
{
	memset(sb, 0, sizeof(*sb));
	sb->arena = a;
	sb->max = max;
}

char *
sbuf_reserve(struct sbuf *sb, size_t n)
{
	size_t ncap;
	char *nd;

	if (sb->err != APP_OK)
		return NULL;
	if (n > sb->max || sb->len > sb->max - n) {
		sb->err = APP_ETOOBIG;
		return NULL;
	}
	if (sb->len + n + 1 <= sb->cap) {
		SLACK_UNPOISON(sb, n);
		return sb->data + sb->len;
	}
	ncap = sb->cap ? sb->cap : 64;
	while (ncap < sb->len + n + 1)
		ncap *= 2;
	if (ncap > sb->max + 1)
		ncap = sb->max + 1;
	nd = arena_alloc(sb->arena, ncap);
	if (nd == NULL) {
		sb->err = APP_ENOMEM;
		return NULL;
	}
	if (sb->len)
		memcpy(nd, sb->data, sb->len);
	nd[sb->len] = '\0';
	sb->data = nd;
	sb->cap = ncap;
	SLACK_POISON(sb);
	SLACK_UNPOISON(sb, n);
	return sb->data + sb->len;
}

void
sbuf_commit(struct sbuf *sb, size_t n)
{
	sb->len += n;
	sb->data[sb->len] = '\0';
	SLACK_POISON(sb);
}

void
sbuf_putn(struct sbuf *sb, const void *p, size_t n)
{
	char *dst = sbuf_reserve(sb, n);

	if (dst == NULL)
		return;
	if (n)
		memcpy(dst, p, n);
	sbuf_commit(sb, n);
}

void
sbuf_puts(struct sbuf *sb, const char *s)
{
	sbuf_putn(sb, s, strlen(s));
}

void
sbuf_putc(struct sbuf *sb, char c)
{
	/* The common case, room to spare, without the general path. */
	if (sb->err == APP_OK && sb->len + 2 <= sb->cap && sb->len < sb->max) {
		SLACK_UNPOISON(sb, 1);
		sb->data[sb->len++] = c;
		sb->data[sb->len] = '\0';
		SLACK_POISON(sb);
		return;
	}
	sbuf_putn(sb, &c, 1);
}

void
sbuf_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n;
	char *dst;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0) {
		va_end(ap2);
		sb->err = APP_EINTERNAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		va_end(ap2);
		sbuf_putn(sb, small, (size_t)n);
		return;
	}
	dst = sbuf_reserve(sb, (size_t)n);
	if (dst != NULL) {
		vsnprintf(dst, (size_t)n + 1, fmt, ap2);
		sbuf_commit(sb, (size_t)n);
	}
	va_end(ap2);
}

void
sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

void
sbuf_truncate(struct sbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->data[len] = '\0';
		SLACK_POISON(sb);
	}
}
