// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-cgroup dentry lifecycle counters.
 *
 * Every attach mode feeds the same maps: a per-CPU hash keyed by cgroup id
 * (one struct of counters per cgroup) and one per-CPU struct of node-wide counts.
 * User space enables the programs of one mode (autoload) and reads the maps
 * in batches. Per-CPU values need no atomics on the hot path.
 *
 * The layouts below are said once on the Java side too (DentryCounter's slots,
 * NodeCounter, DentryProbes.config()); DentryObjectLayoutTest in dentry-core
 * checks them against this object's BTF.
 */
#include "dentry_kernel.h"
#include "cgroup_key.h"
#include "owner.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EEXIST 17
#define MAX_ERRNO 4095
#define IS_ERR_OR_NULL(p) (!(p) || (unsigned long)(p) >= (unsigned long)-MAX_ERRNO)

/* Per-cgroup counters, one u64 each in the map value; a counter's value is its slot in DentryCounter (dentry-core). */
enum counter {
	ALLOC,           /* dentry allocated */
	POSITIVE,        /* dentry made positive (given an inode) */
	NEGATIVE_LOOKUP, /* lookup miss cached as a negative dentry */
	NEGATIVE_UNLINK, /* positive dentry turned negative by unlink */
	RECLAIMED,       /* objects the superblock shrinker freed while reclaiming this memory cgroup */
	/* Keyed by the owner (the memory cgroup the dentry's slab object is charged to), not the task: */
	CHARGED,         /* dentries allocated, charged to this memory cgroup */
	UNCHARGED,       /* dentries freed that were charged to it */
	BOUND,           /* its dentries given an inode (made positive) */
	UNBOUND,         /* its dentries whose inode was let go (unlink, or the dentry killed while positive) */
	COUNTERS,
};

struct dentry_counts {
	u64 n[COUNTERS];
	enum counter slots[]; /* no storage: names n's slots, and keeps enum counter in the BTF */
};

/* Node-wide counters (the freeing task is not the owner, so frees are not per cgroup): NodeCounter in dentry-core. */
enum node_counter {
	NODE_FREED,          /* dentries freed */
	NODE_MAP_FULL_DROPS, /* events lost because cgroup_counts was full: counted, never silent */
	NODE_RECLAIM_RUNS,   /* superblock shrinker (super_cache_scan) runs */
	NODE_RECLAIM_SCANNED, /* objects those runs were asked to scan */
	NODE_RECLAIM_FREED,  /* objects they freed (dentries, inodes, fs objects) */
	NODE_RECLAIM_NS,     /* nanoseconds they took, summed */
	NODE_PRUNE_DCACHE_SB, /* prune_dcache_sb calls: reclaim of a superblock's dentry LRU */
	NODE_SHRINK_DCACHE_SB, /* shrink_dcache_sb calls: remount, unmount, block device invalidation */
	NODE_OWNER_UNKNOWN,  /* dentry events whose owner could not be read (before it is learnt): counted, never silent */
	NODE_COUNTERS,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384); /* user space sets the real capacity before load */
	__type(key, u64);           /* cgroup id */
	__type(value, struct dentry_counts);
} cgroup_counts SEC(".maps");

/* Reclaim run durations: bucket i counts runs of [2^i, 2^(i+1)) nanoseconds, the last also longer ones. */
#define LATENCY_BUCKETS 40

/* Everything node-wide in one value, so user space reads it with one lookup per sample. */
struct node_counts {
	u64 n[NODE_COUNTERS];
	u64 reclaim_latency[LATENCY_BUCKETS];
	enum node_counter slots[]; /* no storage: names n's slots, and keeps enum node_counter in the BTF */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct node_counts);
} node_counts SEC(".maps");

/* A superblock shrinker run in progress, by task (a run can sleep and move CPUs). */
struct reclaim_start {
	u64 ns;
	u64 memcg;
	u64 to_scan;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, u64); /* pid_tgid */
	__type(value, struct reclaim_start);
} reclaim_runs SEC(".maps");

