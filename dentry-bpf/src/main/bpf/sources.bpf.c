// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Where negative dentries come from: lookup misses (d_add / d_splice_alias[_ops] with a NULL inode)
 * and unlinks (d_delete of a positive dentry holding its only reference), counted per
 * (cgroup, parent directory) in an LRU hash of fixed size. fentry and kprobe modes only: tracepoint
 * mode has no dentry hooks.
 *
 * The directory is keyed by its superblock's device and its inode number; its last SOURCE_DEPTH path
 * components (d_parent, d_name), the file system type and the superblock's id are read once, when the
 * key is first seen (bounded reads, an unrolled loop), and stored in the value. The hot path for a
 * known directory is the cgroup key, five loads (plain loads in fentry mode), one lookup and one atomic add.
 *
 * The layouts are said once on the Java side too (SourcesLedger and SourceProbes in dentry-core);
 * SourcesObjectLayoutTest checks them against this object's BTF.
 */
#include "dentry_kernel.h"
#include "cgroup_key.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define EEXIST 17

/* The fields of the dcache types read here, as flavors (libbpf drops "___sources" when relocating). */
struct qstr___sources {
	const unsigned char *name;
} __attribute__((preserve_access_index));

struct file_system_type___sources {
	const char *name;
} __attribute__((preserve_access_index));

struct super_block___sources {
	u32 s_dev;
	char s_id[32];
	struct file_system_type___sources *s_type;
} __attribute__((preserve_access_index));

struct inode___sources {
	unsigned long i_ino;
} __attribute__((preserve_access_index));

struct dentry___sources {
	struct dentry___sources *d_parent;
	struct qstr___sources d_name;
	struct inode___sources *d_inode;
	struct super_block___sources *d_sb;
	struct lockref d_lockref;
} __attribute__((preserve_access_index));

#define SOURCE_DEPTH 3     /* path components kept: the directory, its parent and grandparent */
#define SOURCE_NAME_LEN 32 /* bytes per component, NUL included: longer names are cut */

/* A directory of one cgroup. */
struct source_key {
	u64 cgroup; /* the same key the per-cgroup counters use (cgroup_key()) */
	u64 ino;    /* the directory's inode number */
	u32 dev;    /* its superblock's s_dev */
	u32 pad;
};

struct source_value {
	u64 lookups;  /* lookup misses cached in the directory */
	u64 unlinks;  /* files unlinked there, their dentries turned negative */
	u32 depth;    /* components read into names (1..SOURCE_DEPTH) */
	u32 complete; /* 1 if names[depth - 1] is the file system's root: the path is whole */
	char fstype[16];
	char sb_id[32];
	char names[SOURCE_DEPTH][SOURCE_NAME_LEN]; /* names[0] the directory, names[1] its parent... */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192); /* user space sets the real capacity before load */
	__type(key, struct source_key);
	__type(value, struct source_value);
} negative_sources SEC(".maps");

/* Node-wide, per CPU: directories first seen (inserts; the LRU evicts the least recently used) and failed inserts. */
enum source_stat {
	SOURCE_INSERTS,
	SOURCE_INSERT_FAILED,
	SOURCE_STATS,
};

struct source_stats {
	u64 n[SOURCE_STATS];
	enum source_stat slots[]; /* no storage: keeps enum source_stat in the BTF */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct source_stats);
} source_stats SEC(".maps");

/* Set by user space before load: the whole of .rodata. */
const volatile struct sources_config {
	bool key_by_memcg;
} sources_config = {};

static __always_inline void stat_add(enum source_stat which)
{
	u32 zero = 0;
	struct source_stats *s = bpf_map_lookup_elem(&source_stats, &zero);

	if (s)
		s->n[which]++;
}

static __always_inline u64 source_cgroup_key(void)
{
	return current_cgroup_key(sources_config.key_by_memcg);
}

/* The directory's names, file system type and id: only when its key is first seen. */
static __always_inline void describe(struct dentry___sources *dir, struct source_value *v)
{
	struct super_block___sources *sb = BPF_CORE_READ(dir, d_sb);
	const char *fstype = BPF_CORE_READ(sb, s_type, name);

	bpf_probe_read_kernel_str(v->fstype, sizeof(v->fstype), fstype);
	bpf_probe_read_kernel_str(v->sb_id, sizeof(v->sb_id), &sb->s_id);
	struct dentry___sources *d = dir;
#pragma unroll
	for (int i = 0; i < SOURCE_DEPTH; i++) {
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		bpf_probe_read_kernel_str(v->names[i], SOURCE_NAME_LEN, name);
		v->depth = i + 1;
		struct dentry___sources *parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d) {
			v->complete = 1; /* d is the file system's root ("/") */
			return;
		}
		d = parent;
	}
}

