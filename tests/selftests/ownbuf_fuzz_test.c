// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf selftests: the bad-input matrix, systematically, then random
 * requests for a bounded time. Built 64- and 32-bit like every selftest,
 * so the compat path sees the same inputs.
 *
 * - every command number of the magic with every direction and a range of
 *   sizes: ENOTTY unless the number, the direction and a size at least the
 *   defined one match; a larger struct is accepted with a zero tail and
 *   refused with E2BIG otherwise (the extensible-struct rule);
 * - every bit of every flags and reserved field of every struct: EINVAL,
 *   with the rest of the request valid and nothing changed; bad modes too;
 *   out_* fields are ignored on input;
 * - argument pointers NULL, unmapped, read-only (for commands that write
 *   an answer), kernel addresses and structs straddling into an unmapped
 *   page: EFAULT, nothing changed; a misaligned one works;
 * - read/write data pointers the same way, and offsets and lengths near
 *   2^64: ERANGE;
 * - random requests (random numbers, directions, sizes, bytes, with live
 *   handles and tickets mixed in) for /etc/ownbuf/fuzz-seconds (5 when
 *   absent) or OWNBUF_FUZZ_SECONDS: only errnos of the contract, and the
 *   device holds nothing of the session once it is closed.
 *
 * make fuzz [DURATION=s] [SEED=n] runs it alone in the debug guest.
 */

#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "ownbuf_helpers.h"

/* The commands this header defines, with their direction and size. */
static const unsigned long cmds[] = {
	OWNBUF_IOC_CREATE, OWNBUF_IOC_DROP, OWNBUF_IOC_READ, OWNBUF_IOC_WRITE,
	OWNBUF_IOC_BORROW, OWNBUF_IOC_RELEASE, OWNBUF_IOC_GIVE, OWNBUF_IOC_TAKE,
	OWNBUF_IOC_CANCEL, OWNBUF_IOC_LEND, OWNBUF_IOC_ACCEPT, OWNBUF_IOC_CLONE,
	OWNBUF_IOC_FREEZE, OWNBUF_IOC_QUERY, OWNBUF_IOC_STATS, OWNBUF_IOC_MAP,
};

#define NR_CMDS ARRAY_SIZE(cmds)
#define ARG_MAX (_IOC_SIZEMASK + 1)

static const unsigned long *defined(unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < NR_CMDS; i++)
		if (_IOC_NR(cmds[i]) == nr)
			return &cmds[i];
	return NULL;
}

/* The older size a struct that grew is still known by, 0 if none. */
static unsigned int old_size(unsigned int nr)
{
	return nr == _IOC_NR(OWNBUF_IOC_STATS) ? OWNBUF_STATS_SIZE_V1 : 0;
}

/* What exists, for "nothing changed". */
static void counts_of(int fd, struct ownbuf_counts *c)
{
	struct ownbuf_stats st;

	memset(c, 0, sizeof(*c));
	if (!_test_stats(fd, &st))
		*c = st.out_session;
}

static bool same_counts(const struct ownbuf_counts *a, const struct ownbuf_counts *b)
{
	return a->buffers == b->buffers && a->bytes == b->bytes &&
	       a->borrows == b->borrows && a->tickets == b->tickets;
}

FIXTURE(fz)
{
	int fd;
	__u8 *arg;	/* ARG_MAX bytes, zeroed */
};

FIXTURE_SETUP(fz)
{
	self->fd = ob_open();
	ASSERT_LE(0, self->fd);
	self->arg = calloc(1, ARG_MAX + 16);
	ASSERT_TRUE(!!self->arg);
}

FIXTURE_TEARDOWN(fz)
{
	free(self->arg);
	close(self->fd);
}

/*
 * A zeroed request to a defined command asks for handle, ticket or size
 * 0: EINVAL, except stats, which has nothing to ask.
 */
static int zero_request_answer(unsigned long cmd)
{
	return cmd == OWNBUF_IOC_STATS ? 0 : -EINVAL;
}

