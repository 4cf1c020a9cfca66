/* sfcli.c: a session from the Salesforce CLI (`sf`) for --target-org, the way current
 * sf gives one out: `sf org auth show-access-token` for the token (since May 2026
 * `sf org display` shows "[REDACTED]" in its place) and `sf org display` for the
 * instance URL. The two run side by side, so a login costs one sf start-up. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonl.h"
#include "sfcli.h"
#include "util.h"

extern char **environ;

struct child {
	pid_t pid;
	int fd;
	struct sb out;
	int status; /* exit status, or 127 when it could not start */
};

/* Is there an executable `name` on PATH? */
static int
on_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path || strchr(name, '/'))
		return access(name, X_OK) == 0;
	for (const char *p = path;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *f = xasprintf("%.*s/%s", (int)n, n ? p : ".", name);
		int ok = access(f, X_OK) == 0;
		free(f);
		if (ok)
			return 1;
		if (!e)
			return 0;
		p = e + 1;
	}
}

/* Starts argv with stdout on a pipe and stderr and stdin on /dev/null (with --json,
 * sf writes everything it has to say on stdout). No shell: the alias is one argument. */
static int
child_start(struct child *c, char *const argv[])
{
	int fds[2];
	memset(c, 0, sizeof *c);
	c->fd = -1;
	if (pipe(fds) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&c->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		errno = rc;
		return -1;
	}
	c->fd = fds[0];
	return 0;
}

/* Reads the child's output to the end and waits for it. */
static void
child_finish(struct child *c)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(c->fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sb_addn(&c->out, buf, (size_t)n);
	close(c->fd);
	int st;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
	c->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* sf's own words for a failure: the "message" of its --json answer (first line), or
 * how it ended when there is no answer. */
static void
sf_said(jv j, const struct child *c, const char *cmd, char *err, size_t errsize)
{
	const char *m = jx_str(j, "message");
	if (m) {
		/* sf's messages run over lines ("Parsing --target-org \n\tNo authorization…"):
		 * one line here, each run of white space one space. */
		struct sb one = { 0 };
		for (const char *p = m; *p; p++)
			if (!strchr(" \t\r\n", *p))
				sb_addn(&one, p, 1);
			else if (one.len && one.s[one.len - 1] != ' ')
				sb_addn(&one, " ", 1);
		snprintf(err, errsize, "'%s' failed: %s", cmd, sb_str(&one));
		sb_free(&one);
	} else
		snprintf(err, errsize, "'%s' failed (exit status %d) and said nothing dg can read", cmd, c->status);
	const char *a = jx_cstr(jx_at(jx_get(j, "actions", JV_KIND_ARRAY), 0));
	if (a) {
		size_t l = strlen(err);
		snprintf(err + l, errsize - l, " (%s)", a);
	}
}

int
sfcli_session(const char *alias, char **token, char **instance, char *err, size_t errsize)
{
	*token = *instance = NULL;
	if (alias)
		for (const char *p = alias; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				strchr("._@-+", *p))) {
				snprintf(err, errsize, "--target-org '%s': not an org alias or username", alias);
				return -1;
			}
	if (!on_path("sf")) {
		snprintf(err, errsize,
		    "the Salesforce CLI 'sf' is not on PATH: install it (npm install --global @salesforce/cli), "
		    "log in with 'sf org login web --alias NAME', or log in without it (SF_JWT_KEY_FILE, "
		    "SF_CLIENT_ID and SF_CLIENT_SECRET)");
		return -1;
	}
	char *tok_argv[] = { "sf", "org", "auth", "show-access-token", "--json", "--target-org", (char *)alias, NULL };
	char *org_argv[] = { "sf", "org", "display", "--json", "--target-org", (char *)alias, NULL };
	if (!alias) /* sf's default target org */
		tok_argv[5] = org_argv[4] = NULL;
	struct child t, o;
	int t_ok = child_start(&t, tok_argv) == 0, o_ok = t_ok && child_start(&o, org_argv) == 0;
	if (!t_ok || !o_ok) {
		snprintf(err, errsize, "cannot start 'sf': %s", strerror(errno));
		if (t_ok) {
			child_finish(&t);
			sb_free(&t.out);
		}
		return -1;
	}
	child_finish(&t);
	child_finish(&o);
	jv tj = jv_parse(sb_str(&t.out)), oj = jv_parse(sb_str(&o.out));
	const char *tok = jx_str(jx_get(tj, "result", JV_KIND_OBJECT), "accessToken");
	const char *url = jx_str(jx_get(oj, "result", JV_KIND_OBJECT), "instanceUrl");
	int rc = 0;
	if (!tok || !strncmp(tok, "[REDACTED]", 10)) {
		sf_said(tj, &t, "sf org auth show-access-token", err, errsize);
		rc = -1;
	} else if (!url) {
		sf_said(oj, &o, "sf org display", err, errsize);
		rc = -1;
	} else {
		*token = xstrdup(tok);
		*instance = xstrdup(url);
		/* sf stores the URL with a trailing slash; dg adds its paths with a slash. */
		for (size_t l = strlen(*instance); l && (*instance)[l - 1] == '/';)
			(*instance)[--l] = '\0';
	}
	/* The token was in these buffers: clear them before they go back to the heap. */
	if (t.out.s)
		memset(t.out.s, 0, t.out.cap);
	jv_free(tj);
	jv_free(oj);
	sb_free(&t.out);
	sb_free(&o.out);
	return rc;
}

int
sfcli_available(void)
{
	return on_path("sf");
}
