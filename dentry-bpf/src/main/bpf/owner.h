/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The memory cgroup a dentry's slab object is charged to, its owner: read the same way when the
 * dentry is allocated and when it is freed, so allocations minus frees per owner is what the owner
 * holds in the cache now. When a memory cgroup dies the kernel points its obj_cgroup at the parent,
 * and the frees follow.
 *
 * Per slab the kernel keeps a vector with one obj_cgroup per object, its low bits flags:
 * slab->obj_exts (6.10+; on 7.x the entries may be spaced by the object size), slab->memcg_data
 * (5.17-6.9), page->obj_cgroups (5.10-5.16, before struct slab split off struct page). The slab of
 * an object is its struct page's compound head. virt_to_page on x86_64 is
 * vmemmap_base + ((addr - page_offset_base) >> PAGE_SHIFT) * sizeof(struct page), that is
 * pages_base + (addr >> PAGE_SHIFT) * sizeof(struct page) with one constant
 * pages_base = vmemmap_base - (page_offset_base >> PAGE_SHIFT) * sizeof(struct page).
 * It is computed from the two variables where /proc/kallsyms shows them (CONFIG_KALLSYMS_ALL), or
 * else learnt from a pair the kernel itself keeps: a slab on the dentry cache's partial list and its
 * freelist, an address inside that slab. Both bases are PUD-aligned (KASLR moves them in PUD steps),
 * so pages_base is a multiple of 2^18 and the freelist lying in a tail page of the slab (a few struct
 * pages on) is undone by rounding up. The pair is checked before it is kept: the slab found from the
 * freelist is that slab, and it belongs to the dentry cache.
 */
#ifndef DENTRYWATCH_OWNER_H
#define DENTRYWATCH_OWNER_H

#include "dentry_kernel.h"
#include "cgroup_key.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define OWNER_PAGE_SHIFT 12
#define PAGES_BASE_ALIGN (1ULL << 18)
/* A head page is at most this many struct pages before a tail (order 10 is the buddy allocator's top). */
#define MAX_COMPOUND_PAGES (1ULL << 10)

/* The root's kernfs id: objects of the root memory cgroup (and uncharged ones) are the root's. */
#define ROOT_CGROUP_ID 1

struct list_head___owner {
	struct list_head___owner *next;
} __attribute__((preserve_access_index));

/* struct page as far as slabs use it; before 5.17 the slab fields were in struct page itself. */
struct page {
	unsigned long compound_head; /* bit 0: a tail page; the head page's address, or on 7.x a mask */
	struct kmem_cache *slab_cache;
	void *freelist;
	struct list_head___owner slab_list;
	unsigned int objects:15;
	struct obj_cgroup **obj_cgroups; /* 5.10-5.16 */
} __attribute__((preserve_access_index));

/* 7.x renamed compound_head; a tail keeps either the head's address + 1 or a mask of it | 1. */
struct page___7x {
	unsigned long compound_info;
} __attribute__((preserve_access_index));

/* 5.17+: the slab's own descriptor, overlaying the head page. */
struct slab {
	struct kmem_cache *slab_cache;
	void *freelist;
	struct list_head___owner slab_list;
	unsigned int objects:15;
	unsigned int obj_exts_in_object:1;   /* 7.x: each object carries its entry, spaced by s->size */
	unsigned int obj_exts_needs_objcg:1; /* 7.x: the entries hold an obj_cgroup */
	unsigned long memcg_data;            /* 5.17-6.9 */
	unsigned long obj_exts;              /* 6.10+ */
} __attribute__((preserve_access_index));

struct slabobj_ext {
	void *objcg; /* the first member: struct obj_cgroup * */
} __attribute__((preserve_access_index));

struct obj_cgroup {
	struct mem_cgroup *memcg;
} __attribute__((preserve_access_index));

struct kmem_cache_node {
	struct list_head___owner partial;
} __attribute__((preserve_access_index));

