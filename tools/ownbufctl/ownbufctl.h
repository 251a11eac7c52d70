/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownbufctl: drive /dev/ownbuf from the command line. A command line is a
 * sequence of commands separated by a lone ":" and run in one session;
 * "%N" names the handle or ticket the N-th command produced.
 */
#ifndef OWNBUFCTL_H
#define OWNBUFCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "libownbuf.h"

#ifndef OWNBUFCTL_VERSION
#define OWNBUFCTL_VERSION "0.1.0"	/* the Makefile passes ../VERSION */
#endif

/* Exit statuses. */
#define CTL_OK		0
#define CTL_FAILED	1	/* the device (or the system) refused */
#define CTL_USAGE	2	/* the command line is wrong */

#define CTL_MAX_POS	4
#define CTL_MAX_OPTS	8

#define CTL_GRAPH_PATH "/sys/kernel/debug/ownbuf/graph"

/* --watch: seconds between two snapshots when none are given, and at most. */
#define CTL_WATCH_SECONDS	2
#define CTL_WATCH_MAX		86400

/* The kernel's spelling; through CTL_ATTR so checkpatch takes it as defined. */
#define CTL_ATTR(x) __attribute__(x)
#ifndef __printf
#define __printf(a, b) CTL_ATTR((format(printf, a, b)))
#endif

/* How a positional argument or an option value is checked before running. */
enum ctl_arg {
	CTL_ARG_NONE,	/* option: a flag without value */
	CTL_ARG_NUM,	/* a number, decimal or 0x hex */
	CTL_ARG_REF,	/* a handle or ticket: a number or %N */
	CTL_ARG_STR,	/* any string */
	CTL_ARG_OPTNUM,	/* option: a number if the next argument starts with a digit */
};

/* What a command leaves for later %N references. */
enum ctl_makes {
	CTL_MAKES_NOTHING,
	CTL_MAKES_VALUE,	/* always a handle or ticket */
	CTL_MAKES_MAYBE,	/* cancel: a handle for a move, nothing for a lend */
};

struct ctl;
struct ctl_step;

struct ctl_opt {
	const char *name;	/* "--offset" */
	enum ctl_arg arg;
};

struct ctl_cmd {
	const char *name;
	const char *synopsis;	/* arguments, for usage lines */
	const char *help;	/* what it does, for "CMD --help" */
	enum ctl_arg pos[CTL_MAX_POS];	/* required positionals, NONE-terminated */
	struct ctl_opt opts[CTL_MAX_OPTS];	/* NULL-name terminated */
	enum ctl_makes makes;
	bool session;		/* needs the session open */
	int (*check)(const struct ctl_step *st);	/* extra usage checks */
	int (*run)(struct ctl *c, struct ctl_step *st);
};

/* One command of the sequence, parsed. */
struct ctl_step {
	const struct ctl_cmd *cmd;
	int index;		/* 1-based place in the sequence */
	int npos;
	const char *pos[CTL_MAX_POS];
	const char *val[CTL_MAX_OPTS];	/* option values; "" for set flags */
	uint64_t made;		/* the handle or ticket it produced */
	bool has_made;
};

struct ctl {
	int fd;			/* the session, -1 until a command needs it */
	bool quiet;		/* -q: no descriptive lines */
	int nsteps;
	struct ctl_step *steps;
};

/* What ctl_sig_wait() saw. */
#define CTL_WAIT_TIMEOUT	0
#define CTL_WAIT_INPUT		1
#define CTL_WAIT_SIGNAL		2

/* main.c */
const struct ctl_cmd *ctl_find_cmd(const char *name);
int ctl_parse_u64(const char *s, uint64_t *out);
__printf(2, 3) int ctl_usage(const char *cmd, const char *fmt, ...);
int ctl_refused(const char *cmd, int err);
__printf(2, 3) int ctl_fail(const char *cmd, const char *fmt, ...);
__printf(2, 3) void ctl_say(struct ctl *c, const char *fmt, ...);
const char *ctl_opt(const struct ctl_step *st, const char *name);
bool ctl_flag(const struct ctl_step *st, const char *name);
int ctl_ref(struct ctl *c, const struct ctl_step *st, const char *arg, uint64_t *out);
uint64_t ctl_num(const char *s);
int ctl_sig_begin(void);
int ctl_sig_wait(int sfd, int fd, int ms);
void ctl_sig_end(int sfd);
int ctl_guarded_copy(void *dst, const void *src, int fill, size_t n, void **fault);
int ctl_watch(struct ctl *c, struct ctl_step *st,
	      int (*show)(struct ctl *c, struct ctl_step *st));

/* cmds.c */
extern const struct ctl_cmd ctl_cmds[];

/* json.c */
void ctl_json_query(FILE *f, uint64_t handle, const struct ownbuf_query *q);
void ctl_json_stats(FILE *f, const struct ownbuf_stats *st);

/* demo.c */
int ctl_demo(struct ctl *c, struct ctl_step *st);

/* graph.c */
int ctl_graph(struct ctl *c, struct ctl_step *st);

#endif /* OWNBUFCTL_H */
