/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * OOM kills, one event per victim, shared by oom.bpf.c (ring buffer, kernel 5.8+) and
 * oom_perf.bpf.c (perf buffer, older kernels). Every hook is a raw tracepoint, so the same object
 * works where kprobes and fentry do not.
 *
 * oom:mark_victim fires in the task that ran the OOM killer (the invoker), not in the victim. What
 * it passes differs by kernel:
 *   - kernels whose classic event has total_vm (mainline after 6.8, and stable backports: Debian's
 *     5.10.0-46, 6.1.0-56 and 6.12 all have it): the victim's task_struct;
 *   - older kernels: only the victim's pid.
 * The victim's task_struct is found either way through signal:signal_generate: the killer sends
 * SIGKILL (with SEND_SIG_PRIV) to the victim immediately before marking it, in the same task and
 * under the victim's task lock. That also tells a kill from the other mark_victim call site, where
 * the invoker is already exiting and is marked without being killed (the kernel does not count
 * that one in its oom_kill counters either).
 *
 * Whether the OOM was a memory cgroup's or the whole machine's is learnt from the reclaim the
 * invoker ran just before: a memcg charge reclaims with try_to_free_mem_cgroup_pages
 * (vmscan:mm_vmscan_memcg_reclaim_begin), a page allocation with direct reclaim
 * (vmscan:mm_vmscan_direct_reclaim_begin), and both always reclaim before they invoke the killer.
 *
 * The victim's memory is read from its mm_struct the way the kernel's own report does
 * (get_mm_counter: the shared counter, negative as 0), in pages; user space converts to bytes.
 */
#ifndef DENTRYWATCH_OOM_H
#define DENTRYWATCH_OOM_H

#include "dentry_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "cgroup_key.h"

#define SIGKILL 9
#define SEND_SIG_PRIV 1ULL

/* The victim's cgroup path, leaf first; deeper paths and longer names are flagged truncated. */
#define OOM_PATH_DEPTH 10
#define OOM_NAME_LEN 128

/* Keep in step with dentry-core's io.dentrywatch.core.OomEvent, the Java decoder (offsets, OOM_KNOWN_* and
 * OOM_F_* bits); OomEventLayoutTest checks its offsets against this struct in the shipped object's BTF. */
#define OOM_KNOWN_TOTAL_VM      (1U << 0)
#define OOM_KNOWN_ANON_RSS      (1U << 1)
#define OOM_KNOWN_FILE_RSS      (1U << 2)
#define OOM_KNOWN_SHMEM_RSS     (1U << 3)
#define OOM_KNOWN_PGTABLES      (1U << 4)
#define OOM_KNOWN_OOM_SCORE_ADJ (1U << 5)
#define OOM_KNOWN_TASK          (1U << 6) /* tid, tgid, comm, cgroups */

#define OOM_F_KILLED            (1U << 0) /* SIGKILLed by the OOM killer, not an exiting task marked */
#define OOM_F_SCOPE_MEMCG       (1U << 1) /* the invoker last reclaimed for a memory cgroup */
#define OOM_F_SCOPE_GLOBAL      (1U << 2) /* the invoker last ran direct (node-wide) reclaim */
#define OOM_F_PATH_MEMORY_V1    (1U << 3) /* path[] is in the v1 memory hierarchy (else the v2 one) */
#define OOM_F_PATH_TRUNCATED    (1U << 4)

struct oom_event {
	u64 mono_ns;            /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	u64 memcg_ino;          /* the memory controller's cgroup; on v1 in the memory hierarchy */
	u64 dfl_ino;            /* the v2 cgroup */
	u64 total_vm_pages;
	u64 anon_rss_pages;
	u64 file_rss_pages;
	u64 shmem_rss_pages;
	u64 pgtables_bytes;
	u32 known;              /* OOM_KNOWN_* */
	u32 flags;              /* OOM_F_* */
	__s32 tgid;               /* the victim process */
	__s32 tid;                /* the victim thread, as the tracepoint and the kernel log print it */
	__s32 invoker_tid;        /* the task that ran the OOM killer */
	__s16 oom_score_adj;
	u8 path_depth;          /* names in path[] */
	u8 reserved;
	char comm[16];
	char path[OOM_PATH_DEPTH][OOM_NAME_LEN];
};

enum oom_scope {
	OOM_SCOPE_MEMCG = 1,
	OOM_SCOPE_GLOBAL = 2,
};

/* Before 6.2: struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; }. */
struct mm_rss_stat___pre62 {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));

struct mm_struct___pre62 {
	struct mm_rss_stat___pre62 rss_stat;
} __attribute__((preserve_access_index));

