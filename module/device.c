// SPDX-License-Identifier: GPL-2.0
/*
 * ownbuf device: state shared by all sessions (limits, counters, session
 * tags, users, tickets), and the accounting helpers the operations use.
 * KUnit builds private devices with their own limits, so suites never see
 * each other's buffers or counts.
 */

#include <linux/atomic.h>
#include <linux/bug.h>

#include <ownbuf/core.h>

#include "ownbuf_trace.h"

/**
 * ownbuf_device_init() - set up an empty device
 * @dev: the device
 * @limits: quotas it enforces, read on every call; must outlive @dev
 *
 * Return: 0, or -ENOMEM with nothing to tear down.
 */
int ownbuf_device_init(struct ownbuf_device *dev, const struct ownbuf_limits *limits)
{
	int ret;

	memset(dev, 0, sizeof(*dev));
	ret = ownbuf_tickets_init(dev);
	if (ret)
		return ret;
	dev->limits = limits;
	spin_lock_init(&dev->tickets_lock);
	mutex_init(&dev->sessions_lock);
	INIT_LIST_HEAD(&dev->sessions);
	ida_init(&dev->tags);
	xa_init(&dev->gen_floors);
	xa_init(&dev->users);
	dev->tag_max = OWNBUF_TAG_MAX;
	dev->map_window = OWNBUF_MAP_WINDOW;
	dev->map_compat_space = OWNBUF_MAP_COMPAT_SPACE;
	return 0;
}

/**
 * ownbuf_device_destroy() - tear down a device with no session left
 * @dev: the device
 *
 * Every buffer and ticket belongs to a session, so once the last session is
 * gone nothing is left to free; anything left is a bug, reported loudly.
 */
void ownbuf_device_destroy(struct ownbuf_device *dev)
{
	WARN_ON(!list_empty(&dev->sessions));
	WARN_ON(atomic64_read(&dev->counters.buffers));
	WARN_ON(atomic64_read(&dev->counters.bytes));
	WARN_ON(atomic64_read(&dev->counters.borrows));
	WARN_ON(atomic64_read(&dev->counters.tickets));
	ida_destroy(&dev->tags);
	xa_destroy(&dev->gen_floors);
	WARN_ON(!xa_empty(&dev->users));
	xa_destroy(&dev->users);
	ownbuf_tickets_destroy(dev);
	mutex_destroy(&dev->sessions_lock);
}

/**
 * ownbuf_count_violation() - count a refused call by class
 * @s: the session that made the call
 * @v: its class
 */
void ownbuf_count_violation(struct ownbuf_session *s, enum ownbuf_violation v)
{
	if (WARN_ON_ONCE(v >= OWNBUF_VIOLATION_NR))
		return;
	trace_ownbuf_violation(s, v);
	atomic64_inc(&s->counters.violations[v]);
	atomic64_inc(&s->dev->counters.violations[v]);
}

/**
 * ownbuf_count_refused() - count a refused call, whatever the reason
 * @s: the session that made the call
 */
void ownbuf_count_refused(struct ownbuf_session *s)
{
	atomic64_inc(&s->counters.refused);
	atomic64_inc(&s->dev->counters.refused);
}

/**
 * ownbuf_charge() - add @amount to a counter unless it would pass @limit
 * @ctr: the counter
 * @amount: what to add
 * @limit: the most the counter may hold
 *
 * Return: 0, or -EDQUOT with the counter unchanged.
 */
int ownbuf_charge(atomic64_t *ctr, u64 amount, u64 limit)
{
	s64 old = atomic64_read(ctr);

	do {
		if ((u64)old > limit || amount > limit - (u64)old)
			return -EDQUOT;
	} while (!atomic64_try_cmpxchg(ctr, &old, old + amount));
	return 0;
}
