// SPDX-License-Identifier: GPL-2.0
/*
 * ownbufctl: the command line. Splits argv into commands at lone ":"
 * arguments, checks every command's arguments before running any (a usage
 * error exits 2 with nothing done), resolves %N references, then runs the
 * commands in order in one session and stops at the first failure (exit 1).
 */

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "ownbufctl.h"

static void ctl_main_help(FILE *f)
{
	const struct ctl_cmd *cmd;

	fprintf(f,
		"Usage: ownbufctl [-q] COMMAND [ARGS] [: COMMAND [ARGS]]...\n"
		"       ownbufctl --help | --version | COMMAND --help\n"
		"\n"
		"Drive /dev/ownbuf, the kernel's Rust-style buffer ownership device.\n"
		"One run is one session: its buffers die when ownbufctl exits. A lone\n"
		"':' separates the commands of a sequence, run in order in that\n"
		"session; %%N is the handle or ticket made by the N-th command.\n"
		"Numbers are decimal or 0x hex.\n"
		"\n"
		"Commands:\n");
	for (cmd = ctl_cmds; cmd->name; cmd++)
		fprintf(f, *cmd->synopsis ? "  %-8s %s\n" : "  %s\n", cmd->name, cmd->synopsis);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -q, --quiet    print no descriptive lines (read data, --json,\n"
		"                 demo and graph output still print)\n"
		"  -h, --help     this help; COMMAND --help for one command\n"
		"  -V, --version  print the version\n"
		"\n"
		"Exit status: 0 success, 1 the device refused a command (its errno\n"
		"name on stderr), 2 a usage error.\n"
		"\n"
		"Examples:\n"
		"  ownbufctl create 4096 : write %%1 --data hello : read %%1 --len 5\n"
		"  ownbufctl create 4096 : map %%1 --data hello : map %%1 --len 5\n"
		"  ownbufctl create 16 : give %%1 : hold     # keep the ticket alive\n"
		"  ownbufctl take 0x1234abcd : read %%1\n"
		"  ownbufctl stats --watch 1                # Ctrl-C ends\n"
		"\n"
		"The manual: man ownbufctl (the device: man 4 ownbuf).\n");
}

static void ctl_cmd_help(const struct ctl_cmd *cmd)
{
	printf("Usage: ownbufctl %s %s\n\n%s", cmd->name, cmd->synopsis, cmd->help);
}

const struct ctl_cmd *ctl_find_cmd(const char *name)
{
	const struct ctl_cmd *cmd;

	for (cmd = ctl_cmds; cmd->name; cmd++)
		if (!strcmp(cmd->name, name))
			return cmd;
	return NULL;
}

/* Decimal or 0x hex, the whole string, no sign, no overflow. */
int ctl_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* For values checked before running. */
uint64_t ctl_num(const char *s)
{
	uint64_t v = 0;

	ctl_parse_u64(s, &v);
	return v;
}

int ctl_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ownbufctl: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ownbufctl %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return CTL_USAGE;
}

/* The device (or the system) said no: name the errno, exit 1. */
int ctl_refused(const char *cmd, int err)
{
	if (err < 0)
		err = -err;
	fprintf(stderr, "ownbufctl: %s: %s (%s)\n", cmd, ownbuf_errno_name(err), strerror(err));
	return CTL_FAILED;
}

int ctl_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ownbufctl: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CTL_FAILED;
}

/* One descriptive line, unless -q. */
void ctl_say(struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int ctl_opt_index(const struct ctl_cmd *cmd, const char *name)
{
	int i;

	for (i = 0; i < CTL_MAX_OPTS && cmd->opts[i].name; i++)
		if (!strcmp(cmd->opts[i].name, name))
			return i;
	return -1;
}

/* An option's value, "" for a flag that was given, NULL when absent. */
const char *ctl_opt(const struct ctl_step *st, const char *name)
{
	int i = ctl_opt_index(st->cmd, name);

	return i < 0 ? NULL : st->val[i];
}

bool ctl_flag(const struct ctl_step *st, const char *name)
{
	return ctl_opt(st, name);
}

/* A handle or ticket argument, already checked: a number or %N. */
int ctl_ref(struct ctl *c, const struct ctl_step *st, const char *arg, uint64_t *out)
{
	const struct ctl_step *from;

	if (arg[0] != '%')
		return ctl_parse_u64(arg, out) ?
		       ctl_usage(st->cmd->name, "bad value '%s'", arg) : 0;
	from = &c->steps[ctl_num(arg + 1) - 1];
	if (!from->has_made)
		return ctl_usage(st->cmd->name, "%s: command %d (%s) made no handle or ticket",
				 arg, from->index, from->cmd->name);
	*out = from->made;
	return 0;
}

/*
 * hold and --watch wait for SIGINT/SIGTERM through a signalfd, with the
 * two blocked meanwhile: no handler, nothing asynchronous.
 */
static sigset_t ctl_sig_set, ctl_sig_old;

int ctl_sig_begin(void)
{
	int sfd;

	sigemptyset(&ctl_sig_set);
	sigaddset(&ctl_sig_set, SIGINT);
	sigaddset(&ctl_sig_set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &ctl_sig_set, &ctl_sig_old))
		return -errno;
	sfd = signalfd(-1, &ctl_sig_set, SFD_CLOEXEC);
	if (sfd < 0) {
		sfd = -errno;
		sigprocmask(SIG_SETMASK, &ctl_sig_old, NULL);
	}
	return sfd;
}