/* A SIGKILL with SEND_SIG_PRIV: who sent it to which task. */
struct oom_pending_kill {
	u64 task;
	u32 sender_tid;
	u32 reserved;
};

/*
 * victim tid -> the SIGKILL it was just sent; consumed by mark_victim. Keyed by the victim, so an
 * unrelated SIGKILL sent in between (from an interrupt, or to the other users of the victim's mm
 * after it) cannot displace the one the killer sent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct oom_pending_kill);
} oom_pending_kills SEC(".maps");

/* tid -> enum oom_scope of the reclaim it ran last. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, u32);
	__type(value, u32);
} oom_reclaim_scope SEC(".maps");

/* Events that could not be handed to user space (buffer full): counted, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} oom_lost_events SEC(".maps");

static __always_inline void oom_count_lost(void)
{
	u32 zero = 0;
	u64 *lost = bpf_map_lookup_elem(&oom_lost_events, &zero);

	if (lost)
		(*lost)++;
}

static __always_inline u32 current_tid(void)
{
	return (u32)bpf_get_current_pid_tgid();
}

/* A counter as get_mm_counter() reads it: the shared value, negative as 0. */
static __always_inline u64 positive(s64 v)
{
	return v < 0 ? 0 : (u64)v;
}

/*
 * The kernel's MM_* counter indexes: an anonymous enum (so CO-RE cannot relocate it), unchanged
 * since 4.5 (MM_SWAPENTS is 2).
 */
#define MM_FILEPAGES 0
#define MM_ANONPAGES 1
#define MM_SHMEMPAGES 3

#define RSS_PRE62(mm, member) BPF_CORE_READ((struct mm_struct___pre62 *)(mm), rss_stat.count[member].counter)
#define RSS_PERCPU(mm, member) BPF_CORE_READ(mm, rss_stat[member].count)

static __always_inline void oom_read_memory(struct oom_event *e, struct mm_struct *mm)
{
	if (!mm)
		return; /* an exiting task without an address space: memory unknown, not zero */
	e->total_vm_pages = BPF_CORE_READ(mm, total_vm);
	e->known |= OOM_KNOWN_TOTAL_VM;
	if (bpf_core_field_exists(mm->pgtables_bytes)) {
		e->pgtables_bytes = positive(BPF_CORE_READ(mm, pgtables_bytes.counter));
		e->known |= OOM_KNOWN_PGTABLES;
	}
	if (bpf_core_field_exists(struct mm_struct___pre62, rss_stat)) {
		e->file_rss_pages = positive(RSS_PRE62(mm, MM_FILEPAGES));
		e->anon_rss_pages = positive(RSS_PRE62(mm, MM_ANONPAGES));
		e->shmem_rss_pages = positive(RSS_PRE62(mm, MM_SHMEMPAGES));
	} else if (bpf_core_field_exists(mm->rss_stat)) {
		e->file_rss_pages = positive(RSS_PERCPU(mm, MM_FILEPAGES));
		e->anon_rss_pages = positive(RSS_PERCPU(mm, MM_ANONPAGES));
		e->shmem_rss_pages = positive(RSS_PERCPU(mm, MM_SHMEMPAGES));
	} else {
		return;
	}
	e->known |= OOM_KNOWN_ANON_RSS | OOM_KNOWN_FILE_RSS | OOM_KNOWN_SHMEM_RSS;
}

/* The cgroup's path below its hierarchy's root, leaf first: one name per kernfs node. */
static __always_inline void oom_read_path(struct oom_event *e, struct cgroup *cgrp)
{
	struct kernfs_node *kn = cgrp ? BPF_CORE_READ(cgrp, kn) : NULL;
	u8 depth = 0;

#pragma unroll
	for (int i = 0; i <= OOM_PATH_DEPTH; i++) {
		if (!kn)
			break;
		struct kernfs_node *parent = kernfs_node_parent(kn);
		if (!parent)
			break; /* kn is the hierarchy's root, which has no name in the path */
		if (i == OOM_PATH_DEPTH) {
			e->flags |= OOM_F_PATH_TRUNCATED;
			break;
		}
		long n = bpf_probe_read_kernel_str(e->path[i], OOM_NAME_LEN, BPF_CORE_READ(kn, name));
		if (n < 0 || n == OOM_NAME_LEN) {
			e->flags |= OOM_F_PATH_TRUNCATED; /* unreadable, or possibly cut at OOM_NAME_LEN - 1 */
			if (n < 0)
				break;
		}
		depth = i + 1;
		kn = parent;
	}
	e->path_depth = depth;
}

/*
 * Fills e for one oom:mark_victim. It is a kill if the invoker itself has just sent the victim
 * SIGKILL; otherwise the invoker marked itself while exiting. Where the tracepoint gives only the
 * pid, the victim's task_struct is the one that SIGKILL went to, or else the invoker's own.
 */
