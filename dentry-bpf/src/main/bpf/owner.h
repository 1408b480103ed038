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
	unsigned long counters;          /* inuse:16, objects:15, frozen:1 */
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
	unsigned long counters;              /* inuse:16, objects:15, frozen:1; on 7.x then the two below */
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

/* 7.x: a cache's per-node pointers moved into per_node[] (beside each node's sheaf barn). */
struct kmem_cache_per_node_ptrs {
	struct kmem_cache_node *node;
} __attribute__((preserve_access_index));

struct kmem_cache___7x {
	struct kmem_cache_per_node_ptrs per_node[1];
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

/*
 * The head page of page, from its compound_head (compound_info on 7.x) word info. Bit 0 marks a
 * tail page: the rest is the head's address, or on 7.x with HugeTLB vmemmap optimisation a mask.
 */
static __always_inline u64 head_page(u64 page, u64 info)
{
	if (!(info & 1))
		return page;
	u64 head = info - 1;
	if (head <= page && page - head < MAX_COMPOUND_PAGES * page_struct_size())
		return head;
	return page & info;
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
	return head_page(page, info);
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
	struct kmem_cache_node *n;

	if (bpf_core_field_exists(struct kmem_cache___owner, node))
		n = BPF_CORE_READ(cache, node[0]);
	else if (bpf_core_field_exists(struct kmem_cache___7x, per_node))
		n = BPF_CORE_READ((struct kmem_cache___7x *)cache, per_node[0].node);
	else
		return false;
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

/* A struct page or struct slab as read in one go: 64 bytes on every kernel here, its fields by CO-RE offset. */
struct page_words {
	u64 w[8];
};

#define PAGE_WORD(p, type, field) ((p)->w[(bpf_core_field_offset(type, field) / 8) & 7])

/* The dentry cache's object size, read once: every object asked about is a dentry. */
static u64 size_of_cache, size_cache;

static __always_inline u64 object_size(u64 s)
{
	if (s == size_of_cache)
		return size_cache;
	u64 size = BPF_CORE_READ((struct kmem_cache___owner *)s, size);
	size_cache = size; /* stored before the cache it belongs to (x86 keeps the order) */
	size_of_cache = s;
	return size;
}

/*
 * The id of the memory cgroup the slab object at address obj is charged to: ROOT_CGROUP_ID when it is
 * not charged, 0 when it cannot be told (pages_base not known yet, or obj not in a slab). A handful of
 * dependent reads: the struct page (and its head's, for a tail page), the vector's entry, then
 * obj_cgroup -> mem_cgroup -> cgroup -> kernfs node -> id.
 */
static __always_inline u64 object_owner(u64 obj)
{
	u64 base = pages_base;

	if (!base)
		return 0;
	u64 psize = page_struct_size();
	u64 page = base + (obj >> OWNER_PAGE_SHIFT) * psize;
	struct page_words p;
	if (bpf_probe_read_kernel(&p, sizeof(p), (void *)page))
		return 0;
	u64 info = bpf_core_field_exists(struct page___7x, compound_info)
		? PAGE_WORD(&p, struct page___7x, compound_info) : PAGE_WORD(&p, struct page, compound_head);
	u64 slab = head_page(page, info);
	if (slab != page && bpf_probe_read_kernel(&p, sizeof(p), (void *)slab)) /* a tail page: read its head */
		return 0;
	bool split = bpf_core_type_exists(struct slab); /* 5.17+: struct slab overlays the head page */
	u64 s = split ? PAGE_WORD(&p, struct slab, slab_cache) : PAGE_WORD(&p, struct page, slab_cache);
	u64 counters = split ? PAGE_WORD(&p, struct slab, counters) : PAGE_WORD(&p, struct page, counters);
	if (!s)
		return 0;
	u64 word, mask = 7, stride = sizeof(void *);
	if (bpf_core_field_exists(struct slab, obj_exts)) {
		word = PAGE_WORD(&p, struct slab, obj_exts);
		if (bpf_core_enum_value_exists(enum objext_flags___owner, __NR_OBJEXTS_FLAGS___owner))
			mask = bpf_core_enum_value(enum objext_flags___owner, __NR_OBJEXTS_FLAGS___owner) - 1;
		stride = bpf_core_type_size(struct slabobj_ext);
		if (bpf_core_field_exists(struct slab, obj_exts_needs_objcg)) {
			/* 7.x: counters' bits 32 (obj_exts_in_object) and 33 (obj_exts_needs_objcg) */
			if (!(counters & (1ULL << 33)))
				return ROOT_CGROUP_ID;
			if (counters & (1ULL << 32))
				stride = object_size(s);
		}
	} else if (split) {
		word = PAGE_WORD(&p, struct slab, memcg_data);
	} else {
		word = PAGE_WORD(&p, struct page, obj_cgroups);
	}
	if (!(word & 1)) /* MEMCG_DATA_OBJCGS / MEMCG_DATA_OBJEXTS: a vector */
		return ROOT_CGROUP_ID;
	u64 vector = word & ~mask;
	u64 index = 0; /* counters' bits 16-30, objects: a KFENCE object is alone in its slab, whatever its offset */
	if (((counters >> 16) & 0x7fff) != 1) {
		u64 size = object_size(s);
		if (!size)
			return 0;
		index = (obj - (((slab - base) / psize) << OWNER_PAGE_SHIFT)) / size;
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
