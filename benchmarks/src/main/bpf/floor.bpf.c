// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of tracepoint mode: programs that do nothing, on the two slab tracepoints dentrywatch's
 * tracepoint mode hooks. What they cost a churn is what any program there costs, before it counts.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("raw_tp/kmem_cache_alloc")
int floor_alloc(void *ctx)
{
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int floor_free(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
