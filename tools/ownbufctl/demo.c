// SPDX-License-Identifier: GPL-2.0
/*
 * ownbufctl demo: the ownership rules, shown with real calls on the typed
 * layer of libownbuf (the raw layer, and mmap(2), only where a scene needs
 * a copied handle value or mmap offset, as C copies a pointer). Every
 * refusal is checked against the errno and the violation class the
 * contract names, every SIGBUS against the address touched; anything else
 * is reported UNEXPECTED and makes the demo exit 1.
 */

/* Scene 7 passes an mmap offset itself: 64 bits also on a 32-bit build. */
#define _FILE_OFFSET_BITS 64

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ownbufctl.h"

#define ULL(v) ((unsigned long long)(v))

struct demo {
	struct ownbuf_sess *s;
	struct ownbuf_stats before;
	int checks;
	int unexpected;
};

static void demo_scene(int n, const char *title)
{
	printf("\n== scene %d: %s\n", n, title);
}

static __printf(1, 2) void demo_line(const char *fmt, ...)
{
	va_list ap;

	fputs("  ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A call that must succeed; @what says what it did. */
static bool demo_ok(struct demo *d, int ret, const char *what, const char *detail)
{
	d->checks++;
	if (!ret) {
		printf("  %s -> OK%s%s\n", what, detail ? ", " : "", detail ? detail : "");
		return true;
	}
	d->unexpected++;
	printf("  %s -> %s (UNEXPECTED, wanted OK)\n", what, ownbuf_errno_name(ret));
	return false;
}

static void demo_snap(struct demo *d)
{
	if (ownbuf_stats(d->s, &d->before))
		memset(&d->before, 0, sizeof(d->before));
}

/* Check, and show, that one refusal of class @cls was counted since demo_snap(). */
static void demo_counted(struct demo *d, unsigned int cls)
{
	struct ownbuf_stats after;
	unsigned long long was, now;

	if (ownbuf_stats(d->s, &after))
		memset(&after, 0, sizeof(after));
	was = d->before.out_session.violations[cls];
	now = after.out_session.violations[cls];
	d->checks++;
	if (now == was + 1) {
		printf("     stats: this session's %s counter %llu -> %llu\n",
		       ownbuf_violation_name(cls), was, now);
	} else {
		d->unexpected++;
		printf("     stats: this session's %s counter %llu -> %llu%s\n",
		       ownbuf_violation_name(cls), was, now, " (UNEXPECTED, wanted +1)");
	}
}

/*
 * A call the device must refuse with @want (taken after demo_snap()),
 * counted once in the session's violation class @cls.
 */
static void demo_refused(struct demo *d, int ret, int want, unsigned int cls, const char *what)
{
	d->checks++;
	if (ret == -want) {
		printf("  %s -> %s (as expected)\n", what, ownbuf_errno_name(want));
	} else {
		d->unexpected++;
		printf("  %s -> %s (UNEXPECTED, wanted %s)\n", what, ownbuf_errno_name(ret),
		       ownbuf_errno_name(want));
	}
	demo_counted(d, cls);
}

/*
 * An access through a mapping that the kernel must answer with SIGBUS (@ret
 * from ctl_guarded_copy(), @at: at the address touched), taken after
 * demo_snap(): refused, and counted as lifetime, as a call through a
 * revoked handle is.
 */
static void demo_fault(struct demo *d, int ret, bool at, const char *what)
{
	d->checks++;
	if (ret == -EFAULT && at) {
		printf("  %s -> SIGBUS (as expected)\n", what);
	} else {
		d->unexpected++;
		printf("  %s -> %s (UNEXPECTED, wanted SIGBUS)\n", what,
		       ret == -EFAULT ? "SIGBUS elsewhere" : ret ? ownbuf_errno_name(ret) :
		       "read it");
	}
	demo_counted(d, OWNBUF_VIOLATION_LIFETIME);
}

/* Clean up after an unexpected answer: the owner goes, whatever is out. */
static void demo_let_go(struct ownbuf_own *o)
{
	if (ownbuf_drop(o, OWNBUF_DROP_REVOKE))
		ownbuf_own_free(o);	/* the session's close frees the buffer */
}

static void demo_hx(char *buf, size_t sz, const char *what, uint64_t v)
{
	snprintf(buf, sz, "%s 0x%016llx", what, ULL(v));
}

/* Wait for a child of a scene; a child that failed is unexpected. */
static void demo_wait(struct demo *d, pid_t pid)
{
	int status = 0;

	d->checks++;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		d->unexpected++;
		demo_line("child %d failed (UNEXPECTED)", (int)pid);
	}
}

static void scene_use_after_free(struct demo *d)
{
	struct ownbuf_own *p;
	char det[64];
	bool ok;
	int v = 42, out = 0, err, ret;
	uint64_t q;

	demo_scene(1, "use after free (seed 002)");
	demo_line("// In C this printed garbage (7227776):");
	demo_line("//   int *p = malloc(sizeof(int));");
	demo_line("//   *p = 42;");
	demo_line("//   int *q = p;");
	demo_line("//   free(p);");
	demo_line("//   printf(\"%%d\", *q);");
	demo_line("// Again, with ownbuf:");
	p = ownbuf_create(d->s, sizeof(int), &err);
	if (p)
		demo_hx(det, sizeof(det), "p = handle", p->handle);
	ok = demo_ok(d, p ? 0 : err, "int *p = malloc(sizeof(int)): create 4", p ? det : NULL);
	if (!ok || !p)
		return;
	if (!demo_ok(d, ownbuf_write(p, 0, &v, sizeof(v)), "*p = 42: write 42 through p", NULL))
		goto out;
	q = p->handle;
	demo_line("int *q = p: q = 0x%016llx, a copy of p's handle value, as C copies the pointer",
		  ULL(q));
	demo_snap(d);
	demo_line("stats: this session's use_after_free counter is %llu",
		  ULL(d->before.out_session.violations[OWNBUF_VIOLATION_USE_AFTER_FREE]));
	ret = ownbuf_drop(p, 0);
	if (!demo_ok(d, ret, "free(p): drop p (the buffer is freed now)", NULL))
		goto out;
	demo_snap(d);
	ret = ownbuf_raw_read(d->s->fd, q, 0, &out, sizeof(out));
	demo_refused(d, ret, ESTALE, OWNBUF_VIOLATION_USE_AFTER_FREE,
		     "printf(\"%d\", *q): read through q");
	if (!ret)
		demo_line("read %d through a freed buffer", out);
	return;
out:
	demo_let_go(p);
}

/* The child of scene 2: take the buffer, read it, print it. */
static int scene_move_child(int rfd)
{
	struct ownbuf_move_ticket t;
	struct ownbuf_sess *s;
	struct ownbuf_own *o;
	char buf[33] = "";
	int err, ret = 1;

	if (read(rfd, &t, sizeof(t)) != sizeof(t))
		return 1;
	s = ownbuf_session_open(&err);
	if (!s) {
		demo_line("[child %d] open: %s (UNEXPECTED)", (int)getpid(),
			  ownbuf_errno_name(err));
		return 1;
	}
	o = ownbuf_take(s, t, &err);
	if (!o) {
		demo_line("[child %d] take ticket 0x%016llx -> %s (UNEXPECTED, wanted OK)",
			  (int)getpid(), ULL(t.value), ownbuf_errno_name(err));
		goto out;
	}
	demo_line("[child %d] take ticket 0x%016llx from the pipe -> OK, owner handle 0x%016llx",
		  (int)getpid(), ULL(t.value), ULL(o->handle));
	err = ownbuf_read(o, 0, buf, sizeof(buf) - 1);
	if (err)
		demo_line("[child %d] read -> %s (UNEXPECTED, wanted OK)", (int)getpid(),
			  ownbuf_errno_name(err));
	else
		demo_line("[child %d] read -> OK, \"%s\"", (int)getpid(), buf);
	ret = err ? 1 : 0;
	if (ownbuf_drop(o, 0)) {
		ownbuf_own_free(o);
		ret = 1;
	}
out:
	ownbuf_session_close(s);
	return ret;
}

static void scene_move(struct demo *d)
{
	static const char msg[32] = "moved from parent to child";
	struct ownbuf_move_ticket t;
	struct ownbuf_own *o;
	char det[64], buf[32];
	int p[2], err, ret;
	uint64_t old;
	pid_t pid;

	demo_scene(2, "a move to a child process (fork + pipe)");
	demo_line("// Rust: let v = vec; thread::spawn(move || use(v)); v.len(); // error: moved");
	o = ownbuf_create(d->s, sizeof(msg), &err);
	if (o)
		demo_hx(det, sizeof(det), "handle", o->handle);
	if (!demo_ok(d, o ? 0 : err, "create 32", o ? det : NULL) || !o)
		return;
	err = ownbuf_write(o, 0, msg, sizeof(msg));
	if (!demo_ok(d, err, "write \"moved from parent to child\"", NULL) || pipe(p)) {
		demo_let_go(o);
		return;
	}
	old = o->handle;
	ret = ownbuf_give(o, &t);
	demo_hx(det, sizeof(det), "move ticket", t.value);
	if (!demo_ok(d, ret, "give (the handle dies at once)", ret ? NULL : det)) {
		demo_let_go(o);
		close(p[0]);
		close(p[1]);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		ret = scene_move_child(p[0]);
		fflush(stdout);
		_exit(ret);
	}
	close(p[0]);
	if (pid < 0) {
		err = -errno;
		close(p[1]);
		demo_ok(d, err, "fork", NULL);
		return;
	}
	demo_line("parent: the ticket goes into the pipe to child %d", (int)pid);
	fflush(stdout);
	if (write(p[1], &t, sizeof(t)) != sizeof(t))
		demo_ok(d, -EPIPE, "write the ticket into the pipe", NULL);
	close(p[1]);
	demo_wait(d, pid);
	demo_snap(d);
	demo_refused(d, ownbuf_raw_read(d->s->fd, old, 0, buf, sizeof(buf)), ESTALE,
		     OWNBUF_VIOLATION_USE_AFTER_MOVE, "parent: read through the old handle");
}

static void scene_xor(struct demo *d)
{
	struct ownbuf_ref *r1 = NULL, *r2 = NULL, *m;
	struct ownbuf_own *o;
	char buf[8] = "data";
	int err;

	demo_scene(3, "many readers XOR one writer");
	demo_line("// Rust: let a = &v; let b = &v; let m = &mut v; // error[E0502]");
	o = ownbuf_create(d->s, 64, &err);
	if (!demo_ok(d, o ? 0 : err, "create 64", NULL) || !o)
		return;
	r1 = ownbuf_borrow(o, OWNBUF_MODE_SHARED, &err);
	if (!demo_ok(d, r1 ? 0 : err, "shared borrow a", NULL) || !r1)
		goto out;
	r2 = ownbuf_borrow(o, OWNBUF_MODE_SHARED, &err);
	if (!demo_ok(d, r2 ? 0 : err, "shared borrow b", NULL) || !r2)
		goto out;
	demo_snap(d);
	m = ownbuf_borrow(o, OWNBUF_MODE_MUT, &err);
	demo_refused(d, err, EBUSY, OWNBUF_VIOLATION_DATA_RACE,
		     "mutable borrow while a and b are out");
	if (m)
		ownbuf_release(m);
	demo_snap(d);
	demo_refused(d, ownbuf_write(o, 0, buf, 4), EBUSY, OWNBUF_VIOLATION_DATA_RACE,
		     "the owner writes while a and b are out");
	err = ownbuf_release(r1);
	r1 = NULL;
	if (!demo_ok(d, err, "release a", NULL))
		goto out;
	err = ownbuf_release(r2);
	r2 = NULL;
	if (!demo_ok(d, err, "release b", NULL))
		goto out;
	m = ownbuf_borrow(o, OWNBUF_MODE_MUT, &err);
	if (!demo_ok(d, m ? 0 : err, "mutable borrow m, no reader left", NULL) || !m)
		goto out;
	demo_ok(d, ownbuf_write(m, 0, buf, 4), "write through m", NULL);
	demo_snap(d);
	demo_refused(d, ownbuf_read(o, 0, buf, 4), EBUSY, OWNBUF_VIOLATION_DATA_RACE,
		     "the owner reads while m is out");
	demo_ok(d, ownbuf_release(m), "release m", NULL);
out:
	if (r1)
		ownbuf_release(r1);
	if (r2)
		ownbuf_release(r2);
	if (!demo_ok(d, ownbuf_drop(o, 0), "drop", NULL))
		demo_let_go(o);
}

/* The child of scene 4: own a buffer, lend it, exit when told. */
static int scene_lend_child(int tfd, int gofd)
{
	static const char msg[32] = "lent by the child";
	struct ownbuf_lend_ticket t;
	struct ownbuf_sess *s;
	struct ownbuf_own *o;
	char c;
	int err;

	s = ownbuf_session_open(&err);
	if (!s)
		return 1;
	o = ownbuf_create(s, sizeof(msg), &err);
	if (!o || ownbuf_write(o, 0, msg, sizeof(msg)) || ownbuf_lend(o, OWNBUF_MODE_SHARED, &t)) {
		demo_line("[child %d] create, write or lend failed (UNEXPECTED)", (int)getpid());
		if (o)
			ownbuf_own_free(o);	/* the exit frees the buffer */
		return 1;
	}
	demo_line("[child %d] create 32, write \"%s\", lend --shared -> OK, ticket 0x%016llx",
		  (int)getpid(), msg, ULL(t.value));
	fflush(stdout);
	/* No drop, no close: the process exit ends the session. */
	ownbuf_own_free(o);
	if (write(tfd, &t, sizeof(t)) != sizeof(t))
		return 1;
	while (read(gofd, &c, 1) < 0 && errno == EINTR)
		;
	demo_line("[child %d] exits without dropping: its buffer dies with it", (int)getpid());
	fflush(stdout);
	return 0;
}

static void scene_lend(struct demo *d)
{
	struct ownbuf_lend_ticket t;
	struct ownbuf_ref *r;
	int tp[2], gp[2], err;
	char buf[32] = "", det[48];
	pid_t pid;

	demo_scene(4, "a borrow revoked when the owner exits");
	demo_line("// Rust: let r; { let v = vec![1]; r = &v; } use(r); // error[E0597]");
	if (pipe(tp))
		return;
	if (pipe(gp)) {
		close(tp[0]);
		close(tp[1]);
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(tp[0]);
		close(gp[1]);
		_exit(scene_lend_child(tp[1], gp[0]));
	}
	close(tp[1]);
	close(gp[0]);
	if (pid < 0 || read(tp[0], &t, sizeof(t)) != sizeof(t)) {
		demo_ok(d, -EPIPE, "receive the lend ticket", NULL);
		close(tp[0]);
		close(gp[1]);
		if (pid > 0)
			demo_wait(d, pid);
		return;
	}
	close(tp[0]);
	r = ownbuf_accept(d->s, t, &err);
	if (r)
		demo_hx(det, sizeof(det), "borrow", r->handle);
	if (!demo_ok(d, r ? 0 : err, "parent: accept the ticket from the pipe", r ? det : NULL) ||
	    !r) {
		close(gp[1]);
		demo_wait(d, pid);
		return;
	}
	err = ownbuf_read(r, 0, buf, sizeof(buf) - 1);
	snprintf(det, sizeof(det), "\"%s\"", buf);
	demo_ok(d, err, "parent: read through the borrow", err ? NULL : det);
	close(gp[1]);
	demo_wait(d, pid);
	demo_snap(d);
	demo_refused(d, ownbuf_read(r, 0, buf, sizeof(buf) - 1), ESTALE,
		     OWNBUF_VIOLATION_LIFETIME,
		     "parent: read through the borrow after the owner exited");
	/* The kernel ended the borrow when it revoked it: free the record only. */
	ownbuf_ref_free(r);
}

static void scene_double_free(struct demo *d)
{
	struct ownbuf_own *o;
	int err;
	uint64_t h;

	demo_scene(5, "double free");
	demo_line("// In C: char *p = malloc(16); free(p); free(p);");
	o = ownbuf_create(d->s, 16, &err);
	if (!demo_ok(d, o ? 0 : err, "create 16", NULL) || !o)
		return;
	h = o->handle;
	if (!demo_ok(d, ownbuf_drop(o, 0), "drop", NULL)) {
		demo_let_go(o);
		return;
	}
	demo_snap(d);
	demo_refused(d, ownbuf_raw_drop(d->s->fd, h, 0), ESTALE, OWNBUF_VIOLATION_DOUBLE_FREE,
		     "drop the same handle value again");
}

static void scene_overflow(struct demo *d)
{
	struct ownbuf_own *o;
	int err;

	demo_scene(6, "buffer overflow");
	demo_line("// In C: char *p = malloc(16); memcpy(p + 14, \"abcd\", 4);");
	o = ownbuf_create(d->s, 16, &err);
	if (!demo_ok(d, o ? 0 : err, "create 16", NULL) || !o)
		return;
	demo_snap(d);
	demo_refused(d, ownbuf_write(o, 14, "abcd", 4), ERANGE, OWNBUF_VIOLATION_OVERFLOW,
		     "write 4 bytes at offset 14");
	if (!demo_ok(d, ownbuf_drop(o, 0), "drop", NULL))
		demo_let_go(o);
}

/* Scene 7: seed 002 again, with q a real pointer: a mapping of the buffer. */
static void scene_mapping(struct demo *d)
{
	static const char msg[32] = "hello through a pointer";
	struct ownbuf_view *v = NULL;
	struct ownbuf_own *p;
	struct ownbuf_query qu;
	char det[80], buf[sizeof(msg)];
	uint64_t off = 0, len = 0;
	void *fault = NULL, *again;
	const char *q;
	int err, ret;

	demo_scene(7, "seed 002's dangling pointer, through a mapping");
	demo_line("// Scene 1's q was a copied handle; here it is a pointer, as in C:");
	demo_line("//   char *p = malloc(32);");
	demo_line("//   strcpy(p, \"%s\");", msg);
	demo_line("//   char *q = p;");
	demo_line("//   free(p);");
	demo_line("//   puts(q);");
	p = ownbuf_create(d->s, sizeof(msg), &err);
	if (p)
		demo_hx(det, sizeof(det), "p = handle", p->handle);
	if (!demo_ok(d, p ? 0 : err, "char *p = malloc(32): create 32", p ? det : NULL) || !p)
		return;
	if (!demo_ok(d, ownbuf_write(p, 0, msg, sizeof(msg)), "strcpy(p, ...): write through p",
		     NULL))
		goto out;
	v = ownbuf_map_ro(p, &err);
	if (v)
		snprintf(det, sizeof(det), "q = %p, %zu bytes", v->addr, v->len);
	if (!demo_ok(d, v ? 0 : err, "char *q = p: map p read-only (MAP, then mmap)",
		     v ? det : NULL) || !v)
		goto out;
	q = v->addr;
	ret = ownbuf_raw_map(d->s->fd, p->handle, &off, &len);
	snprintf(det, sizeof(det), "offset 0x%llx, which mmap will want later", ULL(off));
	demo_ok(d, ret, "MAP p again: the same offset as q's", ret ? NULL : det);
	ret = ctl_guarded_copy(buf, q, 0, sizeof(buf), &fault);
	buf[sizeof(buf) - 1] = '\0';
	snprintf(det, sizeof(det), "\"%s\"", buf);
	demo_ok(d, ret, "puts(q): read the bytes through q, no system call", ret ? NULL : det);
	ret = ownbuf_query(p, &qu);
	d->checks++;
	if (!ret && qu.out_shared == 1 && qu.out_mappings == 1) {
		demo_line("query p -> OK, shared %u, mappings %u: q is a shared borrow of p",
			  qu.out_shared, qu.out_mappings);
	} else if (ret) {
		d->unexpected++;
		demo_line("query p -> %s (UNEXPECTED, wanted OK)", ownbuf_errno_name(ret));
	} else {
		d->unexpected++;
		demo_line("query p -> OK, shared %u, mappings %u (UNEXPECTED, wanted 1 and 1)",
			  qu.out_shared, qu.out_mappings);
	}
	demo_snap(d);
	ret = ownbuf_drop(p, 0);
	demo_refused(d, ret, EBUSY, OWNBUF_VIOLATION_LIFETIME,
		     "free(p): drop p while q still maps it");
	if (!ret)
		p = NULL;	/* dropped after all: its record went with it */
	if (p) {
		ret = ownbuf_drop(p, OWNBUF_DROP_REVOKE);
		if (!demo_ok(d, ret, "free(p) anyway: drop p --revoke (q's mapping is torn down)",
			     NULL))
			goto out;
		p = NULL;
	}
	demo_snap(d);
	ret = ctl_guarded_copy(buf, q, 0, 1, &fault);
	demo_fault(d, ret, fault == q, "puts(q): read through q after the free");
	demo_snap(d);
	again = mmap(NULL, len, PROT_READ, MAP_SHARED, d->s->fd, (off_t)off);
	ret = again == MAP_FAILED ? -errno : 0;
	demo_refused(d, ret, ESTALE, OWNBUF_VIOLATION_USE_AFTER_FREE,
		     "mmap q's offset again: map the freed buffer anew");
	if (!ret)
		munmap(again, len);
out:
	if (v)
		demo_ok(d, ownbuf_unmap(v), "munmap(q): give the dead mapping's addresses back",
			NULL);
	if (p)
		demo_let_go(p);
}

static void demo_table(struct demo *d)
{
	struct ownbuf_stats st;
	unsigned int i;
	int ret = ownbuf_stats(d->s, &st);

	printf("\n== this session's refused violations, by class\n");
	if (!demo_ok(d, ret, "stats", NULL))
		return;
	printf("  %-16s %s\n", "class", "count");
	for (i = 0; i < OWNBUF_VIOLATION_NR; i++)
		printf("  %-16s %llu\n", ownbuf_violation_name(i),
		       ULL(st.out_session.violations[i]));
	printf("  %-16s %llu\n", "(all refused)", ULL(st.out_session.refused));
}

int ctl_demo(struct ctl *c, struct ctl_step *st)
{
	struct demo d = { 0 };
	int err;

	(void)c;
	(void)st;
	d.s = ownbuf_session_open(&err);
	if (!d.s) {
		fprintf(stderr, "ownbufctl: demo: cannot open %s: %s (%s)\n", OWNBUF_DEVICE_PATH,
			ownbuf_errno_name(err), strerror(-err));
		return CTL_FAILED;
	}
	printf("ownbuf demo: what Rust refuses to compile, /dev/ownbuf refuses at run time\n");
	scene_use_after_free(&d);
	scene_move(&d);
	scene_xor(&d);
	scene_lend(&d);
	scene_double_free(&d);
	scene_overflow(&d);
	scene_mapping(&d);
	demo_table(&d);
	ownbuf_session_close(d.s);
	if (d.unexpected) {
		printf("\ndemo: %d of %d answers UNEXPECTED\n", d.unexpected, d.checks);
		return CTL_FAILED;
	}
	printf("\ndemo: all %d answers as expected\n", d.checks);
	return CTL_OK;
}