/*
 * Set by user space before load (the whole of .rodata, so keep every constant in it):
 * key_by_memcg counts under the memory cgroup (cgroup v1 and hybrid hosts) instead of the v2
 * cgroup; super_cache_scan is that function's address from /proc/kallsyms (0: unknown);
 * memcg_ids says the cgroup ids are memory cgroup ids (the key is the memory cgroup, or the host is
 * cgroup v2), so reclaimed objects and dentry owners (memory cgroups) can be counted in the same map;
 * page_offset_base and vmemmap_base are those variables' addresses from /proc/kallsyms (0: not shown,
 * on kernels without CONFIG_KALLSYMS_ALL), for finding a dentry's owner (owner.h).
 */
const volatile struct dentry_config {
	bool key_by_memcg;
	bool memcg_ids;
	u64 super_cache_scan;
	u64 page_offset_base;
	u64 vmemmap_base;
} config = {};

/* The dentry cache's struct kmem_cache * and its name pointer, learnt on first sight. */
static u64 dentry_cachep;
static u64 dentry_cache_name;

/* This CPU's node-wide counts (the array's one element). */
static __always_inline struct node_counts *node(void)
{
	u32 zero = 0;

	return bpf_map_lookup_elem(&node_counts, &zero);
}

static __always_inline void node_add(enum node_counter which)
{
	struct node_counts *c = node();

	if (c)
		c->n[which]++;
}

static __always_inline u64 cgroup_key(void)
{
	return current_cgroup_key(config.key_by_memcg);
}

static __always_inline void count_for(u64 id, enum counter which, u64 n)
{
	struct dentry_counts *c = bpf_map_lookup_elem(&cgroup_counts, &id);

	if (c) {
		c->n[which] += n;
		return;
	}
	struct dentry_counts first = {};
	first.n[which] = n;
	long err = bpf_map_update_elem(&cgroup_counts, &id, &first, BPF_NOEXIST);
	if (!err)
		return;
	if (err == -EEXIST) {
		c = bpf_map_lookup_elem(&cgroup_counts, &id);
		if (c)
			c->n[which] += n;
		return;
	}
	node_add(NODE_MAP_FULL_DROPS);
}

static __always_inline void count(enum counter which)
{
	count_for(cgroup_key(), which, 1);
}

/*
 * Counts under the owner of dentry object obj. s is its cache where the program sees it (tracepoint
 * mode), to learn pages_base from when kallsyms does not show the two bases; NULL elsewhere.
 */
static __always_inline void count_owner(u64 obj, struct kmem_cache *s, enum counter which)
{
	if (!config.memcg_ids)
		return;
	if (!pages_base && !pages_base_from_symbols(config.page_offset_base, config.vmemmap_base)
	    && !(s && pages_base_from_slab(s))) {
		node_add(NODE_OWNER_UNKNOWN);
		return;
	}
	u64 owner = object_owner(obj);
	if (owner)
		count_for(owner, which, 1);
	else
		node_add(NODE_OWNER_UNKNOWN);
}

/* "dentry" and its NUL as a little-endian u64 (the 8th byte read as 0). */
#define DENTRY_NAME_LE 0x007972746e6564ULL

/* Whether s is the dentry cache: one pointer compare once the cache has been seen. */
static __always_inline bool is_dentry_cache(struct kmem_cache *s)
{
	u64 known = dentry_cachep;

	if (known)
		return (u64)s == known;
	u64 name = 0;
	const char *n = BPF_CORE_READ(s, name);
	if (bpf_probe_read_kernel(&name, 7, n) || name != DENTRY_NAME_LE)
		return false;
	dentry_cache_name = (u64)n;
	dentry_cachep = (u64)s;
	return true;
}

/* ---- tracepoint mode (6.1+): the slab tracepoints hand us the cache ---- */

SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(tp_kmem_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	if (ptr && is_dentry_cache(s)) {
		count(ALLOC);
		count_owner((u64)ptr, s, CHARGED);
	}
	return 0;
}

