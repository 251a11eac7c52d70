// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the debugfs files (ownbuf/stats, ownbuf/graph). Both are
 * root's only, keep one record per line whatever a process calls itself,
 * and reading them changes nothing a session can see (review finding 11).
 * Skipped where debugfs or the files are missing, or not run as root.
 */

#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>

#include "ownbuf_helpers.h"

#define OB_DEBUGFS "/sys/kernel/debug/ownbuf/"

/* Does every line of @text start with one of the NULL-ended @words? */
static bool lines_start_with(const char *text, const char *const *words)
{
	const char *line = text;
	const char *const *w;

	while (*line) {
		for (w = words; *w; w++)
			if (!strncmp(line, *w, strlen(*w)))
				break;
		if (!*w)
			return false;
		line = strchr(line, '\n');
		if (!line)
			return false;
		line++;
	}
	return true;
}

FIXTURE(dbg)
{
	int fd;
};

FIXTURE_SETUP(dbg)
{
	if (geteuid() != 0)
		SKIP(return, "debugfs is root's");
	if (access(OB_DEBUGFS "graph", R_OK) || access(OB_DEBUGFS "stats", R_OK))
		SKIP(return, "no " OB_DEBUGFS "{graph,stats}");
	/* The name a session records is its opener's at open time. */
	ASSERT_EQ(0, prctl(PR_SET_NAME, "ob\nline\\x", 0, 0, 0));
	self->fd = ob_open();
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(dbg)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Both files are root's alone: they name processes and what they hold. */
TEST_F(dbg, files_are_0400)
{
	struct stat st;

	ASSERT_EQ(0, stat(OB_DEBUGFS "stats", &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
	ASSERT_EQ(0, stat(OB_DEBUGFS "graph", &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
}

/* A newline in a process name cannot start a record of its own. */
TEST_F(dbg, comm_is_escaped)
{
	static const char *const graph_words[] = {
		"session ", "owner ", "borrow ", "ticket ", "mapping ", NULL
	};
	static const char *const stats_words[] = { "device ", "session ", NULL };
	char *graph, *stats;

	test_create(self->fd, 16, NULL);
	graph = ob_slurp(OB_DEBUGFS "graph");
	stats = ob_slurp(OB_DEBUGFS "stats");
	ASSERT_TRUE(!!graph);
	ASSERT_TRUE(!!stats);
	EXPECT_TRUE(lines_start_with(graph, graph_words)) TH_LOG("graph:\n%s", graph);
	EXPECT_TRUE(lines_start_with(stats, stats_words)) TH_LOG("stats:\n%s", stats);
	EXPECT_TRUE(!!strstr(graph, "comm=ob\\012line\\134x\n")) TH_LOG("graph:\n%s", graph);
	EXPECT_TRUE(!!strstr(stats, "comm=ob\\012line\\134x ")) TH_LOG("stats:\n%s", stats);
	free(graph);
	free(stats);
}

/*
 * Reading the files changes nothing anyone sees: two sessions make the same
 * calls (a borrow revoked with its buffer among them), root reads the graph
 * and the stats between two of them for one session only, and both get the
 * same next handle (slot and generation) and the same counts.
 */
static void revoke_then_create(struct __test_metadata *_metadata, int fd,
			       bool read_debugfs, __u64 *next, struct ownbuf_stats *st)
{
	__u64 h, b;

	test_create(fd, 16, &h);
	test_borrow(fd, h, OWNBUF_MODE_MUT, &b);
	test_drop_revoke(fd, h);
	if (read_debugfs) {
		free(ob_slurp(OB_DEBUGFS "graph"));
		free(ob_slurp(OB_DEBUGFS "stats"));
	}
	test_create(fd, 16, next);
	test_err_read(ESTALE, fd, b, 0, 1, &h);
	ob_init_stats(st);
	ASSERT_EQ(0, ioctl(fd, OWNBUF_IOC_STATS, st));
}

TEST_F(dbg, reading_changes_nothing)
{
	const __u64 gen_index = (1ULL << 48) - 1;
	struct ownbuf_stats quiet, looked;
	__u64 h_quiet, h_looked;
	int other = ob_open();

	ASSERT_LE(0, other);
	revoke_then_create(_metadata, other, false, &h_quiet, &quiet);
	revoke_then_create(_metadata, self->fd, true, &h_looked, &looked);
	EXPECT_EQ(h_quiet & gen_index, h_looked & gen_index)
		TH_LOG("next handle 0x%llx after root looked, 0x%llx when nobody did",
		       (unsigned long long)h_looked, (unsigned long long)h_quiet);
	EXPECT_EQ(0, memcmp(&quiet.out_session, &looked.out_session,
			    sizeof(quiet.out_session)));
	EXPECT_EQ(1, looked.out_session.buffers);
	EXPECT_EQ(0, looked.out_session.borrows);
	close(other);
}

/* Count the lines of @text that start with @word. */
static int count_lines(const char *text, const char *word)
{
	const char *line = text;
	int n = 0;

	while (line && *line) {
		n += !strncmp(line, word, strlen(word));
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return n;
}

/*
 * A graph far larger than one read's buffer (thousands of handles, many
 * chunks of the handle table) comes out whole: every handle once.
 */
TEST_F(dbg, large_graph_whole)
{
	const int n = 3000;
	char *before, *after;
	int i, owners;

	before = ob_slurp(OB_DEBUGFS "graph");
	ASSERT_TRUE(!!before);
	owners = count_lines(before, "owner ");
	for (i = 0; i < n; i++)
		test_create(self->fd, 16, NULL);
	after = ob_slurp(OB_DEBUGFS "graph");
	ASSERT_TRUE(!!after);
	EXPECT_EQ(owners + n, count_lines(after, "owner "));
	/* Every session (this one included) once, no more. */
	EXPECT_EQ(count_lines(before, "session tag="), count_lines(after, "session tag="));
	free(before);
	free(after);
}

/* The line of @text that starts with @word and holds @part, or NULL. */
static const char *find_line(const char *text, const char *word, const char *part)
{
	const char *line = text, *end;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!strncmp(line, word, strlen(word))) {
			const char *hit = strstr(line, part);

			if (hit && (!end || hit < end))
				return line;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/*
 * Mappings are shown as what they are, borrows: one line each under their
 * buffer's owner in the graph (session, mode, through which handle, pages),
 * and counted in the stats of the session that mapped and of the device;
 * gone from both once unmapped.
 */
TEST_F(dbg, mappings_are_listed)
{
	char *graph, *stats, owner[64], want[160], who[48];
	struct ownbuf_query q;
	struct ownbuf_stats st;
	__u64 h, m, h2;
	void *ro, *rw;

	test_create(self->fd, 5000, &h);
	test_create(self->fd, 16, &h2);
	test_borrow(self->fd, h2, OWNBUF_MODE_MUT, &m);
	ASSERT_OK(ob_map_handle(self->fd, h, 0, PROT_READ, &ro));
	ASSERT_OK(ob_map_handle(self->fd, m, 0, PROT_READ | PROT_WRITE, &rw));
	test_stats(self->fd, &st);
	ASSERT_EQ(2, st.out_session_mappings);

	graph = ob_slurp(OB_DEBUGFS "graph");
	stats = ob_slurp(OB_DEBUGFS "stats");
	ASSERT_TRUE(!!graph);
	ASSERT_TRUE(!!stats);
	test_query(self->fd, h, &q);
	snprintf(owner, sizeof(owner), "handle=0x%016llx", (unsigned long long)h);
	snprintf(want, sizeof(want), "buffer=%llu mode=shared through=owner pages=2\n",
		 (unsigned long long)q.out_id);
	EXPECT_TRUE(!!find_line(graph, "owner ", owner)) TH_LOG("graph:\n%s", graph);
	EXPECT_TRUE(!!find_line(graph, "mapping ", want)) TH_LOG("graph:\n%s", graph);
	test_query(self->fd, h2, &q);
	snprintf(want, sizeof(want), "buffer=%llu mode=mut through=borrow pages=1\n",
		 (unsigned long long)q.out_id);
	EXPECT_TRUE(!!find_line(graph, "mapping ", want)) TH_LOG("graph:\n%s", graph);
	/* This session's line (the only session of this process) counts both. */
	snprintf(who, sizeof(who), "session pid=%d ", getpid());
	EXPECT_TRUE(!!find_line(stats, who, " mappings=2\n")) TH_LOG("stats:\n%s", stats);
	EXPECT_TRUE(!!find_line(stats, "device ", " mappings=")) TH_LOG("stats:\n%s", stats);
	free(graph);
	free(stats);

	ASSERT_EQ(0, munmap(ro, 8192));
	ASSERT_EQ(0, munmap(rw, 4096));
	graph = ob_slurp(OB_DEBUGFS "graph");
	ASSERT_TRUE(!!graph);
	EXPECT_FALSE(!!find_line(graph, "mapping ", "through=owner pages=2\n"))
		TH_LOG("graph:\n%s", graph);
	free(graph);
	test_release(self->fd, m);
}

TEST_HARNESS_MAIN