static __always_inline void oom_fill(struct oom_event *e, struct bpf_raw_tracepoint_args *ctx)
{
	u32 self = current_tid();
	struct task_struct *victim = NULL;
	u32 tid;

	__builtin_memset(e, 0, offsetof(struct oom_event, path));
	e->mono_ns = bpf_ktime_get_ns();
	e->invoker_tid = self;

	if (bpf_core_field_exists(struct trace_event_raw_mark_victim, total_vm)) {
		victim = (struct task_struct *)ctx->args[0];
		tid = BPF_CORE_READ(victim, pid);
	} else {
		tid = (u32)ctx->args[0];
	}
	e->tid = tid;

	struct oom_pending_kill *pending = bpf_map_lookup_elem(&oom_pending_kills, &tid);
	struct oom_pending_kill signalled = {};
	if (pending) {
		signalled = *pending;
		bpf_map_delete_elem(&oom_pending_kills, &tid);
	}
	if (signalled.sender_tid != self)
		signalled.task = 0; /* someone else's SIGKILL: not this kill */

	if (!victim) { /* the tracepoint gave only the pid */
		struct task_struct *sent = (struct task_struct *)signalled.task;
		if (sent && BPF_CORE_READ(sent, pid) == (int)tid)
			victim = sent;
		else if (tid == self)
			victim = (struct task_struct *)bpf_get_current_task();
	}
	if (victim && signalled.task == (u64)victim)
		e->flags |= OOM_F_KILLED;

	u32 *scope = bpf_map_lookup_elem(&oom_reclaim_scope, &self);
	if (scope && *scope == OOM_SCOPE_MEMCG)
		e->flags |= OOM_F_SCOPE_MEMCG;
	else if (scope && *scope == OOM_SCOPE_GLOBAL)
		e->flags |= OOM_F_SCOPE_GLOBAL;

	if (!victim)
		return;
	e->tid = BPF_CORE_READ(victim, pid);
	e->tgid = BPF_CORE_READ(victim, tgid);
	bpf_core_read_str(e->comm, sizeof(e->comm), &victim->comm);
	e->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);
	e->known |= OOM_KNOWN_TASK | OOM_KNOWN_OOM_SCORE_ADJ;
	oom_read_memory(e, BPF_CORE_READ(victim, mm));

	struct cgroup *memcg = task_memory_cgroup(victim);
	struct cgroup *dfl = task_dfl_cgroup(victim);
	e->memcg_ino = cgroup_ino(memcg);
	e->dfl_ino = cgroup_ino(dfl);
	/* the memory controller lives on v1 when its cgroup is in another hierarchy than the v2 one */
	if (memcg && dfl && BPF_CORE_READ(memcg, root) != BPF_CORE_READ(dfl, root)) {
		e->flags |= OOM_F_PATH_MEMORY_V1;
		oom_read_path(e, memcg);
	} else {
		oom_read_path(e, dfl);
	}
}

static __always_inline void oom_remember_scope(u32 scope)
{
	u32 self = current_tid();
	u32 *known = bpf_map_lookup_elem(&oom_reclaim_scope, &self);

	if (known) {
		if (*known != scope)
			*known = scope;
		return;
	}
	bpf_map_update_elem(&oom_reclaim_scope, &self, &scope, BPF_ANY);
}

/* do_send_sig_info(SIGKILL, SEND_SIG_PRIV, victim, PIDTYPE_TGID) in __oom_kill_process. */
SEC("raw_tp/signal_generate")
int oom_signal_gen(struct bpf_raw_tracepoint_args *ctx)
{
	if ((int)ctx->args[0] != SIGKILL || ctx->args[1] != SEND_SIG_PRIV)
		return 0;
	struct task_struct *task = (struct task_struct *)ctx->args[2];
	struct oom_pending_kill kill = { .task = (u64)task, .sender_tid = current_tid() };
	u32 tid = BPF_CORE_READ(task, pid);

	bpf_map_update_elem(&oom_pending_kills, &tid, &kill, BPF_ANY);
	return 0;
}

SEC("raw_tp/mm_vmscan_memcg_reclaim_begin")
int oom_memcg_recl(struct bpf_raw_tracepoint_args *ctx)
{
	oom_remember_scope(OOM_SCOPE_MEMCG);
	return 0;
}

SEC("raw_tp/mm_vmscan_direct_reclaim_begin")
int oom_direct_recl(struct bpf_raw_tracepoint_args *ctx)
{
	oom_remember_scope(OOM_SCOPE_GLOBAL);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#endif