/* Newer kernels pass the struct kmem_cache *, older ones its name pointer: match either. */
SEC("raw_tp/kmem_cache_free")
int BPF_PROG(tp_kmem_cache_free, unsigned long call_site, const void *ptr, const void *cache_or_name)
{
	u64 arg = (u64)cache_or_name;

	if (ptr && arg && (arg == dentry_cachep || arg == dentry_cache_name)) {
		node_add(NODE_FREED);
		count_owner((u64)ptr, (struct kmem_cache *)dentry_cachep, UNCHARGED); /* charged until after this tracepoint (6.1+) */
	}
	return 0;
}

/*
 * ---- tracepoint mode with BTF (tp_btf, the same tracepoints): cheaper per dentry ----
 * The programs run for every slab allocation and free on the node; on the dentries among them the
 * memory cgroup key is read by plain loads (BTF-typed pointers) instead of one helper call per
 * pointer. User space tries this first and falls back to the raw tracepoint above.
 */

static __always_inline u64 cgroup_key_btf(void)
{
	if (!config.key_by_memcg)
		return bpf_get_current_cgroup_id();
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	u32 index = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	if (index >= 16)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup_subsys_state *css = task->cgroups->subsys[index];
	if (!css)
		return 0;
	return css->cgroup->kn->id;
}

/*
 * Args: call_site, ptr, s, ... The verifier of 6.1 and 6.12 refuses a tp_btf program that loads a
 * void * argument ("arg1 type UNKNOWN is not a struct"; 6.18 takes it), so the allocated object is
 * read from the context with a helper, on dentries only. The free program stays a raw tracepoint:
 * it only compares pointers, tp_btf would not make it cheaper (and 6.1 passes a char * there).
 */
SEC("tp_btf/kmem_cache_alloc")
int btf_kmem_cache_alloc(u64 *ctx)
{
	struct kmem_cache *s = (struct kmem_cache *)ctx[2];
	const void *ptr = NULL;

	if (is_dentry_cache(s) && !bpf_probe_read_kernel(&ptr, sizeof(ptr), &ctx[1]) && ptr) {
		count_for(cgroup_key_btf(), ALLOC, 1);
		count_owner((u64)ptr, s, CHARGED);
	}
	return 0;
}

/* ---- what each hook counts, the same in fentry and kprobe mode ---- */

/*
 * A dentry's address as a plain number: fentry's arguments are BTF-typed pointers, on which the
 * verifier allows no arithmetic; copied through a helper, the verifier sees a number.
 */
static __always_inline u64 address_of(const struct dentry *dentry)
{
	u64 address = 0;

	bpf_probe_read_kernel(&address, sizeof(address), &dentry);
	return address;
}

static __always_inline void on_d_alloc(struct dentry *ret)
{
	if (ret) {
		count(ALLOC);
		count_owner(address_of(ret), NULL, CHARGED);
	}
}

static __always_inline void on_d_instantiate(struct dentry *dentry, struct inode *inode)
{
	if (inode) {
		count(POSITIVE);
		count_owner(address_of(dentry), NULL, BOUND);
	}
}

/* d_add(dentry, inode): lookups of filesystems like tmpfs; NULL inode caches a miss. */
static __always_inline void on_d_add(struct dentry *dentry, struct inode *inode)
{
	count(inode ? POSITIVE : NEGATIVE_LOOKUP);
	if (inode)
		count_owner(address_of(dentry), NULL, BOUND);
}

/*
 * d_splice_alias(inode, dentry[, ops]) (retargeted to d_splice_alias_ops on 6.15+): most lookups.
 * A directory inode that already has an alias is moved there and dentry stays negative; rare outside
 * NFS, it is counted as bound all the same.
 */
static __always_inline void on_d_splice_alias(struct inode *inode, struct dentry *dentry)
{
	if (!inode) {
		count(NEGATIVE_LOOKUP);
	} else if (!IS_ERR_OR_NULL(inode)) {
		count(POSITIVE);
		count_owner(address_of(dentry), NULL, BOUND);
	}
}

