/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A task's cgroups as the ids user space sees: the id of a cgroup is its directory's inode number
 * in the hierarchy it belongs to. Shared by programs that attribute events to cgroups.
 *
 * On cgroup v1 and hybrid hosts bpf_get_current_cgroup_id() answers with the v2 cgroup, which is
 * usually the root there; the memory controller's cgroup is the one that has limits and OOMs.
 */
#ifndef DENTRYWATCH_CGROUP_KEY_H
#define DENTRYWATCH_CGROUP_KEY_H

#include "dentry_kernel.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* 5.4 and older: the id is a union of the inode (low 32 bits) and a generation (high 32 bits). */
union kernfs_node_id {
	struct {
		u32 ino;
		u32 generation;
	};
	u64 id;
} __attribute__((preserve_access_index));

struct kernfs_node___pre55 {
	union kernfs_node_id id;
} __attribute__((preserve_access_index));

/* Before 6.15 the parent pointer was not RCU-annotated and had its plain name. */
struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline u64 kernfs_node_ino(struct kernfs_node *kn)
{
	if (!kn)
		return 0;
	/*
	 * Asked of a flavor of struct kernfs_node, not as bpf_core_type_exists(union kernfs_node_id): a
	 * type missing from vmlinux BTF makes libbpf (1.1) search the modules' BTF, which needs
	 * CAP_SYS_ADMIN, and the whole load fails with EPERM under CAP_BPF + CAP_PERFMON alone.
	 */
	if (bpf_core_field_exists(struct kernfs_node___pre55, id.ino)) {
		struct kernfs_node___pre55 *old = (void *)kn;
		return BPF_CORE_READ(old, id.ino);
	}
	return BPF_CORE_READ(kn, id);
}

static __always_inline struct kernfs_node *kernfs_node_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___pre615, parent)) {
		struct kernfs_node___pre615 *old = (void *)kn;
		return BPF_CORE_READ(old, parent);
	}
	return BPF_CORE_READ(kn, __parent);
}

/* The memory controller's cgroup of a task: on v1 its cgroup in the memory hierarchy; NULL if the kernel has no memcg. */
static __always_inline struct cgroup *task_memory_cgroup(struct task_struct *task)
{
	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return NULL;
	u32 index = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct css_set *cset = BPF_CORE_READ(task, cgroups);
	struct cgroup_subsys_state *css = NULL;

	if (!cset || index >= 16)
		return NULL;
	if (bpf_core_read(&css, sizeof(css), &cset->subsys[index]) || !css)
		return NULL;
	return BPF_CORE_READ(css, cgroup);
}

/* The task's cgroup in the default (v2) hierarchy: its leaf cgroup on v2 hosts, the root where nothing uses v2. */
static __always_inline struct cgroup *task_dfl_cgroup(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp);
}

static __always_inline u64 cgroup_ino(struct cgroup *cgrp)
{
	return cgrp ? kernfs_node_ino(BPF_CORE_READ(cgrp, kn)) : 0;
}

/* The id the current task's events are counted under: its memory cgroup's (v1, hybrid) or its v2 cgroup's. */
static __always_inline u64 current_cgroup_key(bool by_memcg)
{
	if (by_memcg)
		return cgroup_ino(task_memory_cgroup((struct task_struct *)bpf_get_current_task()));
	return bpf_get_current_cgroup_id();
}

#endif
