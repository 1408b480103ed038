// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Usage: attach-probe OBJ PROGRAM
 * Loads only PROGRAM (fentry_d_alloc, fexit_d_alloc, kprobe_d_alloc, kretprobe_d_alloc) of OBJ
 * with libbpf, attaches it, makes dentry lookups for one second and prints
 * "PROGRAM hits N". Exit 0 when it attached and counted at least one hit. */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, args);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog, *p;
	struct bpf_link *link;
	struct bpf_map *bss;
	unsigned long long counts[4] = {0};
	const char *names[4] = {"fentry_d_alloc", "fexit_d_alloc", "kprobe_d_alloc", "kretprobe_d_alloc"};
	int zero = 0, i, which = -1;
	struct stat st;
	char path[64];
	time_t end;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJ PROGRAM\n", argv[0]);
		return 2;
	}
	for (i = 0; i < 4; i++)
		if (!strcmp(argv[2], names[i]))
			which = i;
	if (which < 0) {
		fprintf(stderr, "unknown program %s\n", argv[2]);
		return 2;
	}
	libbpf_set_print(print_warnings);
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, argv[2]);
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == prog);
	if (bpf_object__load(obj)) {
		fprintf(stderr, "%s: load failed: %s\n", argv[2], strerror(errno));
		return 1;
	}
	link = bpf_program__attach(prog);
	if (!link) {
		fprintf(stderr, "%s: attach failed: %s\n", argv[2], strerror(errno));
		return 1;
	}
	end = time(NULL) + 1;
	for (i = 0; time(NULL) <= end; i++) {
		snprintf(path, sizeof(path), "/tmp/attach-probe-%d", i);
		stat(path, &st); /* a lookup miss: a new negative dentry */
	}
	bss = bpf_object__find_map_by_name(obj, ".bss");
	if (!bss || bpf_map__lookup_elem(bss, &zero, sizeof(zero), counts, sizeof(counts), 0)) {
		fprintf(stderr, "%s: cannot read the counters: %s\n", argv[2], strerror(errno));
		return 1;
	}
	printf("%s hits %llu (%d lookups)\n", argv[2], counts[which], i);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return counts[which] > 0 ? 0 : 1;
}