/* Wait @ms (-1: for ever) for a signal or, when @fd >= 0, input on @fd. */
int ctl_sig_wait(int sfd, int fd, int ms)
{
	struct pollfd p[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int n;

	do {
		n = poll(p, fd >= 0 ? 2 : 1, ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || p[0].revents) {
		if (p[0].revents && read(sfd, &si, sizeof(si)) < 0)
			return CTL_WAIT_SIGNAL;
		return CTL_WAIT_SIGNAL;
	}
	return n ? CTL_WAIT_INPUT : CTL_WAIT_TIMEOUT;
}

void ctl_sig_end(int sfd)
{
	close(sfd);
	sigprocmask(SIG_SETMASK, &ctl_sig_old, NULL);
}

/*
 * stats and graph: @show once or, with --watch [SECONDS], every SECONDS
 * (default CTL_WATCH_SECONDS) until SIGINT or SIGTERM, or --count times.
 * On a terminal each snapshot replaces the one before, under a header line,
 * as watch(1) draws; anywhere else they follow each other, a blank line
 * apart, so that a file or a pipe gets every one of them whole.
 */
int ctl_watch(struct ctl *c, struct ctl_step *st,
	      int (*show)(struct ctl *c, struct ctl_step *st))
{
	const char *every = ctl_opt(st, "--watch"), *count = ctl_opt(st, "--count");
	uint64_t secs, n, last;
	bool tty = isatty(STDOUT_FILENO);
	char when[16];
	struct tm tm;
	time_t now;
	int ret, sfd;

	if (!every)
		return show(c, st);
	secs = *every ? ctl_num(every) : CTL_WATCH_SECONDS;
	last = count ? ctl_num(count) : 0;
	sfd = ctl_sig_begin();
	if (sfd < 0)
		return ctl_refused(st->cmd->name, sfd);
	for (n = 1;; n++) {
		if (tty) {
			now = time(NULL);
			when[0] = '\0';
			if (localtime_r(&now, &tm))
				strftime(when, sizeof(when), "%H:%M:%S", &tm);
			/* Home, clear the screen; the header says what this is and how to stop. */
			printf("\033[H\033[2JEvery %llus: ownbufctl %s    %s (Ctrl-C ends)\n\n",
			       (unsigned long long)secs, st->cmd->name, when);
		} else if (n > 1) {
			putchar('\n');
		}
		ret = show(c, st);
		if (fflush(stdout) && !ret)
			ret = ctl_fail(st->cmd->name, "writing to stdout: %s", strerror(errno));
		if (ret || n == last || ctl_sig_wait(sfd, -1, secs * 1000) != CTL_WAIT_TIMEOUT)
			break;
	}
	ctl_sig_end(sfd);
	return ret;
}

/*
 * A copy to or from a mapping of a buffer, which may be torn down at any
 * moment (its owner drops it with OWNBUF_DROP_REVOKE, or exits): the
 * SIGBUS that an access then raises ends the copy instead of the process.
 */
static sigjmp_buf ctl_bus_env;
static void *ctl_bus_addr;

static void ctl_bus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	ctl_bus_addr = si->si_addr;
	siglongjmp(ctl_bus_env, 1);
}

/*
 * memcpy(@dst, @src, @n), or memset(@dst, @fill, @n) when @src is NULL.
 * Returns 0, or -EFAULT with the faulting address in *@fault after a SIGBUS.
 */
int ctl_guarded_copy(void *dst, const void *src, int fill, size_t n, void **fault)
{
	struct sigaction sa = { .sa_sigaction = ctl_bus_handler, .sa_flags = SA_SIGINFO };
	struct sigaction old;
	int ret = 0;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		return -errno;
	if (sigsetjmp(ctl_bus_env, 1)) {
		*fault = ctl_bus_addr;
		ret = -EFAULT;
	} else if (src) {
		memcpy(dst, src, n);
	} else {
		memset(dst, fill, n);
	}
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

static int ctl_check_value(const struct ctl_step *st, enum ctl_arg kind, const char *what,
			   const char *v, const struct ctl_step *steps)
{
	const char *name = st->cmd->name;
	uint64_t n;

	if (kind == CTL_ARG_REF && v[0] == '%') {
		if (ctl_parse_u64(v + 1, &n) || v[1] == '0' || n == 0)
			return ctl_usage(name, "%s: bad reference '%s' (%%1 is the first command)",
					 what, v);
		if (n >= (uint64_t)st->index)
			return ctl_usage(name, "%s: '%s' names a command that has not run yet",
					 what, v);
		if (steps[n - 1].cmd->makes == CTL_MAKES_NOTHING)
			return ctl_usage(name, "%s: '%s' names '%s', which makes nothing",
					 what, v, steps[n - 1].cmd->name);
		return 0;
	}
	if ((kind == CTL_ARG_NUM || kind == CTL_ARG_REF) && ctl_parse_u64(v, &n))
		return ctl_usage(name, "%s: '%s' is not a number (decimal or 0x hex)", what, v);
	return 0;
}

/* Parse argv[0..argc) as one command; returns 0, CTL_USAGE, or -1 after help. */
static int ctl_parse_step(struct ctl_step *st, int argc, char **argv,
			  const struct ctl_step *steps)
{
	const struct ctl_cmd *cmd = ctl_find_cmd(argv[0]);
	int i, o, npos = 0, ret;
	enum ctl_arg kind;

	if (!cmd)
		return ctl_usage(NULL, "unknown command '%s'", argv[0]);
	st->cmd = cmd;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			ctl_cmd_help(cmd);
			return -1;
		}
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] == '-') {
			o = ctl_opt_index(cmd, a);
			if (o < 0)
				return ctl_usage(cmd->name, "unknown option '%s'", a);
			if (st->val[o])
				return ctl_usage(cmd->name, "'%s' given twice", a);
			kind = cmd->opts[o].arg;
			/* An optional value is there when the next word starts with a digit. */
			if (kind == CTL_ARG_OPTNUM) {
				kind = CTL_ARG_NUM;
				if (i + 1 == argc || !isdigit((unsigned char)argv[i + 1][0]))
					kind = CTL_ARG_NONE;
			}
			if (kind == CTL_ARG_NONE) {
				st->val[o] = "";
				continue;
			}
			if (++i == argc)
				return ctl_usage(cmd->name, "'%s' needs a value", a);
			ret = ctl_check_value(st, kind, a, argv[i], steps);
			if (ret)
				return ret;
			st->val[o] = argv[i];
			continue;
		}
		if (npos == CTL_MAX_POS || cmd->pos[npos] == CTL_ARG_NONE)
			return ctl_usage(cmd->name, "unexpected argument '%s'", a);
		ret = ctl_check_value(st, cmd->pos[npos], "argument", a, steps);
		if (ret)
			return ret;
		st->pos[npos++] = a;
	}
	st->npos = npos;
	if (npos < CTL_MAX_POS && cmd->pos[npos] != CTL_ARG_NONE)
		return ctl_usage(cmd->name, "missing argument: %s %s", cmd->name, cmd->synopsis);
	return cmd->check ? cmd->check(st) : 0;
}

