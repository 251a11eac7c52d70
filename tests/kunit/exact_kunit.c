// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for answers an outside review and a differential test against
 * a model of the contract found inexact: each case failed on the core they
 * examined and names the finding it pins down (tests/COVERAGE.md).
 */

#include <kunit/static_stub.h>
#include <linux/delay.h>
#include <linux/kthread.h>

#include "core_kunit.h"

static void ob_expect_violations(struct kunit *test, struct ownbuf_session *s,
				 enum ownbuf_violation v, s64 n)
{
	int i;

	for (i = 0; i < OWNBUF_VIOLATION_NR; i++)
		KUNIT_EXPECT_EQ_MSG(test, i == v ? n : 0,
				    ownbuf_kunit_violations(s, i), "class %d", i);
}

/*
 * Finding 1: a revoked borrow handle passed to drop, give or freeze is
 * ESTALE (lifetime), not EINVAL (wrong kind): liveness is judged before
 * kind.
 */
static void ownbuf_revoked_borrow_to_owner_ops_estale(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, o, 64);
	u64 b = ownbuf_kunit_borrow(test, o, h, OWNBUF_MODE_MUT);
	u64 hs = ownbuf_kunit_create(test, o, 64);
	u64 bs = ownbuf_kunit_borrow(test, o, hs, OWNBUF_MODE_SHARED);
	u64 t;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(o, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(o, b, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_give(o, b, 0, &t));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_freeze(o, b, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(o, b, OWNBUF_DROP_REVOKE));
	ob_expect_violations(test, o, OWNBUF_VIOLATION_LIFETIME, 4);

	/* A live borrow handle is the wrong kind for them: EINVAL, uncounted. */
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_drop(o, bs, 0));
	KUNIT_EXPECT_EQ(test, -EINVAL, ownbuf_freeze(o, bs, 0));
	ob_expect_violations(test, o, OWNBUF_VIOLATION_LIFETIME, 4);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_LIFETIME));
}

/*
 * Finding 6: the class of a use of a dead handle belongs to that handle,
 * whatever its slot did since: a handle that a give killed stays a use
 * after move after its slot held and dropped other buffers.
 */
static void ownbuf_use_after_move_survives_slot_reuse(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	struct ownbuf_query q;
	u64 moved, h, t;
	int i;

	moved = ownbuf_kunit_create(test, s, 64);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(s, moved, 0, &t));
	for (i = 0; i < 3; i++) {
		h = ownbuf_kunit_create(test, s, 64);
		KUNIT_ASSERT_EQ(test, moved & OWNBUF_INDEX_MAX, h & OWNBUF_INDEX_MAX);
		KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, 0));
	}
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_query(s, moved, &q));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, moved, 0));
	ob_expect_violations(test, s, OWNBUF_VIOLATION_USE_AFTER_MOVE, 2);

	/* The dropped ones stay use after free / double free. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_drop(s, h, 0));
	KUNIT_EXPECT_EQ(test, 1, ownbuf_kunit_violations(s, OWNBUF_VIOLATION_DOUBLE_FREE));
}

/*
 * Finding 9: a lend ticket whose buffer died is gone: it no longer holds
 * its maker's ticket quota or the device's ticket count.
 */
static void ownbuf_dead_loan_frees_ticket_quota(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 h2 = ownbuf_kunit_create(test, s, 64);
	u64 t, t2, out;

	kd->limits.session_max_tickets = 1;
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(s, h, OWNBUF_DROP_REVOKE));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&s->counters.tickets));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.tickets));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_lend(s, h2, OWNBUF_MODE_SHARED, 0, &t2));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(s, t, 0, &out));
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_cancel(s, t, 0, &out));
}

/*
 * Finding 12: once the tag space wraps, a closed session's handle values
 * name nothing in the session that reuses its tag (EBADF), and that session
 * never hands out the same values again. The device's tag space is cut to
 * one tag here, so the first reuse shows it.
 */
