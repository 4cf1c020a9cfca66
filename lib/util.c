/* util.c: messages, allocation wrappers, string buffers and the share directory. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef DG_SHAREDIR
#define DG_SHAREDIR "/usr/local/share/dg"
#endif

const char *progname = "dg";

void
util_init(const char *argv0)
{
	const char *p;

	/* What dg writes (state, run files, logs) holds names, emails and LLM answers:
	 * private to the user. */
	umask(umask(077) | 077);
	if (argv0 == NULL || *argv0 == '\0')
		return;
	p = strrchr(argv0, '/');
	progname = p ? p + 1 : argv0;
}

static void
vmsg(const char *fmt, va_list ap)
{
	/* One fprintf of a finished line keeps messages whole when stages share stderr. */
	char buf[4096];

	vsnprintf(buf, sizeof buf, fmt, ap);
	fprintf(stderr, "%s: %s\n", progname, buf);
}

void
warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static int stream_errors; /* 1: a dg_error line for the next stage; 2: {"error": ...} */

void
util_stream_errors(void)
{
	stream_errors = 1;
}

void
util_json_errors(void)
{
	stream_errors = 2;
}

void
util_fail_downstream(int code, const char *msg)
{
	const unsigned char *p;

	if (!stream_errors || code == 0 || (stream_errors == 1 && isatty(STDOUT_FILENO)))
		return;
	/* Written by hand: this runs on the way out, also when memory is exhausted. */
	if (stream_errors == 2)
		fprintf(stdout, "{\"program\":\"%s\",\"status\":%d,\"error\":\"", progname, code);
	else
		fprintf(stdout, "{\"dg_error\":{\"program\":\"%s\",\"status\":%d,\"message\":\"", progname, code);
	for (p = (const unsigned char *)msg; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(stdout, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(stdout, "\\u%04x", *p);
		else
			fputc(*p, stdout);
	}
	fputs(stream_errors == 2 ? "\"}\n" : "\"}}\n", stdout);
	fflush(stdout);
}

void
diex(int code, const char *fmt, ...)
{
	va_list ap;
	char buf[4096];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", progname, buf);
	util_fail_downstream(code, buf);
	exit(code);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		diex(EXIT_FAIL, "out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		diex(EXIT_FAIL, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		diex(EXIT_FAIL, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		diex(EXIT_FAIL, "out of memory");
	va_end(ap);
	return s;
}

static void
sb_grow(struct sb *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	b->cap = b->cap ? b->cap * 2 : 256;
	while (b->cap < b->len + extra + 1)
		b->cap *= 2;
	b->s = xrealloc(b->s, b->cap);
}

void
sb_addn(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_addc(struct sb *b, char c)
{
	sb_addn(b, &c, 1);
}

void
sb_addf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
sb_str(struct sb *b)
{
	return b->s ? b->s : "";
}

void
sb_reset(struct sb *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void
sb_free(struct sb *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

size_t
utf8_trim(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	/* Step back over continuation bytes so no character is cut in half. */
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

static char sharebuf[PATH_MAX + 32];

const char *
share_dir(void)
{
	const char *env = getenv("DG_SHARE");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (sharebuf[0])
		return sharebuf;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(sharebuf, sizeof sharebuf, "%s/../share/dg", exe);
			if (access(sharebuf, R_OK) == 0)
				return sharebuf;
		}
	}
	snprintf(sharebuf, sizeof sharebuf, "%s", DG_SHAREDIR);
	return sharebuf;
}

char *
share_path(const char *rel)
{
	return xasprintf("%s/%s", share_dir(), rel);
}

int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int
stdout_close(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx("cannot write to standard output: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

int
util_distance(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	if (n > 60 || m > 60)
		return 9;
	int d[64][64];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			int c =
			    d[i - 1][j - 1] + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[n][m] > 9 ? 9 : d[n][m];
}

const char *
util_closest(const char *word, const char *const *cands, int n)
{
	const char *best = NULL;
	int bd = 9;
	for (int i = 0; i < n; i++) {
		int d = util_distance(word, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	/* Close: a slip of a letter or two, more for long words. */
	return best && bd <= (strlen(word) > 8 ? 3 : 2) ? best : NULL;
}
