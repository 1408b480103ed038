// Loads a BPF object, attaches every program as its section says, and holds them until SIGINT or
// SIGTERM: hotpath.sh's "floor" mode (empty programs on the slab tracepoints) and any other object.
//   attach OBJECT.bpf.o      prints "attached N" once every program is attached
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: attach OBJECT.bpf.o\n");
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "attach: cannot open %s: %s\n", argv[1], strerror(errno));
		return 1;
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
	bpf_object__close(obj);
	return rc;
}