static void ownbuf_handles_never_revive_after_tag_wrap(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s;
	struct ownbuf_query q;
	u64 old[3], h;
	int i;

	kd->dev.tag_max = 1;
	s = ownbuf_kunit_session(test, kd);
	for (i = 0; i < ARRAY_SIZE(old); i++)
		old[i] = ownbuf_kunit_create(test, s, 16);
	ownbuf_kunit_close(test, s);

	s = ownbuf_kunit_session(test, kd);
	for (i = 0; i < ARRAY_SIZE(old); i++) {
		h = ownbuf_kunit_create(test, s, 16);
		KUNIT_EXPECT_NE(test, h, old[i]);
	}
	for (i = 0; i < ARRAY_SIZE(old); i++) {
		KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_query(s, old[i], &q));
		KUNIT_EXPECT_EQ(test, -EBADF, ownbuf_drop(s, old[i], 0));
	}
	/* Only tag 1 exists: a second open at once has none left. */
	KUNIT_EXPECT_EQ(test, -EMFILE, PTR_ERR(ownbuf_session_create(&kd->dev)));
}

/* What a stub saw when the core called it. */
static struct {
	struct ownbuf_session *s;
	struct ownbuf_buffer *buf;
	int calls;
	int locked;
	int pins;
} ob_seen;

static int ob_state_borrow_stub(struct ownbuf_buffer *buf, u8 mode)
{
	ob_seen.calls++;
	ob_seen.locked += lockdep_is_held(&ob_seen.s->lock);
	kunit_deactivate_static_stub(kunit_get_current_test(), ownbuf_state_borrow);
	return ownbuf_state_borrow(buf, mode);
}

/*
 * Finding 3: no phantom borrow. The borrow is counted in the buffer's state
 * while the session lock that guards the handle is held, so the handle
 * cannot be given away (and its buffer borrowed "for nobody" in another
 * session) between the lookup and the count. Borrow, reborrow and lend.
 */
static void ownbuf_borrow_counted_under_the_handle_lock(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	u64 b = 0, b2 = 0, t = 0;

	ob_seen = (typeof(ob_seen)){ .s = s };
	kunit_activate_static_stub(test, ownbuf_state_borrow, ob_state_borrow_stub);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_borrow(s, h, OWNBUF_MODE_SHARED, 0, &b));
	kunit_activate_static_stub(test, ownbuf_state_borrow, ob_state_borrow_stub);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_borrow(s, b, OWNBUF_MODE_SHARED, 0, &b2));
	kunit_activate_static_stub(test, ownbuf_state_borrow, ob_state_borrow_stub);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_lend(s, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_EXPECT_EQ(test, 3, ob_seen.calls);
	KUNIT_EXPECT_EQ(test, 3, ob_seen.locked);
}

static int ob_slot_reserve_stub(struct ownbuf_session *s, u32 *index)
{
	ob_seen.calls++;
	ob_seen.pins = refcount_read(&ob_seen.buf->users);
	kunit_deactivate_static_stub(kunit_get_current_test(), ownbuf_slot_reserve);
	return ownbuf_slot_reserve(s, index);
}

/*
 * Finding 2: borrow reserves its handle slot (which may grow the table)
 * with nothing pinned, so the owner's drop never waits behind the
 * borrower's allocation: the buffer holds only its owner's reference then.
 */
static void ownbuf_borrow_reserves_before_pinning(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, s, 64);
	struct ownbuf_ref ref;
	u64 b;

	KUNIT_ASSERT_EQ(test, 0, ownbuf_resolve(s, h, &ref));
	ob_seen = (typeof(ob_seen)){ .s = s, .buf = ref.buf };
	ownbuf_buffer_unpin(ref.buf);
	KUNIT_ASSERT_EQ(test, 1, refcount_read(&ob_seen.buf->users));

	kunit_activate_static_stub(test, ownbuf_slot_reserve, ob_slot_reserve_stub);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_borrow(s, h, OWNBUF_MODE_MUT, 0, &b));
	KUNIT_EXPECT_EQ(test, 1, ob_seen.calls);
	KUNIT_EXPECT_EQ(test, 1, ob_seen.pins);
	/* The borrow is whole all the same. */
	KUNIT_EXPECT_EQ(test, -EBUSY, ownbuf_borrow(s, h, OWNBUF_MODE_SHARED, 0, &b));
}