TEST_F(fz, command_numbers_directions_and_sizes)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_WRITE, _IOC_READ, _IOC_READ | _IOC_WRITE
	};
	unsigned int nr, d, k, size, known, checked = 0;
	const unsigned long *def;
	unsigned long cmd;
	int want, got;

	for (nr = 0; nr < 256; nr++) {
		def = defined(nr);
		known = def ? _IOC_SIZE(*def) : 0;
		for (d = 0; d < 4; d++) {
			/* 0 first: a size no struct ever had, whatever old_size() says. */
			const unsigned int sizes[] = {
				0, 1, 8, known ? known - 8 : 16, known, known + 8,
				256, 4096, _IOC_SIZEMASK, old_size(nr) ?: 24,
			};

			for (k = 0; k < ARRAY_SIZE(sizes); k++) {
				size = sizes[k];
				cmd = _IOC(dirs[d], OWNBUF_IOCTL_MAGIC, nr, size);
				memset(self->arg, 0, ARG_MAX);
				want = -ENOTTY;
				if (def && dirs[d] == _IOC_DIR(*def) &&
				    (size >= known || (old_size(nr) && size == old_size(nr))))
					want = zero_request_answer(*def);
				got = ob_ioctl(self->fd, cmd, self->arg);
				EXPECT_EQ(want, got)
					TH_LOG("nr %#x dir %u size %u: %s, expected %s", nr,
					       dirs[d], size, ob_errname(got), ob_errname(want));
				checked++;
				/* A larger struct's tail must be zero. */
				if (want != -ENOTTY && size > known) {
					self->arg[size - 1] = 1;
					got = ob_ioctl(self->fd, cmd, self->arg);
					EXPECT_EQ(-E2BIG, got)
						TH_LOG("nr %#x size %u, tail set: %s", nr, size,
						       ob_errname(got));
					checked++;
				}
			}
		}
	}
	TH_LOG("%u command words", checked);
}

/* A valid request whose 32-bit field at @off is the one being set. */
struct field {
	const char *name;
	unsigned long cmd;
	unsigned int off;
	__u32 allowed;		/* bits that are defined there */
};

