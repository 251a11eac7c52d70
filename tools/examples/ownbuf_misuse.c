// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the borrow checker would refuse, caught by `gcc -fanalyzer` at
 * compile time thanks to libownbuf's allocator/deallocator declarations:
 * a use after drop, a use after give (move), and a double drop. make check
 * compiles it once per OWNBUF_MISUSE value (1, 2, 3: one mistake each) and
 * requires the analyzer to warn about each; it is never run.
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
