// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libownbuf example: create a buffer, write through it, lend a shared
 * borrow, read through the borrow, release it, write through a mapping of
 * the buffer and unmap it, move the buffer to a new owner through a
 * ticket, drop it. Every handle and mapping is ended exactly once, so
 * `gcc -fanalyzer` has nothing to say about it (make check verifies that).
 */

#include <stdio.h>
#include <string.h>

#include "libownbuf.h"

static int run(struct ownbuf_sess *s)
{
	struct ownbuf_move_ticket ticket;
	struct ownbuf_own *buf, *moved;
	struct ownbuf_ref *shared;
	struct ownbuf_view *view;
	char text[16] = "hello, ownbuf";
	char back[16] = "";
	int err;

	buf = ownbuf_create(s, sizeof(text), &err);
	if (!buf)
		return err;
	err = ownbuf_write(buf, 0, text, sizeof(text));
	if (err)
		goto drop;

	shared = ownbuf_borrow(buf, OWNBUF_MODE_SHARED, &err);
	if (!shared)
		goto drop;
	err = ownbuf_read(shared, 0, back, sizeof(back));
	/* EBUSY only while a mapping made through the borrow is out. */
	if (ownbuf_release(shared) == -EBUSY)
		ownbuf_ref_free(shared);	/* the session's close ends it */
	if (err)
		goto drop;
	printf("read through a borrow: %s\n", back);

	/* A writable mapping through the owner: a mutable borrow until unmapped. */
	view = ownbuf_map_rw(buf, &err);
	if (!view)
		goto drop;
	memcpy(view->addr, "HELLO", 5);
	err = ownbuf_unmap(view);
	if (err)
		goto drop;
	err = ownbuf_read(buf, 0, back, sizeof(back));
	if (err)
		goto drop;
	printf("read after a write through a mapping: %s\n", back);

	/* A move: buf is dead from here on, moved owns the bytes. */
	err = ownbuf_give(buf, &ticket);
	if (err)
		goto drop;
	moved = ownbuf_take(s, ticket, &err);
	if (!moved)
		return err;
	err = ownbuf_drop(moved, 0);
	if (err)
		ownbuf_own_free(moved);	/* the session's close frees the buffer */
	return err;

drop:
	if (ownbuf_drop(buf, OWNBUF_DROP_REVOKE))
		ownbuf_own_free(buf);
	return err;
}

int main(void)
{
	struct ownbuf_sess *s;
	int err;

	s = ownbuf_session_open(&err);
	if (!s) {
		fprintf(stderr, "open %s: %s\n", OWNBUF_DEVICE_PATH, strerror(-err));
		return 1;
	}
	err = run(s);
	ownbuf_session_close(s);
	if (err) {
		fprintf(stderr, "ownbuf: %s\n", ownbuf_errno_name(err));
		return 1;
	}
	return 0;
}
