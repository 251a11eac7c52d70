// SPDX-License-Identifier: GPL-2.0
/*
 * ownbufctl: the commands, one raw libownbuf call each (they print and
 * parse plain handle values), and the table main.c dispatches from.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ownbufctl.h"

#define HX "0x%016llx"
#define ULL(v) ((unsigned long long)(v))

static uint32_t ctl_mode(const struct ctl_step *st)
{
	return ctl_flag(st, "--mut") ? OWNBUF_MODE_MUT : OWNBUF_MODE_SHARED;
}

static int ctl_check_mode(const struct ctl_step *st)
{
	if (ctl_flag(st, "--shared") == ctl_flag(st, "--mut"))
		return ctl_usage(st->cmd->name, "give exactly one of --shared and --mut");
	return 0;
}

static int ctl_check_write(const struct ctl_step *st)
{
	if (ctl_opt(st, "--data") && ctl_opt(st, "--file"))
		return ctl_usage(st->cmd->name, "--data and --file exclude each other");
	return 0;
}

static int ctl_check_map(const struct ctl_step *st)
{
	const char *fill = ctl_opt(st, "--fill");
	int sources = !!ctl_opt(st, "--data") + !!ctl_opt(st, "--file") + !!fill;

	if (sources > 1)
		return ctl_usage(st->cmd->name, "--data, --file and --fill exclude each other");
	if (ctl_opt(st, "--len") && sources && !fill)
		return ctl_usage(st->cmd->name, "--len goes with reading or --fill");
	if (fill && ctl_num(fill) > 255)
		return ctl_usage(st->cmd->name, "--fill takes a byte, 0 to 255");
	return 0;
}

/* stats and graph: --watch [SECONDS] [--count N]. */
static int ctl_check_watch(const struct ctl_step *st)
{
	const char *v = ctl_opt(st, "--watch"), *n = ctl_opt(st, "--count");

	if (v && *v && (ctl_num(v) < 1 || ctl_num(v) > CTL_WATCH_MAX))
		return ctl_usage(st->cmd->name, "--watch takes 1 to %d seconds", CTL_WATCH_MAX);
	if (n && !v)
		return ctl_usage(st->cmd->name, "--count goes with --watch");
	if (n && ctl_num(n) < 1)
		return ctl_usage(st->cmd->name, "--count takes 1 or more");
	return 0;
}

static uint64_t ctl_opt_num(const struct ctl_step *st, const char *name, uint64_t dflt)
{
	const char *v = ctl_opt(st, name);

	return v ? ctl_num(v) : dflt;
}

static int cmd_create(struct ctl *c, struct ctl_step *st)
{
	uint64_t size = ctl_num(st->pos[0]), h;
	int ret = ownbuf_raw_create(c->fd, size, &h);

	if (ret)
		return ctl_refused("create", ret);
	st->made = h;
	st->has_made = true;
	ctl_say(c, "create %llu -> handle " HX " (owner)", ULL(size), ULL(h));
	return 0;
}

static int cmd_drop(struct ctl *c, struct ctl_step *st)
{
	bool revoke = ctl_flag(st, "--revoke");
	uint64_t h;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_drop(c->fd, h, revoke ? OWNBUF_DROP_REVOKE : 0);
	if (ret)
		return ctl_refused("drop", ret);
	ctl_say(c, "drop " HX "%s -> dropped, buffer freed%s", ULL(h), revoke ? " --revoke" : "",
		revoke ? " (its borrows and loans revoked)" : "");
	return 0;
}

/* All of fd into a malloc'd buffer. */
static int ctl_slurp(int fd, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	ssize_t r;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return r;
		}
		if (r == 0)
			break;
		n += r;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int cmd_write(struct ctl *c, struct ctl_step *st)
{
	const char *data = ctl_opt(st, "--data"), *path = ctl_opt(st, "--file");
	uint64_t off = ctl_opt_num(st, "--offset", 0), h;
	char *buf = NULL;
	size_t len = 0;
	int ret = ctl_ref(c, st, st->pos[0], &h);
	int fd;

	if (ret)
		return ret;
	if (data) {
		len = strlen(data);
	} else {
		fd = path ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (fd < 0)
			return ctl_fail("write", "%s: %s", path, strerror(errno));
		ret = ctl_slurp(fd, &buf, &len);
		if (path)
			close(fd);
		if (ret)
			return ctl_fail("write", "reading %s: %s", path ? path : "stdin",
					strerror(-ret));
		data = buf;
	}
	ret = ownbuf_raw_write(c->fd, h, off, data, len);
	free(buf);
	if (ret)
		return ctl_refused("write", ret);
	ctl_say(c, "write " HX " -> wrote %zu bytes at offset %llu", ULL(h), len, ULL(off));
	return 0;
}