#define FIELD(c, type, member, ok) \
	{ #c "." #member, c, offsetof(struct type, member), ok }

static const struct field fields[] = {
	FIELD(OWNBUF_IOC_CREATE, ownbuf_create, flags, 0),
	FIELD(OWNBUF_IOC_CREATE, ownbuf_create, __reserved, 0),
	FIELD(OWNBUF_IOC_DROP, ownbuf_handle_op, flags, OWNBUF_DROP_REVOKE),
	FIELD(OWNBUF_IOC_DROP, ownbuf_handle_op, __reserved, 0),
	FIELD(OWNBUF_IOC_READ, ownbuf_rw, flags, 0),
	FIELD(OWNBUF_IOC_READ, ownbuf_rw, __reserved, 0),
	FIELD(OWNBUF_IOC_WRITE, ownbuf_rw, flags, 0),
	FIELD(OWNBUF_IOC_WRITE, ownbuf_rw, __reserved, 0),
	FIELD(OWNBUF_IOC_BORROW, ownbuf_borrow, flags, 0),
	FIELD(OWNBUF_IOC_RELEASE, ownbuf_handle_op, flags, 0),
	FIELD(OWNBUF_IOC_RELEASE, ownbuf_handle_op, __reserved, 0),
	FIELD(OWNBUF_IOC_GIVE, ownbuf_give, flags, 0),
	FIELD(OWNBUF_IOC_GIVE, ownbuf_give, __reserved, 0),
	FIELD(OWNBUF_IOC_TAKE, ownbuf_ticket_op, flags, 0),
	FIELD(OWNBUF_IOC_TAKE, ownbuf_ticket_op, __reserved, 0),
	FIELD(OWNBUF_IOC_CANCEL, ownbuf_ticket_op, flags, 0),
	FIELD(OWNBUF_IOC_CANCEL, ownbuf_ticket_op, __reserved, 0),
	FIELD(OWNBUF_IOC_LEND, ownbuf_lend, flags, 0),
	FIELD(OWNBUF_IOC_ACCEPT, ownbuf_ticket_op, flags, 0),
	FIELD(OWNBUF_IOC_ACCEPT, ownbuf_ticket_op, __reserved, 0),
	FIELD(OWNBUF_IOC_CLONE, ownbuf_clone, flags, 0),
	FIELD(OWNBUF_IOC_CLONE, ownbuf_clone, __reserved, 0),
	FIELD(OWNBUF_IOC_FREEZE, ownbuf_handle_op, flags, 0),
	FIELD(OWNBUF_IOC_FREEZE, ownbuf_handle_op, __reserved, 0),
	FIELD(OWNBUF_IOC_QUERY, ownbuf_query, flags, 0),
	FIELD(OWNBUF_IOC_QUERY, ownbuf_query, __reserved, 0),
	FIELD(OWNBUF_IOC_STATS, ownbuf_stats, flags, 0),
	FIELD(OWNBUF_IOC_STATS, ownbuf_stats, __reserved, 0),
	FIELD(OWNBUF_IOC_MAP, ownbuf_map, flags, 0),
	FIELD(OWNBUF_IOC_MAP, ownbuf_map, __reserved, 0),
	/* Modes: only the two defined values are. */
	FIELD(OWNBUF_IOC_BORROW, ownbuf_borrow, mode, 0),
	FIELD(OWNBUF_IOC_LEND, ownbuf_lend, mode, 0),
};

/*
 * Fill @arg with a request to @cmd that would succeed: a live handle of a
 * 64-byte buffer, a live ticket of the right kind, a valid range and mode.
 */
static void valid_request(struct __test_metadata *_metadata, int fd, unsigned long cmd,
			  void *arg, __u8 *data)
{
	__u64 h, t;

	memset(arg, 0, _IOC_SIZE(cmd));
	test_create(fd, 64, &h);
	switch (cmd) {
	case OWNBUF_IOC_CREATE:
		((struct ownbuf_create *)arg)->size = 64;
		break;
	case OWNBUF_IOC_READ:
	case OWNBUF_IOC_WRITE:
		*(struct ownbuf_rw *)arg = (struct ownbuf_rw){ .handle = h, .length = 64,
								.ptr = OB_PTR(data) };
		break;
	case OWNBUF_IOC_BORROW:
	case OWNBUF_IOC_LEND:
		((struct ownbuf_borrow *)arg)->handle = h;
		((struct ownbuf_borrow *)arg)->mode = OWNBUF_MODE_SHARED;
		break;
	case OWNBUF_IOC_RELEASE:
		test_borrow(fd, h, OWNBUF_MODE_SHARED, &t);
		((struct ownbuf_handle_op *)arg)->handle = t;
		break;
	case OWNBUF_IOC_TAKE:
	case OWNBUF_IOC_CANCEL:
		test_give(fd, h, &t);
		((struct ownbuf_ticket_op *)arg)->ticket = t;
		break;
	case OWNBUF_IOC_ACCEPT:
		test_lend(fd, h, OWNBUF_MODE_SHARED, &t);
		((struct ownbuf_ticket_op *)arg)->ticket = t;
		break;
	case OWNBUF_IOC_STATS:
		break;
	default:	/* drop, give, clone, freeze, query, map: the handle first */
		*(__u64 *)arg = h;
	}
}

TEST_F(fz, every_reserved_bit_and_unknown_flag_einval)
{
	struct ownbuf_counts before, after;
	unsigned int i, bit, checked = 0;
	__u8 data[64] = { 0 };
	__u32 *field;
	int got;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];
		bool mode = !!strstr(f->name, ".mode");

		for (bit = 0; bit < 32; bit++) {
			if (f->allowed & (1U << bit))
				continue;
			valid_request(_metadata, self->fd, f->cmd, self->arg, data);
			field = (__u32 *)(self->arg + f->off);
			/* A mode is a value: 1 and 2 are defined, the rest are not. */
			*field = mode ? (bit < 2 ? bit * 3 : 1U << bit) : 1U << bit;
			counts_of(self->fd, &before);
			got = ob_ioctl(self->fd, f->cmd, self->arg);
			counts_of(self->fd, &after);
			EXPECT_EQ(-EINVAL, got) TH_LOG("%s = %#x: %s", f->name, *field,
						       ob_errname(got));
			EXPECT_TRUE(same_counts(&before, &after))
				TH_LOG("%s changed something", f->name);
			checked++;
		}
	}
	TH_LOG("%u requests", checked);
}

