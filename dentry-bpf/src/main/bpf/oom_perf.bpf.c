// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * OOM kills through a perf buffer, for kernels before 5.8 that have no BPF ring buffer. The hooks
 * and the event are in oom.h; oom.bpf.c is the ring-buffer twin.
 */
#include "oom.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u32));
	/* max_entries 0: libbpf sizes it to the number of possible CPUs */
} oom_events SEC(".maps");

/* The event is too large for the BPF stack: it is built here, one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct oom_event);
} oom_scratch SEC(".maps");

SEC("raw_tp/mark_victim")
int oom_mark_victim(struct bpf_raw_tracepoint_args *ctx)
{
	u32 zero = 0;
	struct oom_event *e = bpf_map_lookup_elem(&oom_scratch, &zero);

	if (!e)
		return 0;
	oom_fill(e, ctx);
	if (bpf_perf_event_output(ctx, &oom_events, BPF_F_CURRENT_CPU, e, sizeof(*e)))
		oom_count_lost();
	return 0;
}
