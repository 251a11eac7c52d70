// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the borrow checker would refuse, caught by `gcc -fanalyzer` at
 * compile time thanks to libownbuf's allocator/deallocator declarations:
 * a use after drop, a use after give (move), a double drop, and a use of a
 * mapping after unmap. make check compiles it once per OWNBUF_MISUSE value
 * (1 to 4: one mistake each) and requires the analyzer to warn about each.
 * Value 5 is refused by the compiler itself, analyzer or not (libownbuf's
 * typed dispatch has no writable mapping for a borrow of type struct
 * ownbuf_ref): it must not compile. It is never run.
 */

#include "libownbuf.h"

#if OWNBUF_MISUSE == 1
int use_after_drop(struct ownbuf_sess *s)
{
	char byte;
	struct ownbuf_own *p = ownbuf_create(s, 16, NULL);

	if (!p)
		return -1;
	if (ownbuf_drop(p, 0))
		return -1;
	return ownbuf_read(p, 0, &byte, 1);		/* seed 002, caught */
}
#endif

#if OWNBUF_MISUSE == 2
int use_after_give(struct ownbuf_sess *s, struct ownbuf_move_ticket *t)
{
	struct ownbuf_own *p = ownbuf_create(s, 16, NULL);

	if (!p)
		return -1;
	if (ownbuf_give(p, t))
		return -1;
	return ownbuf_write(p, 0, "x", 1);		/* moved away, caught */
}
#endif

#if OWNBUF_MISUSE == 3
int double_drop(struct ownbuf_sess *s)
{
	struct ownbuf_own *p = ownbuf_create(s, 16, NULL);

	if (!p)
		return -1;
	if (ownbuf_drop(p, 0))
		return -1;
	return ownbuf_drop(p, 0);			/* double free, caught */
}
#endif

#if OWNBUF_MISUSE == 4
int use_after_unmap(struct ownbuf_own *o)
{
	struct ownbuf_view *v = ownbuf_map_rw(o, NULL);

	if (!v)
		return -1;
	if (ownbuf_unmap(v))
		return -1;
	((char *)v->addr)[0] = 'x';			/* dangling mapping, caught */
	return 0;
}
#endif

#if OWNBUF_MISUSE == 5
int map_shared_borrow_writable(struct ownbuf_own *o)
{
	struct ownbuf_ref *r = ownbuf_borrow(o, OWNBUF_MODE_SHARED, NULL);
	struct ownbuf_view *v;

	if (!r)
		return -1;
	v = ownbuf_map_rw(r, NULL);			/* &T as &mut T: does not compile */
	if (v)
		ownbuf_unmap(v);
	return ownbuf_release(r);
}
#endif
