/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the ownbuf core KUnit suites: each test gets a private
 * device with its own limits, and sessions that are closed for it when the
 * test ends, so suites never see each other's buffers or counters.
 */
#ifndef _OWNBUF_CORE_KUNIT_H
#define _OWNBUF_CORE_KUNIT_H

#include <kunit/resource.h>
#include <kunit/test.h>

#include <ownbuf/core.h>

struct ownbuf_kunit_dev {
	struct ownbuf_device dev;
	struct ownbuf_limits limits;
};

static inline void ownbuf_kunit_dev_destroy(void *p)
{
	ownbuf_device_destroy(&((struct ownbuf_kunit_dev *)p)->dev);
}

/* Generous limits; tests lower them as they need. */
static inline void ownbuf_kunit_default_limits(struct ownbuf_kunit_dev *kd)
{
	kd->limits = (struct ownbuf_limits) {
		.max_buffer_size = 1 << 20,
		.session_max_bytes = 16 << 20,
		.session_max_buffers = 1024,
		.session_max_handles = 4096,
		.session_max_tickets = 256,
		.device_max_bytes = 64 << 20,
		.user_max_sessions = 64,
		.user_max_bytes = 256 << 20,
		.user_max_tickets = 512,
	};
}

/* A fresh device with the default limits. */
static inline struct ownbuf_kunit_dev *ownbuf_kunit_dev(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = kunit_kzalloc(test, sizeof(*kd), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, kd);
	ownbuf_kunit_default_limits(kd);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_device_init(&kd->dev, &kd->limits));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ownbuf_kunit_dev_destroy, kd));
	return kd;
}

static inline void ownbuf_kunit_session_destroy(void *s)
{
	ownbuf_session_destroy(s);
}

/* A session closed automatically when the test ends (before its device). */
static inline struct ownbuf_session *ownbuf_kunit_session(struct kunit *test,
							  struct ownbuf_kunit_dev *kd)
{
	struct ownbuf_session *s = ownbuf_session_create(&kd->dev);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, s);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ownbuf_kunit_session_destroy, s));
	return s;
}

/* Close a session made by ownbuf_kunit_session() now, as a process exit would. */
static inline void ownbuf_kunit_close(struct kunit *test, struct ownbuf_session *s)
{
	kunit_release_action(test, ownbuf_kunit_session_destroy, s);
}

static inline u64 ownbuf_kunit_create(struct kunit *test, struct ownbuf_session *s,
				      u64 size)
{
	u64 h = 0;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_create(s, size, 0, &h));
	KUNIT_ASSERT_NE(test, h, 0);
	return h;
}

static inline u64 ownbuf_kunit_borrow(struct kunit *test, struct ownbuf_session *s,
				      u64 h, u32 mode)
{
	u64 b = 0;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_borrow(s, h, mode, 0, &b));
	return b;
}

/* A read or write of [off, off + len) through @h, copying with memcpy. */
static inline int ownbuf_kunit_rw(struct ownbuf_session *s, u64 h, bool write,
				  u64 off, u64 len, void *mem)
{
	struct ownbuf_access acc;
	int ret = ownbuf_access_begin(s, h, write, off, len, &acc);

	if (ret)
		return ret;
	if (write)
		memcpy(acc.data, mem, acc.len);
	else
		memcpy(mem, acc.data, acc.len);
	ownbuf_access_end(&acc);
	return 0;
}

/* The end of a mapping, as its last munmap() would end it. */
static inline void ownbuf_kunit_mapping_end(void *m)
{
	ownbuf_mapping_end(m);
}

/*
 * MAP @h, then map @npages of it (0: all of it) at its offset, as mmap(2)
 * would; the mapping ends when the test does (or earlier, through
 * kunit_release_action(test, ownbuf_kunit_mapping_end, m)).
 */
static inline int ownbuf_kunit_map(struct kunit *test, struct ownbuf_session *s, u64 h,
				   unsigned long npages, bool writable,
				   struct ownbuf_mapping **out)
{
	struct ownbuf_mapping *m;
	u64 off, len;
	int ret;

	ret = ownbuf_map(s, h, 0, &off, &len);
	if (ret)
		return ret;
	ret = ownbuf_mapping_begin(s, off >> PAGE_SHIFT, npages ?: len >> PAGE_SHIFT,
				   writable, NULL, &m);
	if (ret)
		return ret;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, ownbuf_kunit_mapping_end, m));
	if (out)
		*out = m;
	return 0;
}

static inline s64 ownbuf_kunit_violations(struct ownbuf_session *s,
					  enum ownbuf_violation v)
{
	return atomic64_read(&s->counters.violations[v]);
}

#endif /* _OWNBUF_CORE_KUNIT_H */