/*
 * Finding 4: one uid's sessions together stop at the per-user limits:
 * sessions (EMFILE), bytes with each buffer's metadata counted, untaken
 * tickets. KUnit's sessions are all opened by the same task, so one uid.
 */
/*
 * The per-uid session limit is a 64-bit parameter like every limit: root
 * may set it past 2^32, and that must read as that many, not as what is
 * left of it in 32 bits (1 << 32 would be 0: every open EMFILE).
 */
static void ownbuf_user_session_limit_is_64_bits(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a, *b;

	kd->limits.user_max_sessions = 1ULL << 32;
	a = ownbuf_session_create(&kd->dev);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(a), "first open: %ld", PTR_ERR(a));
	b = ownbuf_session_create(&kd->dev);
	KUNIT_EXPECT_FALSE_MSG(test, IS_ERR(b), "second open: %ld", PTR_ERR(b));
	if (!IS_ERR(b))
		ownbuf_session_destroy(b);
	ownbuf_session_destroy(a);
}

static void ownbuf_user_limits(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a, *b, *c;
	u64 h, t;
	int i;

	kd->limits.user_max_sessions = 2;
	a = ownbuf_kunit_session(test, kd);
	b = ownbuf_kunit_session(test, kd);
	c = ownbuf_session_create(&kd->dev);
	KUNIT_EXPECT_EQ(test, -EMFILE, PTR_ERR(c));
	if (!IS_ERR(c))
		ownbuf_session_destroy(c);

	/* Ten 1-byte buffers and a table chunk per session fit; no more. */
	kd->limits.user_max_bytes = 2 * OWNBUF_CHUNK_BYTES + 10 * (1 + OWNBUF_BUFFER_OVERHEAD);
	for (i = 0; i < 10; i++)
		ownbuf_kunit_create(test, i % 2 ? a : b, 1);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_create(a, 1, 0, &h));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_create(b, 1, 0, &h));
	kd->limits.user_max_bytes = 1 << 30;

	kd->limits.user_max_tickets = 1;
	h = ownbuf_kunit_create(test, a, 16);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_lend(a, h, OWNBUF_MODE_SHARED, 0, &t));
	h = ownbuf_kunit_create(test, b, 16);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_give(b, h, 0, &t));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_lend(b, h, OWNBUF_MODE_SHARED, 0, &t));
}

/*
 * Finding 4: the bytes of a buffer on a move ticket count against its giver
 * until it is taken (its buffer count moves at once); a cancel at the byte
 * limit brings it back without counting it twice.
 */
static void ownbuf_bytes_in_flight_count_against_giver(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h, t, out;

	kd->limits.session_max_bytes = 64;
	h = ownbuf_kunit_create(test, a, 64);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&a->counters.buffers));
	KUNIT_EXPECT_EQ(test, 64, atomic64_read(&a->counters.bytes));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_create(a, 1, 0, &out));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_cancel(a, t, 0, &h));
	KUNIT_EXPECT_EQ(test, 1, atomic64_read(&a->counters.buffers));
	KUNIT_EXPECT_EQ(test, 64, atomic64_read(&a->counters.bytes));

	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_take(b, t, 0, &out));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&a->counters.bytes));
	KUNIT_EXPECT_EQ(test, 64, atomic64_read(&b->counters.bytes));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_create(a, 64, 0, &out));
}

/*
 * A move between two sessions of one uid at its byte limit: the bytes stay
 * the uid's throughout, so the take must not count them twice (found by a
 * review of the per-user limits).
 */
