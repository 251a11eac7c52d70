// SPDX-License-Identifier: GPL-2.0
/*
 * ownbufctl graph: who owns, borrows and carries what, device-wide, read
 * from the module's debugfs file, one record per line of space-separated
 * key=value pairs:
 *
 *   session tag=<n> pid=<n> comm=<name>
 *   owner session=<tag> handle=0x<hex> gen=<n> buffer=<id> size=<bytes> state=<flags>
 *   borrow session=<tag> handle=0x<hex> gen=<n> buffer=<id> mode=shared|mut
 *   ticket kind=move|lend maker=<tag> buffer=<id> mode=shared|mut|- size=<bytes>
 *   mapping session=<tag> buffer=<id> mode=shared|mut through=owner|borrow pages=<n>
 *
 * Keys are looked up by name; unknown record types and keys are ignored,
 * so the file may grow. comm is the rest of its line (it may hold spaces).
 * Drawn as boxes of text, or as Graphviz DOT with --dot.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ownbufctl.h"

#define ULL(v) ((unsigned long long)(v))
#define G_MAX_KEYS 8
#define G_WORD 64

struct g_session {
	uint64_t tag, pid;
	char comm[G_WORD];
	bool listed;		/* has a session line (else only referenced) */
};

struct g_owner {
	uint64_t session, handle, gen, buffer, size;
	char state[G_WORD];
};

struct g_borrow {
	uint64_t session, handle, gen, buffer;
	char mode[G_WORD];
};

struct g_ticket {
	uint64_t maker, buffer, size;
	char kind[G_WORD], mode[G_WORD];
};

/* An mmap of a buffer: a borrow edge of its own, or part of a borrow's. */
struct g_map {
	uint64_t session, buffer, pages;
	char mode[G_WORD], through[G_WORD];
};

struct graph {
	struct g_session *sess;
	struct g_owner *own;
	struct g_borrow *bor;
	struct g_ticket *tik;
	struct g_map *map;
	size_t nsess, nown, nbor, ntik, nmap;
	int skipped;
};

/* One line split into its type and key=value pairs (in place). */
struct g_line {
	char *type;
	int n;
	char *key[G_MAX_KEYS], *val[G_MAX_KEYS];
};

static const char *g_get(const struct g_line *l, const char *key)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->key[i], key))
			return l->val[i];
	return NULL;
}

static bool g_num(const struct g_line *l, const char *key, uint64_t *out)
{
	const char *v = g_get(l, key);

	return v && !ctl_parse_u64(v, out);
}

static bool g_str(const struct g_line *l, const char *key, char *out)
{
	const char *v = g_get(l, key);

	if (!v)
		return false;
	snprintf(out, G_WORD, "%s", v);
	return true;
}

static void g_split(char *s, struct g_line *l)
{
	char *tok, *save = NULL, *comm = strstr(s, " comm=");
	const char *sep = " \t";

	l->n = 0;
	if (comm)
		*comm = '\0';
	l->type = strtok_r(s, sep, &save);
	while (l->type && (tok = strtok_r(NULL, sep, &save)) && l->n < G_MAX_KEYS - 1) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = '\0';
		l->key[l->n] = tok;
		l->val[l->n++] = eq + 1;
	}
	if (comm) {
		l->key[l->n] = "comm";
		l->val[l->n++] = comm + strlen(" comm=");
	}
}

