// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * OOM kills through a BPF ring buffer (kernel 5.8+). The hooks and the event are in oom.h;
 * oom_perf.bpf.c is the same with a perf buffer for older kernels.
 */
#include "oom.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	/* 256 KiB, about 188 events of 1,392 bytes: the reader's thread waits in epoll and drains each kill as it is
	 * submitted, so this only absorbs a burst; the kernel maps all of it, twice, into the reader's RSS */
	__uint(max_entries, 1 << 18);
} oom_events SEC(".maps");

SEC("raw_tp/mark_victim")
int oom_mark_victim(struct bpf_raw_tracepoint_args *ctx)
{
	struct oom_event *e = bpf_ringbuf_reserve(&oom_events, sizeof(*e), 0);

	if (!e) {
		oom_count_lost();
		return 0;
	}
	oom_fill(e, ctx);
	bpf_ringbuf_submit(e, 0);
	return 0;
}