static int cmd_read(struct ctl *c, struct ctl_step *st)
{
	uint64_t off = ctl_opt_num(st, "--offset", 0), len, h;
	struct ownbuf_query q;
	char *buf;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	if (ctl_opt(st, "--len")) {
		len = ctl_opt_num(st, "--len", 0);
	} else {
		ret = ownbuf_raw_query(c->fd, h, &q);
		if (ret)
			return ctl_refused("read", ret);
		/* Past the end: a zero-length read lets the device say ERANGE. */
		len = off > q.out_size ? 0 : q.out_size - off;
	}
	if (len > SIZE_MAX)
		return ctl_refused("read", -ENOMEM);
	buf = malloc(len ? len : 1);
	if (!buf)
		return ctl_refused("read", -ENOMEM);
	ret = ownbuf_raw_read(c->fd, h, off, buf, len);
	if (!ret && fwrite(buf, 1, len, stdout) != len)
		ret = ctl_fail("read", "writing to stdout: %s", strerror(errno));
	else if (ret)
		ret = ctl_refused("read", ret);
	free(buf);
	return ret;
}

/*
 * What map writes: --data's string or --file's contents (then @*buf holds
 * them, to be freed); @*src stays NULL for --fill.
 */
static int ctl_map_source(const struct ctl_step *st, const char **src, size_t *len,
			  char **buf)
{
	const char *path = ctl_opt(st, "--file");
	int fd, ret;

	*src = ctl_opt(st, "--data");
	*buf = NULL;
	if (*src) {
		*len = strlen(*src);
		return 0;
	}
	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ctl_fail("map", "%s: %s", path, strerror(errno));
	ret = ctl_slurp(fd, buf, len);
	close(fd);
	if (ret)
		return ctl_fail("map", "reading %s: %s", path, strerror(-ret));
	*src = *buf;
	return 0;
}

/*
 * map: the buffer's bytes through a mapping of it instead of the read and
 * write ioctls. Read-only (to stdout) without a source, writable with one.
 */
static int cmd_map(struct ctl *c, struct ctl_step *st)
{
	const char *fill = ctl_opt(st, "--fill"), *src = NULL;
	bool writing = fill || ctl_opt(st, "--data") || ctl_opt(st, "--file");
	uint64_t off = ctl_opt_num(st, "--offset", 0), n = 0, h;
	struct ownbuf_query q;
	char *buf = NULL, *out = NULL;
	size_t maplen = 0, len = 0;
	void *addr = NULL, *fault = NULL;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	if (writing) {
		ret = ctl_map_source(st, &src, &len, &buf);
		if (ret)
			return ret;
	}
	ret = ownbuf_raw_mmap(c->fd, h, writing ? PROT_READ | PROT_WRITE : PROT_READ, &addr,
			      &maplen);
	if (!ret)
		ret = ownbuf_raw_query(c->fd, h, &q);
	if (ret) {
		ret = ctl_refused("map", ret);
		goto out;
	}
	/* The buffer's bytes, not the rest of its last page. */
	if (src)
		n = len;
	else if (ctl_opt(st, "--len"))
		n = ctl_opt_num(st, "--len", 0);
	else
		n = off > q.out_size ? 0 : q.out_size - off;
	if (off > q.out_size || n > q.out_size - off) {
		ret = ctl_fail("map",
			       "%llu bytes at offset %llu: past the end of the buffer (%llu bytes)",
			       ULL(n), ULL(off), ULL(q.out_size));
		goto out;
	}
	if (!writing) {
		out = malloc(n ? n : 1);
		if (!out) {
			ret = ctl_refused("map", -ENOMEM);
			goto out;
		}
		ret = ctl_guarded_copy(out, (char *)addr + off, 0, n, &fault);
	} else {
		ret = ctl_guarded_copy((char *)addr + off, src, fill ? (int)ctl_num(fill) : 0, n,
				       &fault);
	}
	if (ret == -EFAULT) {
		ret = ctl_fail("map", "SIGBUS at %p: the mapping was torn down (its buffer died)",
			       fault);
		goto out;
	}
	if (ret) {
		ret = ctl_fail("map", "catching SIGBUS: %s", strerror(-ret));
		goto out;
	}
	if (!writing && fwrite(out, 1, n, stdout) != n) {
		ret = ctl_fail("map", "writing to stdout: %s", strerror(errno));
		goto out;
	}
	if (writing)
		ctl_say(c, "map " HX " -> wrote %llu bytes at offset %llu, mapped %zu bytes%s",
			ULL(h), ULL(n), ULL(off), maplen, ctl_flag(st, "--keep") ? ", kept" : "");
out:
	/* --keep: the mapping lives on until ownbufctl exits. */
	if (addr && (ret || !ctl_flag(st, "--keep")))
		ownbuf_raw_munmap(addr, maplen);
	free(out);
	free(buf);
	return ret;
}

