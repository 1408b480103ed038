// SPDX-License-Identifier: Apache-2.0
/*
 * The C peer of dentry-bpf's PerCpuMapReader: polls a pinned per-CPU hash map (8-byte keys, values of
 * 8-byte counters) the way the Java reader does, with plain libbpf, and times it.
 *
 *   poll PIN batch|iterate CHUNK WARMUP POLLS
 *
 * Each poll walks the whole map into buffers allocated once — bpf_map_lookup_batch CHUNK entries at a
 * time (batch), or bpf_map_get_next_key + bpf_map_lookup_elem per key (iterate) — and sums each
 * entry's counters over all possible CPUs into a table of rows (key, sums), as the Java reader does
 * into its CounterTable. WARMUP polls, then POLLS timed polls (CLOCK_MONOTONIC around the loop).
 * Prints: "ns_per_poll=<mean> entries=<rows of the last poll> checksum=<sum of all counters>".
 *
 * Build: cc -O2 -o poll poll.c -lbpf   (benchmarks/run.sh does)
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct table {
	size_t size, cap;
	int fields;
	uint64_t *keys;
	uint64_t *sums; /* cap * fields */
};

static int fd, cpus, fields;
static size_t stride; /* bytes between two CPUs' values: round_up(value_size, 8) */
static uint32_t chunk;
static uint64_t *keys, *next_key, *key;
static unsigned char *values;
static struct table table;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void add_row(uint64_t k, const unsigned char *v)
{
	if (table.size == table.cap) {
		table.cap *= 2;
		table.keys = realloc(table.keys, table.cap * sizeof *table.keys);
		table.sums = realloc(table.sums, table.cap * fields * sizeof *table.sums);
	}
	uint64_t *row = table.sums + table.size * fields;
	table.keys[table.size++] = k;
	memset(row, 0, fields * sizeof *row);
	for (int cpu = 0; cpu < cpus; cpu++) {
		const uint64_t *c = (const uint64_t *)(v + cpu * stride);
		for (int f = 0; f < fields; f++)
			row[f] += c[f];
	}
}

static void poll_batch(void)
{
	uint64_t in_batch, out_batch;
	int first = 1;
	table.size = 0;
	for (;;) {
		uint32_t count = chunk;
		int err = bpf_map_lookup_batch(fd, first ? NULL : &in_batch, &out_batch, keys, values, &count, NULL);
		if (err < 0 && err != -ENOENT) {
			fprintf(stderr, "poll: bpf_map_lookup_batch: %s\n", strerror(-err));
			exit(1);
		}
		for (uint32_t i = 0; i < count; i++)
			add_row(keys[i], values + (size_t)i * stride * cpus);
		if (err == -ENOENT)
			return;
		in_batch = out_batch;
		first = 0;
	}
}

static void poll_iterate(void)
{
	uint64_t *previous = NULL;
	table.size = 0;
	for (;;) {
		int err = bpf_map_get_next_key(fd, previous, next_key);
		if (err == -ENOENT)
			return;
		if (err < 0) {
			fprintf(stderr, "poll: bpf_map_get_next_key: %s\n", strerror(-err));
			exit(1);
		}
		*key = *next_key;
		previous = key;
		err = bpf_map_lookup_elem(fd, key, values);
		if (err == -ENOENT)
			continue;
		if (err < 0) {
			fprintf(stderr, "poll: bpf_map_lookup_elem: %s\n", strerror(-err));
			exit(1);
		}
		add_row(*key, values);
	}
}

int main(int argc, char **argv)
{
	if (argc != 6 || (strcmp(argv[2], "batch") && strcmp(argv[2], "iterate"))) {
		fprintf(stderr, "usage: poll PIN batch|iterate CHUNK WARMUP POLLS\n");
		return 2;
	}
	int batch = !strcmp(argv[2], "batch");
	long warmup = atol(argv[4]), polls = atol(argv[5]);
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "poll: bpf_obj_get %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct bpf_map_info info = {0};
	uint32_t len = sizeof info;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_PERCPU_HASH
	    || info.key_size != 8 || info.value_size % 8) {
		fprintf(stderr, "poll: %s is not a per-CPU hash map with 8-byte keys and counters\n", argv[1]);
		return 1;
	}
	cpus = libbpf_num_possible_cpus();
	fields = info.value_size / 8;
	stride = (info.value_size + 7) / 8 * 8;
	chunk = (uint32_t)atol(argv[3]);
	if (chunk > info.max_entries)
		chunk = info.max_entries;
	/* every buffer allocated once, as the Java reader's */
	keys = aligned_alloc(8, 8 * (size_t)chunk);
	values = aligned_alloc(8, stride * cpus * (size_t)chunk);
	next_key = malloc(8);
	key = malloc(8);
	table.cap = info.max_entries;
	table.fields = fields;
	table.keys = malloc(table.cap * sizeof *table.keys);
	table.sums = malloc(table.cap * fields * sizeof *table.sums);

	for (long i = 0; i < warmup; i++)
		batch ? poll_batch() : poll_iterate();
	long long start = now_ns();
	for (long i = 0; i < polls; i++)
		batch ? poll_batch() : poll_iterate();
	long long elapsed = now_ns() - start;

	uint64_t checksum = 0;
	for (size_t i = 0; i < table.size * fields; i++)
		checksum += table.sums[i];
	printf("ns_per_poll=%.1f entries=%zu checksum=%llu\n", (double)elapsed / polls, table.size,
	       (unsigned long long)checksum);
	return 0;
}