static int ctl_open_session(struct ctl *c, const char *cmd)
{
	int fd = ownbuf_raw_open();

	if (fd < 0) {
		fprintf(stderr, "ownbufctl: %s: cannot open %s: %s (%s)\n", cmd,
			OWNBUF_DEVICE_PATH, ownbuf_errno_name(fd), strerror(-fd));
		return CTL_FAILED;
	}
	c->fd = fd;
	return 0;
}

int main(int argc, char **argv)
{
	struct ctl c = { .fd = -1 };
	int i = 1, start, n, ret = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			c.quiet = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			ctl_main_help(stdout);
			return CTL_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("ownbufctl %s\n", OWNBUFCTL_VERSION);
			return CTL_OK;
		} else {
			return ctl_usage(NULL, "unknown option '%s'", a);
		}
	}
	if (i == argc)
		return ctl_usage(NULL, "no command given");

	c.steps = calloc(argc, sizeof(*c.steps));
	if (!c.steps)
		return ctl_fail("ownbufctl", "out of memory");
	/* Split at lone ":" and check every command before running any. */
	for (start = i; start <= argc; start = i + 1) {
		for (i = start; i < argc && strcmp(argv[i], ":"); i++)
			;
		n = c.nsteps;
		if (i == start)
			return ctl_usage(NULL, "empty command in the sequence (command %d)", n + 1);
		c.steps[n].index = n + 1;
		ret = ctl_parse_step(&c.steps[n], i - start, argv + start, c.steps);
		if (ret)
			return ret < 0 ? CTL_OK : ret;
		c.nsteps++;
		if (i == argc)
			break;
	}

	for (n = 0; n < c.nsteps && !ret; n++) {
		struct ctl_step *st = &c.steps[n];

		if (st->cmd->session && c.fd < 0)
			ret = ctl_open_session(&c, st->cmd->name);
		if (!ret)
			ret = st->cmd->run(&c, st);
		if (fflush(stdout) && !ret)
			ret = ctl_fail(st->cmd->name, "writing to stdout: %s", strerror(errno));
	}
	free(c.steps);
	if (c.fd >= 0)
		close(c.fd);
	return ret;
}