static int cmd_borrow(struct ctl *c, struct ctl_step *st)
{
	uint32_t mode = ctl_mode(st);
	uint64_t h, b;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_borrow(c->fd, h, mode, &b);
	if (ret)
		return ctl_refused("borrow", ret);
	st->made = b;
	st->has_made = true;
	ctl_say(c, "borrow " HX " --%s -> borrow " HX " (%s)", ULL(h), ownbuf_mode_name(mode),
		ULL(b), ownbuf_mode_name(mode));
	return 0;
}

static int cmd_release(struct ctl *c, struct ctl_step *st)
{
	uint64_t b;
	int ret = ctl_ref(c, st, st->pos[0], &b);

	if (ret)
		return ret;
	ret = ownbuf_raw_release(c->fd, b);
	if (ret)
		return ctl_refused("release", ret);
	ctl_say(c, "release " HX " -> released", ULL(b));
	return 0;
}

static int cmd_give(struct ctl *c, struct ctl_step *st)
{
	uint64_t h, t;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_give(c->fd, h, &t);
	if (ret)
		return ctl_refused("give", ret);
	st->made = t;
	st->has_made = true;
	ctl_say(c, "give " HX " -> ticket " HX " (move; the handle is dead)", ULL(h), ULL(t));
	return 0;
}

static int cmd_take(struct ctl *c, struct ctl_step *st)
{
	uint64_t t, h;
	int ret = ctl_ref(c, st, st->pos[0], &t);

	if (ret)
		return ret;
	ret = ownbuf_raw_take(c->fd, t, &h);
	if (ret)
		return ctl_refused("take", ret);
	st->made = h;
	st->has_made = true;
	ctl_say(c, "take " HX " -> handle " HX " (owner)", ULL(t), ULL(h));
	return 0;
}

static int cmd_cancel(struct ctl *c, struct ctl_step *st)
{
	uint64_t t, h = 0;
	int ret = ctl_ref(c, st, st->pos[0], &t);

	if (ret)
		return ret;
	ret = ownbuf_raw_cancel(c->fd, t, &h);
	if (ret)
		return ctl_refused("cancel", ret);
	if (h) {
		st->made = h;
		st->has_made = true;
		ctl_say(c, "cancel " HX " -> handle " HX " (move taken back, owner)", ULL(t),
			ULL(h));
	} else {
		ctl_say(c, "cancel " HX " -> loan ended", ULL(t));
	}
	return 0;
}

static int cmd_lend(struct ctl *c, struct ctl_step *st)
{
	uint32_t mode = ctl_mode(st);
	uint64_t h, t;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_lend(c->fd, h, mode, &t);
	if (ret)
		return ctl_refused("lend", ret);
	st->made = t;
	st->has_made = true;
	ctl_say(c, "lend " HX " --%s -> ticket " HX " (lend, %s)", ULL(h), ownbuf_mode_name(mode),
		ULL(t), ownbuf_mode_name(mode));
	return 0;
}

static int cmd_accept(struct ctl *c, struct ctl_step *st)
{
	struct ownbuf_query q;
	const char *mode = NULL;
	uint64_t t, b;
	int ret = ctl_ref(c, st, st->pos[0], &t);

	if (ret)
		return ret;
	ret = ownbuf_raw_accept(c->fd, t, &b);
	if (ret)
		return ctl_refused("accept", ret);
	st->made = b;
	st->has_made = true;
	if (!ownbuf_raw_query(c->fd, b, &q))
		mode = ownbuf_mode_name(q.out_mode);
	ctl_say(c, "accept " HX " -> borrow " HX " (%s)", ULL(t), ULL(b), mode ? mode : "?");
	return 0;
}