/* out_* fields are answers: whatever they hold on input is ignored. */
TEST_F(fz, out_fields_ignored_on_input)
{
	struct ownbuf_query q;
	struct ownbuf_stats st;
	__u64 h;

	test_create(self->fd, 64, &h);
	memset(&q, 0xa5, sizeof(q));
	q.handle = h;
	q.flags = 0;
	q.__reserved = 0;
	EXPECT_EQ(0, ob_ioctl(self->fd, OWNBUF_IOC_QUERY, &q));
	EXPECT_EQ(64, q.out_size);
	EXPECT_EQ(0, q.out_mappings);
	memset(&st, 0xa5, sizeof(st));
	st.flags = 0;
	st.__reserved = 0;
	EXPECT_EQ(0, ob_ioctl(self->fd, OWNBUF_IOC_STATS, &st));
	EXPECT_EQ(1, st.out_session.buffers);
}

/*
 * A caller built against the header before stats grew passes the older,
 * shorter struct: it is answered, and nothing past its end is written.
 */
TEST_F(fz, stats_older_size_answers_its_part)
{
	unsigned long cmd = _IOC(_IOC_READ | _IOC_WRITE, OWNBUF_IOCTL_MAGIC,
				 _IOC_NR(OWNBUF_IOC_STATS), OWNBUF_STATS_SIZE_V1);
	struct ownbuf_stats st;
	__u64 h;

	test_create(self->fd, 64, &h);
	memset(&st, 0xa5, sizeof(st));
	st.flags = 0;
	st.__reserved = 0;
	EXPECT_EQ(0, ob_ioctl(self->fd, cmd, &st));
	EXPECT_EQ(1, st.out_session.buffers);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, st.out_session_mappings);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, st.out_device_mappings);
	/* And the newer, longer one gets the mapping counts. */
	EXPECT_EQ(0, ob_ioctl(self->fd, OWNBUF_IOC_STATS, &st));
	EXPECT_EQ(0, st.out_session_mappings);
}

/*
 * A page followed by one that cannot be touched (PROT_NONE, so that no
 * later mmap lands there), for pointers into the void and ranges that
 * straddle into it.
 */
static __u8 *page_before_hole(size_t page)
{
	__u8 *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + page, page, PROT_NONE)) {
		munmap(p, 2 * page);
		return NULL;
	}
	return p;
}

TEST_F(fz, bad_argument_pointers_efault)
{
	size_t page = getpagesize();
	__u8 *p = page_before_hole(page), *ro;
	struct ownbuf_counts before, after;
	unsigned long kernel = sizeof(long) == 8 ? 0xffff888000000000UL : 0xc0000000UL;
	unsigned int i;
	int got;

	ASSERT_TRUE(!!p);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	for (i = 0; i < NR_CMDS; i++) {
		unsigned long cmd = cmds[i];
		unsigned int size = _IOC_SIZE(cmd);
		void *const bad[] = {
			NULL, p + page, (void *)kernel, p + page - size + 8,
		};
		unsigned int b;

		counts_of(self->fd, &before);
		for (b = 0; b < ARRAY_SIZE(bad); b++) {
			got = ob_ioctl(self->fd, cmd, bad[b]);
			EXPECT_EQ(-EFAULT, got)
				TH_LOG("cmd nr %#x, pointer %u: %s", (unsigned int)_IOC_NR(cmd),
				       b, ob_errname(got));
		}
		/* Readable but not writable: refused only where an answer goes. */
		got = ob_ioctl(self->fd, cmd, ro);
		EXPECT_EQ(_IOC_DIR(cmd) & _IOC_READ ? -EFAULT : zero_request_answer(cmd), got)
			TH_LOG("cmd nr %#x, read-only: %s", (unsigned int)_IOC_NR(cmd),
			       ob_errname(got));
		/* Misaligned is fine: a zeroed request, answered as such. */
		memset(p, 0, page);
		got = ob_ioctl(self->fd, cmd, p + 3);
		EXPECT_EQ(zero_request_answer(cmd), got)
			TH_LOG("cmd nr %#x, misaligned: %s", (unsigned int)_IOC_NR(cmd),
			       ob_errname(got));
		counts_of(self->fd, &after);
		EXPECT_TRUE(same_counts(&before, &after));
	}
	munmap(ro, page);
	munmap(p, 2 * page);
}