/* Append one zeroed element to a growing array. */
static void *g_push(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	if (!p)
		return NULL;
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static struct g_session *g_session(struct graph *g, uint64_t tag, bool create)
{
	struct g_session *s;
	size_t i;

	for (i = 0; i < g->nsess; i++)
		if (g->sess[i].tag == tag)
			return &g->sess[i];
	if (!create)
		return NULL;
	s = g_push(g->sess, &g->nsess, sizeof(*s));
	if (!s)
		return NULL;
	g->sess = s;
	s = &g->sess[g->nsess - 1];
	s->tag = tag;
	return s;
}

static int g_record(struct graph *g, struct g_line *l)
{
	void *p;

	if (!strcmp(l->type, "session")) {
		struct g_session *s;
		uint64_t tag, pid;
		char comm[G_WORD];

		if (!g_num(l, "tag", &tag) || !g_num(l, "pid", &pid) || !g_str(l, "comm", comm))
			return -EINVAL;
		s = g_session(g, tag, true);
		if (!s)
			return -ENOMEM;
		s->pid = pid;
		s->listed = true;
		memcpy(s->comm, comm, sizeof(comm));
	} else if (!strcmp(l->type, "owner")) {
		struct g_owner o;

		if (!g_num(l, "session", &o.session) || !g_num(l, "handle", &o.handle) ||
		    !g_num(l, "gen", &o.gen) || !g_num(l, "buffer", &o.buffer) ||
		    !g_num(l, "size", &o.size) || !g_str(l, "state", o.state))
			return -EINVAL;
		p = g_push(g->own, &g->nown, sizeof(o));
		if (!p)
			return -ENOMEM;
		g->own = p;
		g->own[g->nown - 1] = o;
	} else if (!strcmp(l->type, "borrow")) {
		struct g_borrow b;

		if (!g_num(l, "session", &b.session) || !g_num(l, "handle", &b.handle) ||
		    !g_num(l, "gen", &b.gen) || !g_num(l, "buffer", &b.buffer) ||
		    !g_str(l, "mode", b.mode))
			return -EINVAL;
		p = g_push(g->bor, &g->nbor, sizeof(b));
		if (!p)
			return -ENOMEM;
		g->bor = p;
		g->bor[g->nbor - 1] = b;
	} else if (!strcmp(l->type, "ticket")) {
		struct g_ticket t;

		if (!g_str(l, "kind", t.kind) || !g_num(l, "maker", &t.maker) ||
		    !g_num(l, "buffer", &t.buffer) || !g_str(l, "mode", t.mode) ||
		    !g_num(l, "size", &t.size))
			return -EINVAL;
		p = g_push(g->tik, &g->ntik, sizeof(t));
		if (!p)
			return -ENOMEM;
		g->tik = p;
		g->tik[g->ntik - 1] = t;
	} else if (!strcmp(l->type, "mapping")) {
		struct g_map mp;

		if (!g_num(l, "session", &mp.session) || !g_num(l, "buffer", &mp.buffer) ||
		    !g_str(l, "mode", mp.mode) || !g_str(l, "through", mp.through) ||
		    !g_num(l, "pages", &mp.pages))
			return -EINVAL;
		p = g_push(g->map, &g->nmap, sizeof(mp));
		if (!p)
			return -ENOMEM;
		g->map = p;
		g->map[g->nmap - 1] = mp;
	}
	return 0;
}

static void g_free(struct graph *g)
{
	free(g->sess);
	free(g->own);
	free(g->bor);
	free(g->tik);
	free(g->map);
	memset(g, 0, sizeof(*g));
}

/* Mount debugfs when the graph file is missing and nothing is mounted there. */
static void g_mount_debugfs(void)
{
	struct stat a, b;

	if (stat("/sys/kernel/debug", &a) || stat("/sys/kernel", &b))
		return;
	if (a.st_dev == b.st_dev)	/* not a mount point yet */
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

static int g_load(struct graph *g, const char *path, bool from_fixture)
{
	char line[512];
	FILE *f;
	size_t i;
	int ret = 0, lineno = 0;

	f = fopen(path, "re");
	if (!f && errno == ENOENT && !from_fixture) {
		g_mount_debugfs();
		f = fopen(path, "re");
	}
	if (!f) {
		ret = errno;
		fprintf(stderr, "ownbufctl: graph: cannot read %s: %s (%s)\n", path,
			ownbuf_errno_name(ret), strerror(ret));
		if (!from_fixture && ret == ENOENT)
			fprintf(stderr,
				"ownbufctl: graph: it needs debugfs mounted on /sys/kernel/debug\n"
				"  (mount -t debugfs none /sys/kernel/debug), root, and an ownbuf\n"
				"  module that has the graph file (is it loaded?)\n");
		return CTL_FAILED;
	}
	while (fgets(line, sizeof(line), f)) {
		struct g_line l;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		g_split(line, &l);
		if (!l.type)
			continue;
		ret = g_record(g, &l);
		if (ret == -ENOMEM)
			break;
		if (ret) {
			fprintf(stderr, "ownbufctl: graph: %s:%d: malformed '%s' record, skipped\n",
				path, lineno, l.type);
			g->skipped++;
			ret = 0;
		}
	}
	fclose(f);
	if (ret)
		return ctl_refused("graph", ret);
	/* Sessions seen only as owners, borrowers or ticket makers. */
	for (i = 0; i < g->nown; i++)
		if (!g_session(g, g->own[i].session, true))
			return ctl_refused("graph", -ENOMEM);
	for (i = 0; i < g->nbor; i++)
		if (!g_session(g, g->bor[i].session, true))
			return ctl_refused("graph", -ENOMEM);
	for (i = 0; i < g->ntik; i++)
		if (!g_session(g, g->tik[i].maker, true))
			return ctl_refused("graph", -ENOMEM);
	return 0;
}

static const struct g_owner *g_owner_of(const struct graph *g, uint64_t buffer)
{
	size_t i;

	for (i = 0; i < g->nown; i++)
		if (g->own[i].buffer == buffer)
			return &g->own[i];
	return NULL;
}

/* The kernel gives a lend ticket's size as 0: the lent buffer's owner knows. */
static uint64_t g_ticket_size(const struct graph *g, const struct g_ticket *t)
{
	const struct g_owner *o = g_owner_of(g, t->buffer);

	return !t->size && o ? o->size : t->size;
}

/* ---- text ---------------------------------------------------------- */

#define G_LINES 256
#define G_COLS 160

struct g_box {
	char line[G_LINES][G_COLS];
	int n;
};

static __printf(2, 3) void g_box_add(struct g_box *b, const char *fmt, ...)
{
	va_list ap;

	if (b->n == G_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(b->line[b->n++], G_COLS, fmt, ap);
	va_end(ap);
}

static void g_rule(FILE *out, int width, const char *title)
{
	int n = 0;

	if (title)
		n = fprintf(out, "+- %s ", title);
	else
		n = fprintf(out, "+");
	for (; n < width + 3; n++)
		fputc('-', out);
	fputs("+\n", out);
}

static void g_text_session(FILE *out, const struct graph *g, const struct g_session *s,
			   struct g_box *b)
{
	char title[G_COLS];
	size_t i;
	int width, len;

	b->n = 0;
	if (s->listed)
		snprintf(title, sizeof(title), "session %llu  pid %llu  %s", ULL(s->tag),
			 ULL(s->pid), s->comm);
	else
		snprintf(title, sizeof(title), "session %llu", ULL(s->tag));
	for (i = 0; i < g->nown; i++) {
		const struct g_owner *o = &g->own[i];

		if (o->session == s->tag)
			g_box_add(b, "owns   buffer %-6llu %10llu B  gen %-4llu [%s]",
				  ULL(o->buffer), ULL(o->size), ULL(o->gen), o->state);
	}
	for (i = 0; i < g->nbor; i++) {
		const struct g_borrow *r = &g->bor[i];
		const struct g_owner *o = g_owner_of(g, r->buffer);
		char whose[48];

		if (r->session != s->tag)
			continue;
		if (o)
			snprintf(whose, sizeof(whose), "of session %llu", ULL(o->session));
		else
			snprintf(whose, sizeof(whose), "no owner");
		g_box_add(b, "borrow 0x%016llx %s buffer %llu (%s)", ULL(r->handle),
			  strcmp(r->mode, "mut") ? "--s-->" : "==m==>", ULL(r->buffer), whose);
	}
	for (i = 0; i < g->nmap; i++) {
		const struct g_map *mp = &g->map[i];
		const struct g_owner *o = g_owner_of(g, mp->buffer);
		char whose[48] = "";

		if (mp->session != s->tag)
			continue;
		if (o && o->session != s->tag)
			snprintf(whose, sizeof(whose), ", of session %llu", ULL(o->session));
		g_box_add(b, "mmap   %s buffer %llu (%llu pages, %s handle%s)",
			  strcmp(mp->mode, "mut") ? "--s-->" : "==m==>", ULL(mp->buffer),
			  ULL(mp->pages), mp->through, whose);
	}
	for (i = 0; i < g->ntik; i++) {
		const struct g_ticket *t = &g->tik[i];

		if (t->maker == s->tag)
			g_box_add(b, "ticket %s of buffer %llu (%llu B)%s%s ~~> (in flight)",
				  t->kind, ULL(t->buffer), ULL(g_ticket_size(g, t)),
				  strcmp(t->kind, "lend") ? "" : ", ",
				  strcmp(t->kind, "lend") ? "" : t->mode);
	}
	if (!b->n)
		g_box_add(b, "(owns and borrows nothing)");
	width = strlen(title) + 2;
	for (i = 0; i < (size_t)b->n; i++) {
		len = strlen(b->line[i]);
		if (len > width)
			width = len;
	}
	g_rule(out, width, title);
	for (i = 0; i < (size_t)b->n; i++)
		fprintf(out, "| %-*s |\n", width, b->line[i]);
	g_rule(out, width, NULL);
}

static void g_text(FILE *out, const struct graph *g)
{
	struct g_box *b = malloc(sizeof(*b));
	size_t i;

	fprintf(out,
		"ownbuf: %zu sessions, %zu buffers owned, %zu borrows, %zu mappings, %zu tickets in flight\n",
		g->nsess, g->nown, g->nbor, g->nmap, g->ntik);
	fputs("legend: --s--> shared borrow, ==m==> mutable borrow, mmap a mapping, ~~> ticket\n",
	      out);
	if (!b)
		return;
	for (i = 0; i < g->nsess; i++)
		g_text_session(out, g, &g->sess[i], b);
	free(b);
	if (!g->ntik) {
		fputs("tickets in flight: none\n", out);
		return;
	}
	fputs("tickets in flight:\n", out);
	for (i = 0; i < g->ntik; i++) {
		const struct g_ticket *t = &g->tik[i];

		if (!strcmp(t->kind, "move"))
			fprintf(out, "  move  buffer %llu (%llu B) leaving session %llu\n",
				ULL(t->buffer), ULL(t->size), ULL(t->maker));
		else
			fprintf(out, "  %-5s %s loan of buffer %llu (%llu B) from session %llu\n",
				t->kind, t->mode, ULL(t->buffer), ULL(g_ticket_size(g, t)),
				ULL(t->maker));
	}
}

/* ---- DOT ----------------------------------------------------------- */

static void g_dot_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void g_dot(FILE *out, const struct graph *g)
{
	size_t i, j;

	fputs("digraph ownbuf {\n\trankdir=LR;\n\tnode [fontname=\"monospace\"];\n", out);
	for (i = 0; i < g->nsess; i++) {
		const struct g_session *s = &g->sess[i];

		fprintf(out, "\tsubgraph cluster_s%llu {\n\t\tlabel=\"session %llu", ULL(s->tag),
			ULL(s->tag));
		if (s->listed) {
			fprintf(out, "\\npid %llu ", ULL(s->pid));
			g_dot_str(out, s->comm);
		}
		fprintf(out, "\";\n\t\ts%llu [label=\"session %llu\", shape=ellipse];\n",
			ULL(s->tag), ULL(s->tag));
		for (j = 0; j < g->nown; j++) {
			const struct g_owner *o = &g->own[j];

			if (o->session != s->tag)
				continue;
			fprintf(out, "\t\tb%llu [label=\"buffer %llu\\n%llu B, gen %llu\\n",
				ULL(o->buffer), ULL(o->buffer), ULL(o->size), ULL(o->gen));
			g_dot_str(out, o->state);
			fputs("\", shape=box];\n", out);
		}
		fputs("\t}\n", out);
	}
	/* Buffers nobody owns here: in flight on a move ticket. */
	for (i = 0; i < g->ntik; i++) {
		const struct g_ticket *t = &g->tik[i];

		if (!g_owner_of(g, t->buffer))
			fprintf(out,
				"\tb%llu [label=\"buffer %llu\\n%llu B\\nin flight\", shape=box, style=dashed];\n",
				ULL(t->buffer), ULL(t->buffer), ULL(t->size));
	}
	for (i = 0; i < g->nbor; i++) {
		const struct g_borrow *r = &g->bor[i];
		bool mut = !strcmp(r->mode, "mut");

		if (!g_owner_of(g, r->buffer))
			fprintf(out, "\tb%llu [label=\"buffer %llu\", shape=box];\n",
				ULL(r->buffer), ULL(r->buffer));
		fprintf(out, "\ts%llu -> b%llu [label=\"%s\", style=%s];\n", ULL(r->session),
			ULL(r->buffer), mut ? "mut" : "shared", mut ? "solid" : "dashed");
	}
	for (i = 0; i < g->nmap; i++) {
		const struct g_map *mp = &g->map[i];

		fprintf(out, "\ts%llu -> b%llu [label=\"mmap %s (%s)\", style=bold];\n",
			ULL(mp->session), ULL(mp->buffer),
			strcmp(mp->mode, "mut") ? "shared" : "mut",
			strcmp(mp->through, "owner") ? "borrow" : "owner");
	}
	for (i = 0; i < g->ntik; i++) {
		const struct g_ticket *t = &g->tik[i];

		fprintf(out, "\ts%llu -> b%llu [label=\"", ULL(t->maker), ULL(t->buffer));
		g_dot_str(out, t->kind);
		if (strcmp(t->kind, "move")) {
			fputc(' ', out);
			g_dot_str(out, t->mode);
		}
		fputs(" ticket\", style=dotted];\n", out);
	}
	fputs("}\n", out);
}

/* One drawing: the file read anew. */
static int g_show(struct ctl *c, struct ctl_step *st)
{
	const char *from = ctl_opt(st, "--from");
	struct graph g = { 0 };
	int ret;

	(void)c;
	ret = g_load(&g, from ? from : CTL_GRAPH_PATH, from);
	if (!ret && ctl_flag(st, "--dot"))
		g_dot(stdout, &g);
	else if (!ret)
		g_text(stdout, &g);
	g_free(&g);
	return ret;
}

int ctl_graph(struct ctl *c, struct ctl_step *st)
{
	return ctl_watch(c, st, g_show);
}