/* dentry_unlink_inode: a positive dentry lets its inode go, on unlink (d_delete) or when it is killed. */
static __always_inline void on_dentry_unlink_inode(struct dentry *dentry)
{
	count_owner(address_of(dentry), NULL, UNBOUND);
}

/* dentry_free: the dentry is killed (always negative by now), its slab object freed after RCU. */
static __always_inline void on_dentry_free(struct dentry *dentry)
{
	node_add(NODE_FREED);
	count_owner(address_of(dentry), NULL, UNCHARGED);
}

/* Anonymous dentries for file handles (NFS export, open_by_handle_at). */
static __always_inline void on_d_obtain_alias(struct inode *inode)
{
	if (!IS_ERR_OR_NULL(inode))
		count(POSITIVE);
}

/* d_delete: the only reference held, a positive dentry turns negative in place (unlink). */
static __always_inline void on_d_delete(struct dentry *dentry)
{
	if (BPF_CORE_READ(dentry, d_inode) && BPF_CORE_READ(dentry, d_lockref.count) == 1)
		count(NEGATIVE_UNLINK);
}

/* ---- fentry mode: BTF trampolines ---- */

SEC("fexit/__d_alloc")
int BPF_PROG(fexit_d_alloc, struct super_block *sb, const struct qstr *name, struct dentry *ret)
{
	on_d_alloc(ret);
	return 0;
}

SEC("fentry/__d_instantiate")
int BPF_PROG(fentry_d_instantiate, struct dentry *dentry, struct inode *inode)
{
	on_d_instantiate(dentry, inode);
	return 0;
}

SEC("fentry/d_add")
int BPF_PROG(fentry_d_add, struct dentry *dentry, struct inode *inode)
{
	on_d_add(dentry, inode);
	return 0;
}

SEC("fentry/d_splice_alias")
int BPF_PROG(fentry_d_splice_alias, struct inode *inode, struct dentry *dentry)
{
	on_d_splice_alias(inode, dentry);
	return 0;
}

SEC("fentry/__d_obtain_alias")
int BPF_PROG(fentry_d_obtain_alias, struct inode *inode)
{
	on_d_obtain_alias(inode);
	return 0;
}

SEC("fentry/d_delete")
int BPF_PROG(fentry_d_delete, struct dentry *dentry)
{
	on_d_delete(dentry);
	return 0;
}

SEC("fentry/dentry_free")
int BPF_PROG(fentry_dentry_free, struct dentry *dentry)
{
	on_dentry_free(dentry);
	return 0;
}

SEC("fentry/dentry_unlink_inode")
int BPF_PROG(fentry_dentry_unlink_inode, struct dentry *dentry)
{
	on_dentry_unlink_inode(dentry);
	return 0;
}

/* ---- kprobe mode: the same hooks as kprobes ---- */

SEC("kretprobe/__d_alloc")
int BPF_KRETPROBE(kretprobe_d_alloc, struct dentry *ret)
{
	on_d_alloc(ret);
	return 0;
}

SEC("kprobe/__d_instantiate")
int BPF_KPROBE(kprobe_d_instantiate, struct dentry *dentry, struct inode *inode)
{
	on_d_instantiate(dentry, inode);
	return 0;
}

SEC("kprobe/d_add")
int BPF_KPROBE(kprobe_d_add, struct dentry *dentry, struct inode *inode)
{
	on_d_add(dentry, inode);
	return 0;
}

SEC("kprobe/d_splice_alias")
int BPF_KPROBE(kprobe_d_splice_alias, struct inode *inode, struct dentry *dentry)
{
	on_d_splice_alias(inode, dentry);
	return 0;
}

SEC("kprobe/__d_obtain_alias")
int BPF_KPROBE(kprobe_d_obtain_alias, struct inode *inode)
{
	on_d_obtain_alias(inode);
	return 0;
}