/*
 * The data pointer field is 64 bits for every caller: bits a 32-bit
 * process cannot have (or, for a 64-bit one, a non-canonical address) are
 * EFAULT, never cut off to name the caller's own memory; a kernel address
 * is EFAULT from a 32-bit caller too. @h holds 0x5a and still does after.
 */
static void pointers_are_not_cut(struct __test_metadata *_metadata, int fd, __u64 h)
{
	__u8 fill[16];
	const __u64 high = sizeof(long) == 8 ? 1ULL << 63 : 1ULL << 32;
	const __u64 bad[] = {
		(__u64)(unsigned long)fill | high, 0xffff888000000000ULL,
	};
	struct ownbuf_rw rw;
	unsigned int b;

	for (b = 0; b < ARRAY_SIZE(bad); b++) {
		memset(fill, 0x33, sizeof(fill));
		ob_init_rw(&rw, h, 0, sizeof(fill), NULL);
		rw.ptr = bad[b];
		EXPECT_EQ(-EFAULT, ob_ioctl(fd, OWNBUF_IOC_WRITE, &rw))
			TH_LOG("write from %#llx", (unsigned long long)bad[b]);
		ob_init_rw(&rw, h, 0, sizeof(fill), NULL);
		rw.ptr = bad[b];
		EXPECT_EQ(-EFAULT, ob_ioctl(fd, OWNBUF_IOC_READ, &rw))
			TH_LOG("read into %#llx", (unsigned long long)bad[b]);
		EXPECT_EQ(0x33, fill[0]);
	}
	ASSERT_OK(_test_read(fd, h, 0, sizeof(fill), fill));
	EXPECT_EQ(0x5a, fill[0]);
	EXPECT_EQ(0x5a, fill[sizeof(fill) - 1]);
}

TEST_F(fz, bad_data_pointers_efault_nothing_written)
{
	size_t page = getpagesize();
	__u8 *p = page_before_hole(page), *ro;
	unsigned long kernel = sizeof(long) == 8 ? 0xffff888000000000UL : 0xc0000000UL;
	__u8 fill[128];
	__u64 h;
	int got;

	ASSERT_TRUE(!!p);
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(ro != MAP_FAILED);
	test_create(self->fd, 128, &h);
	memset(fill, 0x5a, sizeof(fill));
	test_write(self->fd, h, 0, 128, fill);

	/* A read straddling into the hole writes none of the caller's bytes. */
	memset(p + page - 64, 0x11, 64);
	got = _test_read(self->fd, h, 0, 128, p + page - 64);
	EXPECT_EQ(-EFAULT, got);
	EXPECT_EQ(0x11, p[page - 64]);
	EXPECT_EQ(0x11, p[page - 1]);
	/* A write from a straddling range changes none of the buffer. */
	memset(p + page - 64, 0x22, 64);
	EXPECT_EQ(-EFAULT, _test_write(self->fd, h, 0, 128, p + page - 64));
	EXPECT_EQ(-EFAULT, _test_read(self->fd, h, 0, 1, ro));
	EXPECT_EQ(-EFAULT, _test_read(self->fd, h, 0, 1, (void *)kernel));
	EXPECT_EQ(-EFAULT, _test_write(self->fd, h, 0, 1, p + page));
	memset(fill, 0, sizeof(fill));
	test_read(self->fd, h, 0, 128, fill);
	EXPECT_EQ(0x5a, fill[0]);
	EXPECT_EQ(0x5a, fill[127]);
	pointers_are_not_cut(_metadata, self->fd, h);
	/* A write from read-only memory is fine: it is only read. */
	EXPECT_EQ(0, _test_write(self->fd, h, 0, 16, ro));
	/* Misaligned works. */
	EXPECT_EQ(0, _test_read(self->fd, h, 1, 127, p + 1));
	munmap(ro, page);
	munmap(p, 2 * page);
}