static int cmd_clone(struct ctl *c, struct ctl_step *st)
{
	uint64_t h, copy;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_clone(c->fd, h, &copy);
	if (ret)
		return ctl_refused("clone", ret);
	st->made = copy;
	st->has_made = true;
	ctl_say(c, "clone " HX " -> handle " HX " (owner of a copy)", ULL(h), ULL(copy));
	return 0;
}

static int cmd_freeze(struct ctl *c, struct ctl_step *st)
{
	uint64_t h;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_freeze(c->fd, h);
	if (ret)
		return ctl_refused("freeze", ret);
	ctl_say(c, "freeze " HX " -> frozen (immutable for good)", ULL(h));
	return 0;
}

static int cmd_query(struct ctl *c, struct ctl_step *st)
{
	struct ownbuf_query q;
	char what[32], state[48];
	uint64_t h;
	int ret = ctl_ref(c, st, st->pos[0], &h);

	if (ret)
		return ret;
	ret = ownbuf_raw_query(c->fd, h, &q);
	if (ret)
		return ctl_refused("query", ret);
	if (ctl_flag(st, "--json")) {
		ctl_json_query(stdout, h, &q);
		return 0;
	}
	if (q.out_kind == OWNBUF_KIND_BORROW)
		snprintf(what, sizeof(what), "borrow (%s)", ownbuf_mode_name(q.out_mode) ?: "?");
	else
		snprintf(what, sizeof(what), "owner");
	snprintf(state, sizeof(state), "%s, mappings %u", q.out_frozen ? "frozen" : "not frozen",
		 q.out_mappings);
	ctl_say(c, "query " HX " -> %s of buffer %llu: size %llu, shared %u, mut %u, %s", ULL(h),
		what, ULL(q.out_id), ULL(q.out_size), q.out_shared, q.out_mut, state);
	return 0;
}

static void ctl_counts_line(char *buf, size_t sz, const char *who,
			    const struct ownbuf_counts *k, uint64_t mappings, bool device)
{
	size_t n;
	unsigned int i;
	unsigned long long total = 0;

	n = snprintf(buf, sz, "%s buffers %llu, bytes %llu, borrows %llu, tickets %llu, ",
		     who, ULL(k->buffers), ULL(k->bytes), ULL(k->borrows), ULL(k->tickets));
	if (n < sz)
		n += snprintf(buf + n, sz - n, "mappings %llu, ", ULL(mappings));
	if (device && n < sz)
		n += snprintf(buf + n, sz - n, "sessions %llu, ", ULL(k->sessions));
	for (i = 0; i < OWNBUF_VIOLATION_NR; i++)
		total += k->violations[i];
	if (n < sz)
		n += snprintf(buf + n, sz - n, "refused %llu, violations %llu", ULL(k->refused),
			      total);
	for (i = 0; i < OWNBUF_VIOLATION_NR && total; i++)
		if (k->violations[i] && n < sz)
			n += snprintf(buf + n, sz - n, " %s:%llu", ownbuf_violation_name(i),
				      ULL(k->violations[i]));
}

static int ctl_stats_show(struct ctl *c, struct ctl_step *st)
{
	struct ownbuf_stats s;
	char sess[512], dev[512];
	int ret = ownbuf_raw_stats(c->fd, &s);

	if (ret)
		return ctl_refused("stats", ret);
	if (ctl_flag(st, "--json")) {
		ctl_json_stats(stdout, &s);
		return 0;
	}
	ctl_counts_line(sess, sizeof(sess), "session:", &s.out_session, s.out_session_mappings,
			false);
	ctl_counts_line(dev, sizeof(dev), "device:", &s.out_device, s.out_device_mappings, true);
	ctl_say(c, "stats -> %s; %s", sess, dev);
	return 0;
}

static int cmd_stats(struct ctl *c, struct ctl_step *st)
{
	return ctl_watch(c, st, ctl_stats_show);
}