SEC("kprobe/d_delete")
int BPF_KPROBE(kprobe_d_delete, struct dentry *dentry)
{
	on_d_delete(dentry);
	return 0;
}

SEC("kprobe/dentry_free")
int BPF_KPROBE(kprobe_dentry_free, struct dentry *dentry)
{
	on_dentry_free(dentry);
	return 0;
}

SEC("kprobe/dentry_unlink_inode")
int BPF_KPROBE(kprobe_dentry_unlink_inode, struct dentry *dentry)
{
	on_dentry_unlink_inode(dentry);
	return 0;
}

/* ---- reclaim (every mode): the superblock shrinker, found by its scan function ---- */

/*
 * The histogram bucket of v nanoseconds. u64 throughout, so the clamp at the end is made on the
 * register that then indexes node_counts' histogram: the verifier must see that index bounded.
 */
static __always_inline u64 log2_bucket(u64 v)
{
	u64 r = 0, shift;

	shift = (v > 0xFFFFFFFF) << 5; v >>= shift; r |= shift;
	shift = (v > 0xFFFF) << 4; v >>= shift; r |= shift;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r < LATENCY_BUCKETS ? r : LATENCY_BUCKETS - 1;
}

SEC("raw_tp/mm_shrink_slab_start")
int BPF_PROG(tp_shrink_slab_start, struct shrinker *shr, struct shrink_control *sc, long nr_objects_to_shrink,
	     unsigned long cache_items, unsigned long long delta, unsigned long total_scan)
{
	if (!config.super_cache_scan || (u64)BPF_CORE_READ(shr, scan_objects) != config.super_cache_scan)
		return 0;
	u64 task = bpf_get_current_pid_tgid();
	struct reclaim_start start = { .ns = bpf_ktime_get_ns(), .to_scan = total_scan };
	struct mem_cgroup *memcg = BPF_CORE_READ(sc, memcg);
	if (memcg)
		start.memcg = cgroup_ino(BPF_CORE_READ(memcg, css.cgroup));
	bpf_map_update_elem(&reclaim_runs, &task, &start, BPF_ANY);
	return 0;
}

SEC("raw_tp/mm_shrink_slab_end")
int BPF_PROG(tp_shrink_slab_end, struct shrinker *shr, int nid, int freed)
{
	u64 task = bpf_get_current_pid_tgid();
	struct reclaim_start *start = bpf_map_lookup_elem(&reclaim_runs, &task);

	if (!start)
		return 0; /* not a superblock shrinker run */
	u64 ns = bpf_ktime_get_ns() - start->ns;
	struct node_counts *c = node();
	if (c) {
		c->reclaim_latency[log2_bucket(ns)]++;
		c->n[NODE_RECLAIM_RUNS]++;
		c->n[NODE_RECLAIM_SCANNED] += start->to_scan;
		c->n[NODE_RECLAIM_NS] += ns;
		if (freed > 0)
			c->n[NODE_RECLAIM_FREED] += freed;
	}
	if (freed > 0 && config.memcg_ids && start->memcg)
		count_for(start->memcg, RECLAIMED, freed);
	bpf_map_delete_elem(&reclaim_runs, &task);
	return 0;
}

SEC("fentry/prune_dcache_sb")
int BPF_PROG(fentry_prune_dcache_sb)
{
	node_add(NODE_PRUNE_DCACHE_SB);
	return 0;
}

SEC("fentry/shrink_dcache_sb")
int BPF_PROG(fentry_shrink_dcache_sb)
{
	node_add(NODE_SHRINK_DCACHE_SB);
	return 0;
}

SEC("kprobe/prune_dcache_sb")
int BPF_KPROBE(kprobe_prune_dcache_sb)
{
	node_add(NODE_PRUNE_DCACHE_SB);
	return 0;
}

SEC("kprobe/shrink_dcache_sb")
int BPF_KPROBE(kprobe_shrink_dcache_sb)
{
	node_add(NODE_SHRINK_DCACHE_SB);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