/* Counts one negative dentry made in dir, whose key (on the stack) is read. */
static __always_inline void count_in(struct dentry___sources *dir, struct source_key *key, bool unlink)
{
	struct source_value *v = bpf_map_lookup_elem(&negative_sources, key);
	if (!v) {
		struct source_value first = {};
		describe(dir, &first);
		long err = bpf_map_update_elem(&negative_sources, key, &first, BPF_NOEXIST);
		if (err && err != -EEXIST) {
			stat_add(SOURCE_INSERT_FAILED);
			return;
		}
		if (!err)
			stat_add(SOURCE_INSERTS);
		v = bpf_map_lookup_elem(&negative_sources, key);
		if (!v)
			return;
	}
	if (unlink)
		__sync_fetch_and_add(&v->unlinks, 1);
	else
		__sync_fetch_and_add(&v->lookups, 1);
}

/* kprobe mode: the dentry's fields through bpf_probe_read_kernel (BPF_CORE_READ). */
static __always_inline void count_source(struct dentry___sources *dentry, bool unlink)
{
	struct dentry___sources *dir = BPF_CORE_READ(dentry, d_parent);

	if (!dir)
		return;
	struct source_key key = {
		.cgroup = source_cgroup_key(),
		.ino = BPF_CORE_READ(dir, d_inode, i_ino),
		.dev = BPF_CORE_READ(dir, d_sb, s_dev),
	};
	count_in(dir, &key, unlink);
}

/*
 * fentry mode: the arguments are BTF-typed kernel pointers, so the key is read with plain loads (CO-RE relocated,
 * checked by the verifier against the kernel's struct dentry) instead of five helper calls.
 */
static __always_inline void count_source_btf(struct dentry___sources *dentry, bool unlink)
{
	struct dentry___sources *dir = dentry->d_parent;

	if (!dir)
		return;
	struct source_key key = {
		.cgroup = source_cgroup_key(),
		.ino = dir->d_inode->i_ino,
		.dev = dir->d_sb->s_dev,
	};
	count_in(dir, &key, unlink);
}

/* d_add(dentry, inode) with a NULL inode: a lookup miss cached. */
static __always_inline void on_add(struct dentry___sources *dentry, void *inode)
{
	if (!inode)
		count_source(dentry, false);
}

/* d_delete(dentry): the only reference held, a positive dentry turns negative in place (unlink). */
static __always_inline void on_delete(struct dentry___sources *dentry)
{
	struct dentry *d = (struct dentry *)dentry;

	if (BPF_CORE_READ(d, d_inode) && BPF_CORE_READ(d, d_lockref.count) == 1)
		count_source(dentry, true);
}

SEC("fentry/d_add")
int BPF_PROG(fe_src_add, struct dentry___sources *dentry, void *inode)
{
	if (!inode)
		count_source_btf(dentry, false);
	return 0;
}

/* d_splice_alias(inode, dentry) or, 6.15+, d_splice_alias_ops(inode, dentry, ops): the target is set at load. */
SEC("fentry/d_splice_alias")
int BPF_PROG(fe_src_splice, void *inode, struct dentry___sources *dentry)
{
	if (!inode)
		count_source_btf(dentry, false);
	return 0;
}

SEC("fentry/d_delete")
int BPF_PROG(fe_src_delete, struct dentry___sources *dentry)
{
	if (dentry->d_inode && dentry->d_lockref.count == 1)
		count_source_btf(dentry, true);
	return 0;
}

SEC("kprobe/d_add")
int BPF_KPROBE(kp_src_add, struct dentry___sources *dentry, void *inode)
{
	on_add(dentry, inode);
	return 0;
}

SEC("kprobe/d_splice_alias")
int BPF_KPROBE(kp_src_splice, void *inode, struct dentry___sources *dentry)
{
	on_add(dentry, inode);
	return 0;
}

SEC("kprobe/d_delete")
int BPF_KPROBE(kp_src_delete, struct dentry___sources *dentry)
{
	on_delete(dentry);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