TEST_F(fz, offsets_and_lengths_near_2_64_erange)
{
	static const __u64 edges[][2] = {
		{ ~0ULL, 1 }, { 0, ~0ULL }, { 1, ~0ULL }, { ~0ULL, ~0ULL },
		{ 1ULL << 63, 1ULL << 63 }, { 65, 0 }, { 64, 1 }, { 0, 65 },
		{ ~0ULL - 63, 64 },
	};
	__u8 buf[64];
	unsigned int i;
	__u64 h;

	test_create(self->fd, 64, &h);
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		EXPECT_EQ(-ERANGE, _test_read(self->fd, h, edges[i][0], edges[i][1], buf))
			TH_LOG("read off %#llx len %#llx", edges[i][0], edges[i][1]);
		EXPECT_EQ(-ERANGE, _test_write(self->fd, h, edges[i][0], edges[i][1], buf))
			TH_LOG("write off %#llx len %#llx", edges[i][0], edges[i][1]);
	}
	/* The edges that fit. */
	EXPECT_EQ(0, _test_read(self->fd, h, 64, 0, buf));
	EXPECT_EQ(0, _test_read(self->fd, h, 0, 64, buf));
}

static double fuzz_seconds(void)
{
	const char *env = getenv("OWNBUF_FUZZ_SECONDS");
	double s = 5;
	FILE *f;

	if (env)
		return atof(env);
	f = fopen("/etc/ownbuf/fuzz-seconds", "r");
	if (f) {
		if (fscanf(f, "%lf", &s) != 1)
			s = 5;
		fclose(f);
	}
	return s;
}

static bool contract_errno(int err)
{
	switch (-err) {
	case 0: case EINVAL: case EBADF: case ESTALE: case ENOENT: case ERANGE:
	case EACCES: case EBUSY: case EFBIG: case EDQUOT: case ENOMEM: case EFAULT:
	case ENOTTY: case E2BIG:
		return true;
	}
	return false;
}