static void ownbuf_take_within_one_uid_at_its_limit(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h, t, out;

	kd->limits.user_max_bytes = 2 * (OWNBUF_CHUNK_BYTES + 64 + OWNBUF_BUFFER_OVERHEAD);
	h = ownbuf_kunit_create(test, a, 64);
	ownbuf_kunit_create(test, b, 64);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(a, h, 0, &t));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_take(b, t, 0, &out));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&a->counters.bytes));
	KUNIT_EXPECT_EQ(test, 128, atomic64_read(&b->counters.bytes));
	KUNIT_EXPECT_EQ(test, 2 * (OWNBUF_CHUNK_BYTES + 64 + OWNBUF_BUFFER_OVERHEAD),
			atomic64_read(&a->user->bytes));
	/* And back: the uid is still exactly at its limit. */
	KUNIT_ASSERT_EQ(test, 0, ownbuf_give(b, out, 0, &t));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_take(a, t, 0, &h));
	KUNIT_EXPECT_EQ(test, -EDQUOT, ownbuf_create(a, 1, 0, &out));
}

/*
 * Finding 10 and the design: revocation is done by the revoker. When a
 * drop with REVOKE returns, every borrow of the buffer in every session is
 * dead and counted off (handles, session and device borrow counts), with
 * no call of the holders' in between: no holder ever scans its table to
 * find out, whatever its size.
 */
static void ownbuf_revoke_is_eager(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *a = ownbuf_kunit_session(test, kd);
	struct ownbuf_session *b = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, o, 64);
	u64 keep = ownbuf_kunit_create(test, o, 64);
	u64 t, ba, ba2, bb, bo, bk;
	u8 mem[8];

	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(a, t, 0, &ba));
	ba2 = ownbuf_kunit_borrow(test, a, ba, OWNBUF_MODE_SHARED);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(b, t, 0, &bb));
	bo = ownbuf_kunit_borrow(test, o, h, OWNBUF_MODE_SHARED);
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, keep, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(a, t, 0, &bk));
	KUNIT_ASSERT_EQ(test, 5, atomic64_read(&kd->dev.counters.borrows));

	KUNIT_ASSERT_EQ(test, 0, ownbuf_drop(o, h, OWNBUF_DROP_REVOKE));
	/* Nothing has run in a or b since: their counts are already exact. */
	KUNIT_EXPECT_EQ(test, 1U, a->live);
	KUNIT_EXPECT_EQ(test, 1, atomic64_read(&a->counters.borrows));
	KUNIT_EXPECT_EQ(test, 0U, b->live);
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&b->counters.borrows));
	KUNIT_EXPECT_EQ(test, 1U, o->live);
	KUNIT_EXPECT_EQ(test, 1, atomic64_read(&kd->dev.counters.borrows));
	/* Each dead handle answers as a revoked one, the live one as before. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(a, ba, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(a, ba2, 0));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_kunit_rw(b, bb, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(o, bo, 0));
	ob_expect_violations(test, a, OWNBUF_VIOLATION_LIFETIME, 2);
	ob_expect_violations(test, b, OWNBUF_VIOLATION_LIFETIME, 1);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_kunit_rw(a, bk, false, 0, 8, mem));
	KUNIT_EXPECT_EQ(test, 0, ownbuf_release(a, bk, 0));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.borrows));
}

/* What the holders did while a revocation was on its way to their lock. */
static struct {
	struct ownbuf_session *a, *b;
	u64 ba;
	int release_ret;
	int calls;
} ob_race;

static void ob_borrow_revoke_stub(struct ownbuf_buffer *buf, struct ownbuf_session *holder,
				  struct ownbuf_slot *slot)
{
	struct kunit *test = kunit_get_current_test();