/* Keep the session (and its untaken tickets) alive until EOF or a signal. */
static int cmd_hold(struct ctl *c, struct ctl_step *st)
{
	char buf[256];
	ssize_t r = 1;
	int sfd = ctl_sig_begin();

	(void)c;
	if (sfd < 0)
		return ctl_refused(st->cmd->name, sfd);
	while (r > 0 || (r < 0 && errno == EINTR)) {
		if (ctl_sig_wait(sfd, STDIN_FILENO, -1) == CTL_WAIT_SIGNAL)
			break;
		r = read(STDIN_FILENO, buf, sizeof(buf));
	}
	ctl_sig_end(sfd);
	return 0;
}

const struct ctl_cmd ctl_cmds[] = {
	{
		.name = "create",
		.synopsis = "SIZE",
		.help = "Create a zero-filled buffer of SIZE bytes owned by this session.\n"
		"Makes an owner handle.\n",
		.pos = { CTL_ARG_NUM },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.run = cmd_create,
	},
	{
		.name = "drop",
		.synopsis = "H [--revoke]",
		.help = "Drop the buffer owned through H, freeing it now. With --revoke, revoke\n"
		"its borrows and loans first (else EBUSY while any are out).\n",
		.pos = { CTL_ARG_REF },
		.opts = { { .name = "--revoke" } },
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_drop,
	},
	{
		.name = "write",
		.synopsis = "H [--offset N] (--data STRING | --file PATH | <stdin)",
		.help = "Write STRING, the contents of PATH, or all of stdin into the buffer\n"
		"through H (an owner or mutable borrow handle), at --offset (default 0).\n",
		.pos = { CTL_ARG_REF },
		.opts = {
			{ .name = "--offset", .arg = CTL_ARG_NUM },
			{ .name = "--data", .arg = CTL_ARG_STR },
			{ .name = "--file", .arg = CTL_ARG_STR },
		},
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.check = ctl_check_write,
		.run = cmd_write,
	},
	{
		.name = "read",
		.synopsis = "H [--offset N] [--len N]",
		.help = "Copy --len bytes (default: to the end of the buffer) from --offset\n"
		"(default 0) through H to stdout, raw.\n",
		.pos = { CTL_ARG_REF },
		.opts = {
			{ .name = "--offset", .arg = CTL_ARG_NUM },
			{ .name = "--len", .arg = CTL_ARG_NUM },
		},
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_read,
	},
	{
		.name = "map",
		.synopsis = "H [--offset N] [--len N] [--data S | --file P | --fill BYTE] [--keep]",
		.help = "Map the buffer of H (mmap of this session's fd) and copy --len bytes\n"
		"(default: to the end of the buffer) from --offset (default 0) to stdout,\n"
		"raw, through the mapping. With --data, --file or --fill, map it writable\n"
		"instead (H: an owner handle of a buffer not frozen, or a mutable borrow)\n"
		"and write S, the contents of the file P, or --len (default: to the end)\n"
		"copies of BYTE there. Mapped through an owner handle it is a borrow of\n"
		"its own, shared or mutable, until unmapped; through a borrow handle, it\n"
		"keeps that borrow from being released. --keep leaves it mapped until\n"
		"ownbufctl exits, for the commands after it.\n",
		.pos = { CTL_ARG_REF },
		.opts = {
			{ .name = "--offset", .arg = CTL_ARG_NUM },
			{ .name = "--len", .arg = CTL_ARG_NUM },
			{ .name = "--data", .arg = CTL_ARG_STR },
			{ .name = "--file", .arg = CTL_ARG_STR },
			{ .name = "--fill", .arg = CTL_ARG_NUM },
			{ .name = "--keep" },
		},
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.check = ctl_check_map,
		.run = cmd_map,
	},
	{
		.name = "borrow",
		.synopsis = "H --shared|--mut",
		.help = "Borrow the buffer of H in this session, shared (read) or mutable\n"
		"(read/write). Makes a borrow handle.\n",
		.pos = { CTL_ARG_REF },
		.opts = { { .name = "--shared" }, { .name = "--mut" } },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.check = ctl_check_mode,
		.run = cmd_borrow,
	},
	{
		.name = "release",
		.synopsis = "B",
		.help = "End the borrow B.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_release,
	},
	{
		.name = "give",
		.synopsis = "H",
		.help = "Move the buffer owned through H out of this session: H dies at once.\n"
		"Makes a move ticket for another session to take.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.run = cmd_give,
	},
	{
		.name = "take",
		.synopsis = "TICKET",
		.help = "Take the buffer a move ticket carries. Makes an owner handle.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.run = cmd_take,
	},
	{
		.name = "cancel",
		.synopsis = "TICKET",
		.help = "Take back an untaken ticket this session made: a move ticket gives a\n"
		"new owner handle, a lend ticket just ends the loan.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_MAYBE,
		.session = true,
		.run = cmd_cancel,
	},
	{
		.name = "lend",
		.synopsis = "H --shared|--mut",
		.help = "Lend the buffer of H: makes a lend ticket that another session\n"
		"accepts as a borrow. The loan counts as a borrow from now.\n",
		.pos = { CTL_ARG_REF },
		.opts = { { .name = "--shared" }, { .name = "--mut" } },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.check = ctl_check_mode,
		.run = cmd_lend,
	},
	{
		.name = "accept",
		.synopsis = "TICKET",
		.help = "Accept a lend ticket. Makes a borrow handle.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.run = cmd_accept,
	},
	{
		.name = "clone",
		.synopsis = "H",
		.help = "Copy the buffer of H into a new buffer owned by this session (never\n"
		"frozen). Makes an owner handle.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_VALUE,
		.session = true,
		.run = cmd_clone,
	},
	{
		.name = "freeze",
		.synopsis = "H",
		.help = "Make the buffer owned through H immutable for good.\n",
		.pos = { CTL_ARG_REF },
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_freeze,
	},
	{
		.name = "query",
		.synopsis = "H [--json]",
		.help = "Show what H names: size, buffer id, kind, mode, borrow counts, frozen,\n"
		"live mappings. --json prints one object with the keys handle, size, id,\n"
		"kind, mode, shared, mut, frozen, mappings.\n",
		.pos = { CTL_ARG_REF },
		.opts = { { .name = "--json" } },
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_query,
	},
	{
		.name = "stats",
		.synopsis = "[--json] [--watch [SECONDS] [--count N]]",
		.help = "Show the counters of this session and of the device, refused\n"
		"violations by class included. --json prints one object,\n"
		"{\"session\":{...},\"device\":{...}}, each with buffers, bytes, borrows,\n"
		"tickets, mappings, sessions, refused and violations{use_after_free,...}.\n"
		"--watch shows them again every SECONDS (default 2) until interrupted,\n"
		"or N times with --count: redrawn in place on a terminal, else one\n"
		"snapshot after the other, a blank line apart.\n",
		.opts = {
			{ .name = "--json" },
			{ .name = "--watch", .arg = CTL_ARG_OPTNUM },
			{ .name = "--count", .arg = CTL_ARG_NUM },
		},
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.check = ctl_check_watch,
		.run = cmd_stats,
	},
	{
		.name = "hold",
		.synopsis = "",
		.help = "Keep the session, and so its buffers and untaken tickets, alive until\n"
		"stdin reaches EOF or SIGINT/SIGTERM arrives; prints nothing.\n",
		.makes = CTL_MAKES_NOTHING,
		.session = true,
		.run = cmd_hold,
	},
	{
		.name = "demo",
		.synopsis = "",
		.help = "Walk through the ownership rules with real calls, scene by scene,\n"
		"printing what the device answered. Exits 1 if any answer was not the\n"
		"expected one.\n",
		.makes = CTL_MAKES_NOTHING,
		.run = ctl_demo,
	},
	{
		.name = "graph",
		.synopsis = "[--dot] [--from FILE] [--watch [SECONDS] [--count N]]",
		.help = "Draw who owns and borrows what, device-wide, from\n"
		CTL_GRAPH_PATH " (root; debugfs is mounted if it is\n"
		"not), or from FILE, a copy of it. --dot prints Graphviz DOT instead:\n"
		"sessions as clusters, buffers as boxes, shared borrows dashed, mutable\n"
		"borrows solid, mappings bold, tickets dotted from their maker. --watch\n"
		"draws it again every SECONDS (default 2) until interrupted, or N times\n"
		"with --count: in place on a terminal, else one drawing after the\n"
		"other, a blank line apart.\n",
		.opts = {
			{ .name = "--dot" },
			{ .name = "--watch", .arg = CTL_ARG_OPTNUM },
			{ .name = "--from", .arg = CTL_ARG_STR },
			{ .name = "--count", .arg = CTL_ARG_NUM },
		},
		.makes = CTL_MAKES_NOTHING,
		.check = ctl_check_watch,
		.run = ctl_graph,
	},
	{ .name = NULL }
};