static __u64 rnd(__u64 *st)
{
	__u64 z = (*st += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * Random requests: mostly defined commands with random bytes, live
 * handles and tickets of the session planted where handles go, pointers
 * into a scratch page. Prints the seed; OWNBUF_FUZZ_SEED replays it.
 */
TEST_F(fz, random_requests)
{
	const char *env = getenv("OWNBUF_FUZZ_SEED");
	double end, secs = fuzz_seconds();
	__u64 seed, st, live[16] = { 0 }, calls = 0, bad = 0;
	struct ownbuf_stats stats;
	struct timespec ts;
	static __u8 scratch[8192];
	int fd = ob_open(), i;

	ASSERT_LE(0, fd);
	if (env)
		seed = strtoull(env, NULL, 0);
	else if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = time(NULL);
	st = seed;
	TH_LOG("seed %llu for %.0f s (replay: OWNBUF_FUZZ_SEED=%llu)", seed, secs, seed);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + ts.tv_nsec / 1e9 + secs;
	for (;;) {
		unsigned long cmd;
		unsigned int size;
		__u64 r = rnd(&st);
		int got;

		if ((calls & 255) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (ts.tv_sec + ts.tv_nsec / 1e9 > end)
				break;
		}
		cmd = cmds[r % NR_CMDS];
		size = _IOC_SIZE(cmd);
		if ((r >> 8) % 16 == 0)		/* another word altogether */
			cmd = _IOC((r >> 12) & 3, OWNBUF_IOCTL_MAGIC, (r >> 16) & 31,
				   (r >> 24) % 300);
		for (i = 0; i < (int)sizeof(scratch) / 8; i++)
			((__u64 *)self->arg)[i] = rnd(&st);
		/* Sizes and pointers that are sometimes sane. */
		if (r & (1ULL << 40))
			((__u64 *)self->arg)[0] = live[(r >> 41) & 15];
		if (r & (1ULL << 45))
			((__u64 *)self->arg)[1] = (r >> 46) & 0xff;
		if (r & (1ULL << 54))
			((__u64 *)self->arg)[2] = (r >> 55) & 0x3f;
		if (r & (1ULL << 61))
			((__u64 *)self->arg)[3] = OB_PTR(scratch);
		if (r & (1ULL << 62))
			((__u32 *)self->arg)[2 * 4] = 0;
		if (cmd == OWNBUF_IOC_CREATE)	/* keep sizes small enough to allocate */
			((struct ownbuf_create *)self->arg)->size &= 0xffff;
		got = ob_ioctl(fd, cmd, self->arg);
		calls++;
		if (!contract_errno(got)) {
			bad++;
			TH_LOG("cmd %#lx answered %s", cmd, ob_errname(got));
		}
		/* Keep what came back alive for later requests. */
		if (!got && (_IOC_DIR(cmd) & _IOC_READ) && size >= 24 && cmd != OWNBUF_IOC_QUERY &&
		    cmd != OWNBUF_IOC_STATS)
			live[r & 15] = ((__u64 *)self->arg)[2];
	}
	close(fd);
	EXPECT_EQ(0, bad);
	TH_LOG("%llu random requests", calls);
	/* Closed: nothing of it is left anywhere in the device. */
	ASSERT_EQ(0, _test_stats(self->fd, &stats));
	EXPECT_EQ(0, stats.out_device.buffers);
	EXPECT_EQ(0, stats.out_device.borrows);
	EXPECT_EQ(0, stats.out_device.tickets);
}

/* What mmap(2) of the device may answer, the kernel's own checks included. */
static bool mmap_errno(int err)
{
	switch (err) {
	case EINVAL: case ESTALE: case ERANGE: case EACCES: case EBUSY: case ENOMEM:
	case EOVERFLOW:	/* the kernel's own: offset + length wraps */
	case EPERM:	/* PROT_EXEC of a file on a noexec mount */
		return true;
	}
	return false;
}

/*
 * Random mmaps: live, stale and made-up offsets, lengths from nothing to
 * past the end, every protection and mapping type, through owner, shared
 * and mutable borrow handles of frozen and unfrozen buffers. Each answer
 * must be one the contract allows; each mapping made must read back.
 */
TEST_F(fz, random_mmaps)
{
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
		PROT_READ | PROT_EXEC,
	};
	static const int types[] = { MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE };
	__u64 st = 20261202, r, h[3] = { 0 }, off[3] = { 0 }, len = 0, offset;
	unsigned int i, made = 0, bad = 0;
	size_t length;
	int prot;
	void *p;

	for (i = 0; i < 2000; i++) {
		r = rnd(&st);
		if (i % 16 == 0) {
			if (i)
				_test_drop(self->fd, h[0], OWNBUF_DROP_REVOKE);
			test_create(self->fd, 1 + (r & 0x3ffff), &h[0]);
			if (r & (1ULL << 20))
				test_freeze(self->fd, h[0]);
			test_borrow(self->fd, h[0], OWNBUF_MODE_SHARED, &h[1]);
			if (_test_borrow(self->fd, h[1], OWNBUF_MODE_SHARED, &h[2]))
				h[2] = h[1];
			test_map(self->fd, h[0], &off[0], &len);
			test_map(self->fd, h[1], &off[1], NULL);
			test_map(self->fd, h[2], &off[2], NULL);
			continue;
		}
		offset = off[r % 3];
		if ((r >> 8) % 8 == 0)
			offset = rnd(&st) & ~4095ULL & 0xffffffffffffULL;
		else if ((r >> 8) % 8 == 1)
			offset += 4096 * ((r >> 12) % 4);
		length = (r >> 16) % 4 == 0 ? (size_t)(rnd(&st) % (len + 3 * 4096)) :
			 (size_t)len;
		if (!length)
			length = 1;
		prot = prots[(r >> 24) % ARRAY_SIZE(prots)];
		p = mmap(NULL, length, prot, types[(r >> 32) % ARRAY_SIZE(types)], self->fd,
			 (off_t)offset);
		if (p == MAP_FAILED) {
			if (!mmap_errno(errno)) {
				bad++;
				TH_LOG("mmap %#llx +%zu answered %d", offset, length, errno);
			}
			continue;
		}
		made++;
		if (prot & PROT_READ)
			(void)__atomic_load_n((__u8 *)p, __ATOMIC_RELAXED);
		munmap(p, length);
	}
	EXPECT_EQ(0, bad);
	EXPECT_LT(0, made);
	TH_LOG("%u mmaps made of 2000 tries", made);
}

TEST_HARNESS_MAIN