	ob_race.calls++;
	if (holder == ob_race.a)
		ob_race.release_ret = ownbuf_release(ob_race.a, ob_race.ba, 0);
	else if (holder == ob_race.b)
		ownbuf_session_destroy(ob_race.b);
	kunit_deactivate_static_stub(test, ownbuf_borrow_revoke);
	ownbuf_borrow_revoke(buf, holder, slot);
	kunit_activate_static_stub(test, ownbuf_borrow_revoke, ob_borrow_revoke_stub);
}

/*
 * The design: a slot the revoker took off the buffer's list and is about
 * to end may be ended first by its holder, by a release (ESTALE: the
 * buffer is dead) or by closing the whole session. The revoker then leaves
 * the slot alone, and the closed session lives until the revoker is done
 * with it (KASAN would see the use after free).
 */
static void ownbuf_holder_first_to_a_revoked_slot(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 h = ownbuf_kunit_create(test, o, 64);
	u64 t, bb;

	ob_race = (typeof(ob_race)){ .a = ownbuf_kunit_session(test, kd) };
	ob_race.b = ownbuf_session_create(&kd->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(ob_race.b));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(ob_race.a, t, 0, &ob_race.ba));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_lend(o, h, OWNBUF_MODE_SHARED, 0, &t));
	KUNIT_ASSERT_EQ(test, 0, ownbuf_accept(ob_race.b, t, 0, &bb));

	kunit_activate_static_stub(test, ownbuf_borrow_revoke, ob_borrow_revoke_stub);
	KUNIT_EXPECT_EQ(test, 0, ownbuf_drop(o, h, OWNBUF_DROP_REVOKE));
	kunit_deactivate_static_stub(test, ownbuf_borrow_revoke);

	KUNIT_EXPECT_EQ(test, 2, ob_race.calls);
	KUNIT_EXPECT_EQ(test, -ESTALE, ob_race.release_ret);
	ob_expect_violations(test, ob_race.a, OWNBUF_VIOLATION_LIFETIME, 1);
	KUNIT_EXPECT_EQ(test, 0U, ob_race.a->live);
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&ob_race.a->counters.borrows));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.borrows));
	/* b is closed and gone; o and a remain. */
	KUNIT_EXPECT_EQ(test, 2, atomic64_read(&kd->dev.counters.sessions));
	/* Released before the revoker came: a second release is a lifetime, too. */
	KUNIT_EXPECT_EQ(test, -ESTALE, ownbuf_release(ob_race.a, ob_race.ba, 0));
	ob_expect_violations(test, ob_race.a, OWNBUF_VIOLATION_LIFETIME, 2);
}

/* A drop with REVOKE in another thread, racing a lend of the same buffer. */
static struct {
	struct ownbuf_session *o;
	u64 h;
	int ret;
	struct completion done;
} ob_lend_race;

static int ob_lend_race_drop(void *unused)
{
	ob_lend_race.ret = ownbuf_drop(ob_lend_race.o, ob_lend_race.h, OWNBUF_DROP_REVOKE);
	complete(&ob_lend_race.done);
	return 0;
}

/*
 * Right after the loan is hashed, the owner's drop runs in another thread
 * and gets as far as it can: it ends the loan (freeing its ticket), then
 * waits for the lend's pin.
 */
static int ob_ticket_insert_stub(struct ownbuf_session *s, struct ownbuf_ticket *t,
				 u64 *value)
{
	struct kunit *test = kunit_get_current_test();
	struct task_struct *k;
	int ret, i;

	kunit_deactivate_static_stub(test, ownbuf_ticket_insert);
	ret = ownbuf_ticket_insert(s, t, value);
	if (ret)
		return ret;
	k = kthread_run(ob_lend_race_drop, NULL, "ownbuf-lend-race");
	if (IS_ERR(k)) {
		complete(&ob_lend_race.done);
		return 0;
	}
	for (i = 0; i < 1000 && atomic64_read(&s->dev->counters.tickets); i++)
		usleep_range(1000, 2000);
	return 0;
}

/*
 * Found by ownbuf_stress (seed 1, debug kernel: KASAN use after free in
 * ownbuf_lend): a lend read its ticket's value after hashing it, when a
 * drop with REVOKE in another thread may already have ended the loan and
 * freed the ticket. The value is taken while the ticket is still the
 * lend's own.
 */