struct kmem_cache___owner {
	unsigned int size; /* the object's stride in its slab */
	struct list_head___owner list; /* every cache, in slab_caches */
	struct kmem_cache_node *node[1];
} __attribute__((preserve_access_index));

/* Caches tried after the dentry cache when its partial list is empty at that moment. */
#define LEARN_CACHES 16

enum objext_flags___owner {
	__NR_OBJEXTS_FLAGS___owner = 8,
};

/* Learnt once, then only read; 0 until known. */
static u64 pages_base;

static __always_inline u64 page_struct_size(void)
{
	return bpf_core_type_size(struct page);
}

/* The head page (the slab) of the page holding obj, given pages_base. */
static __always_inline u64 slab_of(u64 base, u64 obj)
{
	u64 page = base + (obj >> OWNER_PAGE_SHIFT) * page_struct_size();
	u64 info;

	if (bpf_core_field_exists(struct page___7x, compound_info))
		info = BPF_CORE_READ((struct page___7x *)page, compound_info);
	else
		info = BPF_CORE_READ((struct page *)page, compound_head);
	if (!(info & 1))
		return page;
	u64 head = info - 1;
	if (head <= page && page - head < MAX_COMPOUND_PAGES * page_struct_size())
		return head;
	return page & info; /* 7.x with HugeTLB vmemmap optimisation: a mask */
}

static __always_inline struct kmem_cache *slab_cache_of(u64 slab)
{
	if (bpf_core_type_exists(struct slab))
		return BPF_CORE_READ((struct slab *)slab, slab_cache);
	return BPF_CORE_READ((struct page *)slab, slab_cache);
}

/* pages_base from kallsyms' page_offset_base and vmemmap_base (their addresses; 0: not shown). */
static __always_inline bool pages_base_from_symbols(u64 page_offset_base_at, u64 vmemmap_base_at)
{
	u64 page_offset = 0, vmemmap = 0;

	if (!page_offset_base_at || !vmemmap_base_at
	    || bpf_probe_read_kernel(&page_offset, sizeof(page_offset), (void *)page_offset_base_at)
	    || bpf_probe_read_kernel(&vmemmap, sizeof(vmemmap), (void *)vmemmap_base_at) || !page_offset || !vmemmap)
		return false;
	pages_base = vmemmap - (page_offset >> OWNER_PAGE_SHIFT) * page_struct_size();
	return true;
}

/* pages_base from a slab on the partial list of node 0 of cache s; false if none is there now. */
static __always_inline bool pages_base_from_cache(struct kmem_cache___owner *cache)
{
	struct kmem_cache *s = (void *)cache;
	struct kmem_cache_node *n = BPF_CORE_READ(cache, node[0]);
	struct list_head___owner *first;
	u64 slab, freelist;

	if (!n)
		return false;
	first = BPF_CORE_READ(n, partial.next);
	if (!first || first == &n->partial)
		return false;
	if (bpf_core_type_exists(struct slab)) {
		slab = (u64)first - bpf_core_field_offset(struct slab, slab_list);
		freelist = (u64)BPF_CORE_READ((struct slab *)slab, freelist);
	} else {
		slab = (u64)first - bpf_core_field_offset(struct page, slab_list);
		freelist = (u64)BPF_CORE_READ((struct page *)slab, freelist);
	}
	if (!freelist)
		return false;
	u64 base = slab - (freelist >> OWNER_PAGE_SHIFT) * page_struct_size();
	base = (base + PAGES_BASE_ALIGN - 1) & ~(PAGES_BASE_ALIGN - 1);
	if (slab_of(base, freelist) != slab || slab_cache_of(slab) != s)
		return false;
	pages_base = base;
	return true;
}

