// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* vmtest's own attach probe: counts __d_alloc calls through each hook type the project uses.
 * Needs no kernel headers: tracing programs get their arguments as an array of u64. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

unsigned long long fentry_hits, fexit_hits, kprobe_hits, kretprobe_hits;

SEC("fentry/__d_alloc")
int fentry_d_alloc(unsigned long long *ctx) { __sync_fetch_and_add(&fentry_hits, 1); return 0; }

SEC("fexit/__d_alloc")
int fexit_d_alloc(unsigned long long *ctx) { __sync_fetch_and_add(&fexit_hits, 1); return 0; }

SEC("kprobe/__d_alloc")
int kprobe_d_alloc(void *ctx) { __sync_fetch_and_add(&kprobe_hits, 1); return 0; }

SEC("kretprobe/__d_alloc")
int kretprobe_d_alloc(void *ctx) { __sync_fetch_and_add(&kretprobe_hits, 1); return 0; }

char LICENSE[] SEC("license") = "GPL";
