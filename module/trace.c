// SPDX-License-Identifier: GPL-2.0
/* The ownbuf tracepoints, defined once (see ownbuf_trace.h). */

#define CREATE_TRACE_POINTS
#include "ownbuf_trace.h"
