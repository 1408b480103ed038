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

struct kernfs_node {
	u64 id;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
};

struct css_set {
	struct cgroup_subsys_state *subsys[14];
};

struct task_struct {
	struct css_set *cgroups;
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

/* The value comes from the running kernel's BTF through bpf_core_enum_value(). */
enum cgroup_subsys_id {
	memory_cgrp_id = 4,
};

#pragma clang attribute pop

/* bpf_tracing.h picks the kernel's pt_regs field names when this is defined. */
#define __VMLINUX_H__

#endif
