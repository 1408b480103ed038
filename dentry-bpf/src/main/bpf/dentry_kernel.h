/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The few kernel types dentrywatch's programs touch, declared by hand with
 * preserve_access_index so libbpf relocates every field access against the
 * running kernel's BTF (CO-RE). Only the fields used are listed.
 */
#ifndef DENTRY_KERNEL_H
#define DENTRY_KERNEL_H

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u32 u32;
typedef __u64 u64;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

/* x86_64 kernel register names, as kprobe programs see them. */
struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8;
	unsigned long ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp, ss;
};

struct kmem_cache {
	const char *name;
};

struct inode;
struct super_block;
struct qstr;

struct lockref {
	union {
		u64 lock_count;
		struct {
			u32 lock;
			int count;
		};
	};
};

struct dentry {
	struct inode *d_inode;
	struct lockref d_lockref;
};

/* Tasks, their cgroups and their memory: what the OOM watcher reads of a victim (oom.h, cgroup_key.h). */

typedef struct {
	s64 counter;
} atomic64_t;
typedef atomic64_t atomic_long_t;

struct kernfs_node {
	struct kernfs_node *__parent; /* 6.15+; "parent" before: see struct kernfs_node___pre615 */
	const char *name;
	u64 id;                       /* 5.5+: the cgroup id, equal to the directory's inode number */
};

struct cgroup_root;

struct cgroup {
	struct kernfs_node *kn;
	struct cgroup_root *root;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[16]; /* CGROUP_SUBSYS_COUNT entries; the index is relocated, not the size */
	struct cgroup *dfl_cgrp;
};

/* The value is the kernel's (bpf_core_enum_value), not this one. */
enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

/* 6.2+: one percpu_counter per MM_* counter; the total is in count. */
struct percpu_counter {
	s64 count;
};

struct mm_struct {
	unsigned long total_vm;                /* pages */
	struct percpu_counter rss_stat[4];     /* 6.2+; struct mm_rss_stat before: see mm_struct___pre62 */
	atomic_long_t pgtables_bytes;          /* 4.16+, CONFIG_MMU */
};

struct signal_struct {
	short oom_score_adj;
};

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	struct mm_struct *mm;
	struct signal_struct *signal;
	struct css_set *cgroups;
};

/*
 * The classic oom:mark_victim event's record. Kernels whose record has total_vm (mainline after 6.8,
 * and stable backports such as Debian's 5.10.0-46 and 6.1.0-56) also pass the victim's task_struct
 * to the raw tracepoint; older ones pass only its pid.
 */
struct trace_event_raw_mark_victim {
	int pid;
	unsigned long total_vm;
};

struct mem_cgroup {
	struct cgroup_subsys_state css;
};

struct shrinker {
	void *scan_objects; /* a function pointer: compared with super_cache_scan's address */
};

struct shrink_control {
	struct mem_cgroup *memcg;
};

#pragma clang attribute pop

/* bpf_tracing.h picks the kernel's pt_regs field names when this is defined. */
#define __VMLINUX_H__

#endif
