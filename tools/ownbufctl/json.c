// SPDX-License-Identifier: GPL-2.0
/*
 * ownbufctl: --json output. One object per command on one line, stable
 * keys. Handles are strings ("0x..."), as JSON numbers lose precision past
 * 2^53; counters are numbers.
 */

#include "ownbufctl.h"

#define ULL(v) ((unsigned long long)(v))

void ctl_json_query(FILE *f, uint64_t handle, const struct ownbuf_query *q)
{
	const char *mode = ownbuf_mode_name(q->out_mode);

	fprintf(f, "{\"handle\":\"0x%016llx\",\"size\":%llu,\"id\":%llu,\"kind\":\"%s\",",
		ULL(handle), ULL(q->out_size), ULL(q->out_id),
		q->out_kind == OWNBUF_KIND_BORROW ? "borrow" : "owner");
	if (mode)
		fprintf(f, "\"mode\":\"%s\",", mode);
	else
		fputs("\"mode\":null,", f);
	fprintf(f, "\"shared\":%u,\"mut\":%u,\"frozen\":%s,\"mappings\":%u}\n", q->out_shared,
		q->out_mut, q->out_frozen ? "true" : "false", q->out_mappings);
}

static void ctl_json_counts(FILE *f, const char *key, const struct ownbuf_counts *k,
			    uint64_t mappings)
{
	unsigned int i;

	fprintf(f, "\"%s\":{\"buffers\":%llu,\"bytes\":%llu,\"borrows\":%llu,\"tickets\":%llu,",
		key, ULL(k->buffers), ULL(k->bytes), ULL(k->borrows), ULL(k->tickets));
	fprintf(f, "\"mappings\":%llu,", ULL(mappings));
	fprintf(f, "\"sessions\":%llu,\"refused\":%llu,\"violations\":{",
		ULL(k->sessions), ULL(k->refused));
	for (i = 0; i < OWNBUF_VIOLATION_NR; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", ownbuf_violation_name(i),
			ULL(k->violations[i]));
	fputs("}}", f);
}

void ctl_json_stats(FILE *f, const struct ownbuf_stats *st)
{
	fputc('{', f);
	ctl_json_counts(f, "session", &st->out_session, st->out_session_mappings);
	fputc(',', f);
	ctl_json_counts(f, "device", &st->out_device, st->out_device_mappings);
	fputs("}\n", f);
}
