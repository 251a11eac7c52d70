// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the tracepoints (events/ownbuf/ in tracefs). A known
 * sequence of calls, traced, must give exactly its events, in order, with
 * the handles userspace got, the sessions' tags and the buffers' ids; and
 * no ticket value and no kernel pointer may appear anywhere in the trace.
 * Skipped where tracefs or the ownbuf events are missing, or not root. The
 * guests run it on every kernel but the newest: turning events on patches
 * the running kernel's text, which the newest kernel under TCG has been
 * seen to die of (not ownbuf's doing).
 */

#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <stdarg.h>

#include "ownbuf_helpers.h"

#define TRACEFS "/sys/kernel/tracing/"

static int tr_write(const char *file, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/*
 * The ownbuf events of task @pid in @trace, one "name: fields" string
 * each, in order; returns how many (at most @max).
 */
static int tr_events(char *trace, pid_t pid, char **ev, int max)
{
	char tag[32], *line, *save = NULL, *name;
	int n = 0;

	snprintf(tag, sizeof(tag), "-%d ", pid);
	for (line = strtok_r(trace, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || !strstr(line, tag))
			continue;
		/* After the timestamp's colon: the task's name may be ownbuf_... */
		name = strstr(line, ": ownbuf_");
		if (name)
			ev[n++] = name + 2;
	}
	return n;
}

FIXTURE(trace)
{
	int fd, fd2;
	const char *skip;
};

FIXTURE_SETUP(trace)
{
	struct stat st;

	self->skip = NULL;
	self->fd = -1;
	self->fd2 = -1;
	if (geteuid()) {
		self->skip = "needs root";
		return;
	}
	if (stat(TRACEFS "events", &st))
		mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL);
	if (stat(TRACEFS "events/ownbuf/enable", &st)) {
		self->skip = "no tracefs or no ownbuf events";
		return;
	}
	self->fd = ob_open();
	self->fd2 = ob_open();
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->fd2);
	ASSERT_EQ(0, tr_write("tracing_on", "0"));
	ASSERT_EQ(0, tr_write("trace", ""));
	ASSERT_EQ(0, tr_write("events/ownbuf/enable", "1"));
	ASSERT_EQ(0, tr_write("tracing_on", "1"));
}

FIXTURE_TEARDOWN(trace)
{
	if (self->skip)
		return;
	tr_write("tracing_on", "0");
	tr_write("events/ownbuf/enable", "0");
	tr_write("trace", "");
	close(self->fd);
	close(self->fd2);
}

/* The session= field of an event, or -1. */
static long ev_session(const char *ev)
{
	const char *f = strstr(ev, "session=");

	return f ? strtol(f + strlen("session="), NULL, 10) : -1;
}

/* Does @ev start with @name and contain every one of the @n fields? */
static int ev_is(const char *ev, const char *name, int n, ...)
{
	const char *field;
	va_list ap;
	int ok;

	ok = !strncmp(ev, name, strlen(name)) && ev[strlen(name)] == ':';
	va_start(ap, n);
	while (ok && n--) {
		field = va_arg(ap, const char *);
		ok = !!strstr(ev, field);
	}
	va_end(ap);
	if (!ok)
		fprintf(stderr, "# want %s, got: %s\n", name, ev);
	return ok;
}

TEST_F(trace, known_sequence_gives_its_events)
{
	char h1[48], b1[48], h2[48], b2[48], h3[48], tk[2][48];
	__u64 h, b, t, h_taken, lt, acc, k;
	struct ownbuf_query q;
	char *trace, *ev[64];
	int n, i = 0;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	/* The life of one buffer, a borrow, a move and a refusal. */
	test_create(self->fd, 4096, &h);
	test_borrow(self->fd, h, OWNBUF_MODE_SHARED, &b);
	test_release(self->fd, b);
	test_give(self->fd, h, &t);
	test_take(self->fd2, t, &h_taken);
	test_drop(self->fd2, h_taken);
	test_err_drop(ESTALE, self->fd2, h_taken);
	/* A loan accepted in the other session, revoked by the owner's drop. */
	test_create(self->fd, 64, &k);
	test_lend(self->fd, k, OWNBUF_MODE_SHARED, &lt);
	test_accept(self->fd2, lt, &acc);
	ASSERT_OK(_test_query(self->fd, k, &q));
	test_drop_revoke(self->fd, k);
	ASSERT_EQ(0, tr_write("tracing_on", "0"));

	trace = ob_slurp(TRACEFS "trace");
	ASSERT_TRUE(!!trace);
	/* Tickets are capabilities; kernel pointers are no one's business. */
	snprintf(tk[0], sizeof(tk[0]), "%llx", (unsigned long long)t);
	snprintf(tk[1], sizeof(tk[1]), "%llx", (unsigned long long)lt);
	EXPECT_TRUE(!strstr(trace, tk[0]));
	EXPECT_TRUE(!strstr(trace, tk[1]));
	snprintf(tk[0], sizeof(tk[0]), "%llu", (unsigned long long)t);
	snprintf(tk[1], sizeof(tk[1]), "%llu", (unsigned long long)lt);
	EXPECT_TRUE(!strstr(trace, tk[0]));
	EXPECT_TRUE(!strstr(trace, tk[1]));
	EXPECT_TRUE(!strstr(trace, "0xffff"));

	snprintf(h1, sizeof(h1), "handle=%#llx", (unsigned long long)h);
	snprintf(b1, sizeof(b1), "handle=%#llx", (unsigned long long)b);
	snprintf(h2, sizeof(h2), "handle=%#llx", (unsigned long long)h_taken);
	snprintf(b2, sizeof(b2), "handle=%#llx", (unsigned long long)acc);
	snprintf(h3, sizeof(h3), "buffer=%llu", (unsigned long long)q.out_id);
	n = tr_events(trace, getpid(), ev, 64);
	ASSERT_EQ(13, n);
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_create", 2, h1, "size=4096"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_borrow", 2, b1, "mode=shared"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_release", 1, b1));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_give", 1, h1));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_take", 1, h2));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_drop", 1, h2));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_violation", 1, "class=double_free"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_refuse", 2, "op=drop", "err=-116"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_create", 2, h3, "size=64"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_lend", 2, h3, "mode=shared"));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_accept", 3, b2, h3, "mode=shared"));
	/* The drop's: the borrow revoked where it is held, then the drop. */
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_drop", 1, h3));
	EXPECT_TRUE(ev_is(ev[i++], "ownbuf_revoke", 2, b2, h3));
	/* Sessions: the taker and the acceptor are the second session. */
	EXPECT_EQ(ev_session(ev[4]), ev_session(ev[10]));
	EXPECT_EQ(ev_session(ev[4]), ev_session(ev[12]));
	EXPECT_NE(ev_session(ev[0]), ev_session(ev[4]));
	EXPECT_EQ(ev_session(ev[0]), ev_session(ev[11]));
	free(trace);
}