static void ownbuf_lend_racing_drop_revoke(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *o = ownbuf_kunit_session(test, kd);
	u64 t = 0;
	int ret;

	ob_lend_race.o = o;
	ob_lend_race.h = ownbuf_kunit_create(test, o, 64);
	init_completion(&ob_lend_race.done);
	kunit_activate_static_stub(test, ownbuf_ticket_insert, ob_ticket_insert_stub);
	ret = ownbuf_lend(o, ob_lend_race.h, OWNBUF_MODE_SHARED, 0, &t);
	wait_for_completion(&ob_lend_race.done);
	KUNIT_EXPECT_EQ(test, 0, ret);
	KUNIT_EXPECT_NE(test, 0ULL, t);
	KUNIT_EXPECT_EQ(test, 0, ob_lend_race.ret);
	/* The loan died with its buffer. */
	KUNIT_EXPECT_EQ(test, -ENOENT, ownbuf_accept(o, t, 0, &t));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.tickets));
	KUNIT_EXPECT_EQ(test, 0, atomic64_read(&kd->dev.counters.buffers));
}

/*
 * Finding 4: handle tables are kernel metadata too; their chunks count
 * against their uid's bytes, so handles alone cannot get round the limit.
 */
static void ownbuf_handle_tables_count_against_user_bytes(struct kunit *test)
{
	struct ownbuf_kunit_dev *kd = ownbuf_kunit_dev(test);
	struct ownbuf_session *s = ownbuf_kunit_session(test, kd);
	u64 h, b;
	int i, ret = 0;

	kd->limits.user_max_bytes = 2 * OWNBUF_CHUNK_BYTES + 64 + OWNBUF_BUFFER_OVERHEAD;
	h = ownbuf_kunit_create(test, s, 64);
	for (i = 1; i < 3 * OWNBUF_CHUNK_SLOTS && !ret; i++)
		ret = ownbuf_borrow(s, h, OWNBUF_MODE_SHARED, 0, &b);
	KUNIT_EXPECT_EQ(test, -EDQUOT, ret);
	/* Two chunks' handles fitted: the owner and all but one borrow. */
	KUNIT_EXPECT_EQ(test, 2 * OWNBUF_CHUNK_SLOTS + 1, i);
	KUNIT_EXPECT_EQ(test, 2 * OWNBUF_CHUNK_SLOTS, s->live);
}

static struct kunit_case ownbuf_exact_cases[] = {
	KUNIT_CASE(ownbuf_revoke_is_eager),
	KUNIT_CASE(ownbuf_lend_racing_drop_revoke),
	KUNIT_CASE(ownbuf_holder_first_to_a_revoked_slot),
	KUNIT_CASE(ownbuf_handle_tables_count_against_user_bytes),
	KUNIT_CASE(ownbuf_take_within_one_uid_at_its_limit),
	KUNIT_CASE(ownbuf_user_limits),
	KUNIT_CASE(ownbuf_user_session_limit_is_64_bits),
	KUNIT_CASE(ownbuf_bytes_in_flight_count_against_giver),
	KUNIT_CASE(ownbuf_borrow_counted_under_the_handle_lock),
	KUNIT_CASE(ownbuf_borrow_reserves_before_pinning),
	KUNIT_CASE(ownbuf_revoked_borrow_to_owner_ops_estale),
	KUNIT_CASE(ownbuf_use_after_move_survives_slot_reuse),
	KUNIT_CASE(ownbuf_dead_loan_frees_ticket_quota),
	KUNIT_CASE(ownbuf_handles_never_revive_after_tag_wrap),
	{}
};

static struct kunit_suite ownbuf_exact_suite = {
	.name = "ownbuf_exact",
	.test_cases = ownbuf_exact_cases,
};

kunit_test_suite(ownbuf_exact_suite);
