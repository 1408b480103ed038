// Loads a BPF object, attaches its programs as their sections say, and holds them until SIGINT or
// SIGTERM: hotpath.sh's "floor" mode (empty programs on the slab tracepoints) and its program-only
// modes (dentry.bpf.o's tracepoint programs without the exporter process).
//   attach OBJECT.bpf.o [--memcg] [PROGRAM...]
// PROGRAM...: only these are loaded (default: all); --memcg sets dentry.bpf.o's config.key_by_memcg
// (the first byte of .rodata). Prints "attached N" once every program is attached, and at the end, for
// an object with dentry.bpf.o's cgroup_counts map, "counted N": the allocations it holds, all cgroups
// and CPUs (a check that the programs counted the churn).
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

/* The sum of the first u64 of every value of a per-CPU hash map keyed by u64 (the ALLOC counter). */
static long long sum_first_counter(struct bpf_map *map)
{
	int fd = bpf_map__fd(map), cpus = libbpf_num_possible_cpus();
	size_t slot = (bpf_map__value_size(map) + 7) / 8 * 8;
	uint64_t key, next, *prev = NULL;
	long long sum = 0;
	char *values = calloc(cpus, slot);

	if (!values || cpus <= 0)
		return -1;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, values) == 0)
			for (int c = 0; c < cpus; c++)
				sum += (long long)*(uint64_t *)(values + (size_t)c * slot);
	}
	free(values);
	return sum;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: attach OBJECT.bpf.o [--memcg] [PROGRAM...]\n");
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "attach: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	int first = 2;
	if (argc > 2 && strcmp(argv[2], "--memcg") == 0) {
		struct bpf_map *rodata = bpf_object__find_map_by_name(obj, ".rodata");
		size_t size;
		const char *initial = rodata ? bpf_map__initial_value(rodata, &size) : NULL;
		char config[64] = {0};
		if (!initial || size > sizeof(config)) {
			fprintf(stderr, "attach: %s has no .rodata to set key_by_memcg in\n", argv[1]);
			bpf_object__close(obj);
			return 1;
		}
		memcpy(config, initial, size);
		config[0] = 1;
		bpf_map__set_initial_value(rodata, config, size);
		first = 3;
	}
	if (argc > first) {
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) {
			bool wanted = false;
			for (int i = first; i < argc; i++)
				wanted |= strcmp(bpf_program__name(p), argv[i]) == 0;
			bpf_program__set_autoload(p, wanted);
		}
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "attach: cannot load %s: %s\n", argv[1], strerror(errno));
		bpf_object__close(obj);
		return 1;
	}
	struct bpf_link *links[64];
	int n = 0, rc = 0;
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		if (n == 64 || !(links[n] = bpf_program__attach(prog))) {
			fprintf(stderr, "attach: cannot attach %s: %s\n", bpf_program__name(prog), strerror(errno));
			rc = 1;
			break;
		}
		n++;
	}
	if (!rc) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		printf("attached %d\n", n);
		fflush(stdout);
		while (!stop)
			pause();
	}
	while (n > 0)
		bpf_link__destroy(links[--n]);
	struct bpf_map *counts = bpf_object__find_map_by_name(obj, "cgroup_counts");
	if (!rc && counts)
		printf("counted %lld\n", sum_first_counter(counts));
	bpf_object__close(obj);
	return rc;
}