/* pages_base from a partial slab of s, or of one of the caches after it in the kernel's list. */
static __noinline bool pages_base_from_slab(struct kmem_cache *s)
{
	struct kmem_cache___owner *cache = (void *)s;
	u64 list_offset = bpf_core_field_offset(struct kmem_cache___owner, list);

#pragma unroll
	for (int i = 0; i < LEARN_CACHES; i++) {
		if (pages_base_from_cache(cache))
			return true;
		u64 next = (u64)BPF_CORE_READ(cache, list.next);
		if (!next)
			return false;
		cache = (void *)(next - list_offset); /* the list head itself reads as no cache: its node[] fails the check */
	}
	return false;
}

/* Where the slab's vector of obj_cgroups is, and how far apart its entries are; 0: none (nothing charged). */
static __always_inline u64 owner_vector(u64 slab, struct kmem_cache___owner *s, u64 *stride)
{
	u64 word, mask = 7;

	*stride = sizeof(void *);
	if (bpf_core_field_exists(struct slab, obj_exts)) {
		word = BPF_CORE_READ((struct slab *)slab, obj_exts);
		if (bpf_core_enum_value_exists(enum objext_flags___owner, __NR_OBJEXTS_FLAGS___owner))
			mask = bpf_core_enum_value(enum objext_flags___owner, __NR_OBJEXTS_FLAGS___owner) - 1;
		*stride = bpf_core_type_size(struct slabobj_ext);
		if (bpf_core_field_exists(struct slab, obj_exts_needs_objcg)) {
			if (!BPF_CORE_READ_BITFIELD_PROBED((struct slab *)slab, obj_exts_needs_objcg))
				return 0;
			if (BPF_CORE_READ_BITFIELD_PROBED((struct slab *)slab, obj_exts_in_object))
				*stride = BPF_CORE_READ(s, size);
		}
	} else if (bpf_core_type_exists(struct slab)) {
		word = BPF_CORE_READ((struct slab *)slab, memcg_data);
	} else {
		word = (u64)BPF_CORE_READ((struct page *)slab, obj_cgroups);
	}
	if (!(word & 1)) /* MEMCG_DATA_OBJCGS / MEMCG_DATA_OBJEXTS: a vector */
		return 0;
	return word & ~mask;
}

static __always_inline u64 slab_objects(u64 slab)
{
	if (bpf_core_type_exists(struct slab))
		return BPF_CORE_READ_BITFIELD_PROBED((struct slab *)slab, objects);
	return BPF_CORE_READ_BITFIELD_PROBED((struct page *)slab, objects);
}

/*
 * The id of the memory cgroup the slab object obj is charged to: ROOT_CGROUP_ID when it is not
 * charged, 0 when it cannot be told (pages_base not known yet, or obj not in a slab).
 */
static __always_inline u64 object_owner(u64 obj)
{
	u64 base = pages_base;

	if (!base)
		return 0;
	u64 slab = slab_of(base, obj);
	struct kmem_cache___owner *s = (void *)slab_cache_of(slab);
	if (!s)
		return 0;
	u64 size = BPF_CORE_READ(s, size);
	if (!size)
		return 0;
	u64 stride;
	u64 vector = owner_vector(slab, s, &stride);
	if (!vector)
		return ROOT_CGROUP_ID;
	u64 index = 0; /* a KFENCE object is alone in its slab, whatever its offset in the page */
	if (slab_objects(slab) != 1) {
		u64 start = ((slab - base) / page_struct_size()) << OWNER_PAGE_SHIFT;
		index = (obj - start) / size;
	}
	struct obj_cgroup *objcg = NULL;
	if (bpf_probe_read_kernel(&objcg, sizeof(objcg), (void *)(vector + index * stride)) || !objcg)
		return ROOT_CGROUP_ID;
	struct mem_cgroup *memcg = BPF_CORE_READ(objcg, memcg);
	if (!memcg)
		return ROOT_CGROUP_ID;
	return cgroup_ino(BPF_CORE_READ(memcg, css.cgroup));
}

#endif
