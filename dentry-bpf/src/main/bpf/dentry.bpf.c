// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-cgroup dentry allocation counters.
 *
 * One program per attach mode feeds the same per-CPU hash map, keyed by
 * cgroup id; user space enables exactly one of them (autoload) and reads the
 * map in batches. Per-CPU values need no atomics on the hot path.
 */
#include "dentry_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EEXIST 17

/* Keep in step with DentryCounters in dentry-core: one u64 per field, in this order. */
struct dentry_counts {
	u64 alloc;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384); /* user space sets the real capacity before load */
	__type(key, u64);           /* cgroup id */
	__type(value, struct dentry_counts);
} cgroup_counts SEC(".maps");

/* Inserts refused because cgroup_counts was full: a full map is counted, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} map_full_drops SEC(".maps");

/* The dentry cache's struct kmem_cache *, learnt from its name on first sight. */
static u64 dentry_cachep;

static __always_inline void count_alloc(void)
{
	u64 id = bpf_get_current_cgroup_id();
	struct dentry_counts *c = bpf_map_lookup_elem(&cgroup_counts, &id);

	if (c) {
		c->alloc++;
		return;
	}
	struct dentry_counts first = { .alloc = 1 };
	long err = bpf_map_update_elem(&cgroup_counts, &id, &first, BPF_NOEXIST);
	if (!err)
		return;
	if (err == -EEXIST) { /* another CPU inserted it first */
		c = bpf_map_lookup_elem(&cgroup_counts, &id);
		if (c)
			c->alloc++;
		return;
	}
	u32 zero = 0;
	u64 *drops = bpf_map_lookup_elem(&map_full_drops, &zero);
	if (drops)
		(*drops)++;
}

/* "dentry" and its NUL as a little-endian u64 (the 8th byte read as 0). */
#define DENTRY_NAME_LE 0x007972746e6564ULL

/*
 * Tracepoint mode (6.1+): kmem_cache_alloc hands us the struct kmem_cache *.
 * Compare one pointer per slab allocation; read the name only until the
 * dentry cache has been seen once.
 */
SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(tp_kmem_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	if (!ptr)
		return 0;
	u64 known = dentry_cachep;
	if (known) {
		if ((u64)s != known)
			return 0;
	} else {
		u64 name = 0;
		const char *n = BPF_CORE_READ(s, name);
		if (bpf_probe_read_kernel(&name, 7, n) || name != DENTRY_NAME_LE)
			return 0;
		dentry_cachep = (u64)s;
	}
	count_alloc();
	return 0;
}

/* fentry mode: BTF trampoline on __d_alloc's return. */
SEC("fexit/__d_alloc")
int BPF_PROG(fexit_d_alloc, struct super_block *sb, const struct qstr *name, struct dentry *ret)
{
	if (ret)
		count_alloc();
	return 0;
}

/* kprobe mode: kretprobe on __d_alloc. */
SEC("kretprobe/__d_alloc")
int BPF_KRETPROBE(kretprobe_d_alloc, struct dentry *ret)
{
	if (ret)
		count_alloc();
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