TEST_F(trace, mappings_are_traced)
{
	struct ownbuf_map m;
	char want[48];
	char *trace, *ev[16];
	__u64 h;
	void *p;
	int n;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	test_create(self->fd, 8192, &h);
	memset(&m, 0, sizeof(m));
	m.handle = h;
	ASSERT_OK(ob_ioctl(self->fd, OWNBUF_IOC_MAP, &m));
	p = mmap(NULL, m.out_length, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 (off_t)m.out_offset);
	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, munmap(p, m.out_length));
	test_drop(self->fd, h);
	ASSERT_EQ(0, tr_write("tracing_on", "0"));

	trace = ob_slurp(TRACEFS "trace");
	ASSERT_TRUE(!!trace);
	n = tr_events(trace, getpid(), ev, 16);
	ASSERT_EQ(4, n);
	snprintf(want, sizeof(want), "handle=%#llx", (unsigned long long)h);
	EXPECT_TRUE(ev_is(ev[0], "ownbuf_create", 1, want));
	EXPECT_TRUE(ev_is(ev[1], "ownbuf_map", 2, "pages=2", " rw"));
	EXPECT_TRUE(ev_is(ev[2], "ownbuf_unmap", 2, "pages=2", " rw"));
	EXPECT_TRUE(ev_is(ev[3], "ownbuf_drop", 1, want));
	free(trace);
}

TEST_F(trace, close_is_traced)
{
	char h1[48], b1[48], g1[48];
	__u64 h, b, g, t;
	struct ownbuf_query q;
	char *trace, *ev[16];
	int fd, n;

	if (self->skip)
		SKIP(return, "%s", self->skip);
	fd = ob_open();
	ASSERT_LE(0, fd);
	test_create(fd, 64, &h);
	test_borrow(fd, h, OWNBUF_MODE_SHARED, &b);
	test_create(fd, 32, &g);
	ASSERT_OK(_test_query(fd, g, &q));
	test_give(fd, g, &t);
	/* Closing: the untaken move first, then each handle of the table. */
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(0, tr_write("tracing_on", "0"));

	trace = ob_slurp(TRACEFS "trace");
	ASSERT_TRUE(!!trace);
	snprintf(h1, sizeof(h1), "handle=%#llx", (unsigned long long)h);
	snprintf(b1, sizeof(b1), "handle=%#llx", (unsigned long long)b);
	snprintf(g1, sizeof(g1), "buffer=%llu", (unsigned long long)q.out_id);
	n = tr_events(trace, getpid(), ev, 16);
	ASSERT_EQ(7, n);
	EXPECT_TRUE(ev_is(ev[0], "ownbuf_create", 1, h1));
	EXPECT_TRUE(ev_is(ev[1], "ownbuf_borrow", 1, b1));
	EXPECT_TRUE(ev_is(ev[2], "ownbuf_create", 1, g1));
	EXPECT_TRUE(ev_is(ev[3], "ownbuf_give", 1, g1));
	EXPECT_TRUE(ev_is(ev[4], "ownbuf_drop", 2, "handle=0x0 ", g1));
	EXPECT_TRUE(ev_is(ev[5], "ownbuf_drop", 1, h1));
	EXPECT_TRUE(ev_is(ev[6], "ownbuf_revoke", 1, b1));
	free(trace);
}

TEST_HARNESS_MAIN
