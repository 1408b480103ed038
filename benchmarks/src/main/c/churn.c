// SPDX-License-Identifier: Apache-2.0
/*
 * Dentry churn workloads for the benchmarks (built by benchmarks/run.sh, hotpath.sh, footprint.sh).
 *
 *   churn hot DIR LOOKUPS CREATES
 *       In the existing directory DIR: LOOKUPS stat() calls of distinct missing names, then CREATES
 *       create + unlink of distinct names. Prints one line: "ns=<elapsed> lookups=<n> creates=<n>"
 *       (CLOCK_MONOTONIC around the two loops only; process start is not timed).
 *
 *   churn cgroups LISTFILE DIR LOOKUPS PERIOD_MS
 *       Keeps LISTFILE's cgroups active until killed: every PERIOD_MS, moves itself into each cgroup
 *       in turn (LISTFILE: one cgroup directory per line) and does LOOKUPS stat() calls of distinct
 *       missing names in DIR there, so that each cgroup allocates dentries every period.
 *
 *   churn visit LISTFILE DIR LOOKUPS
 *       The same, one pass over the cgroups, then exits (leaving the last cgroup empty).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int hot(const char *dir, long lookups, long creates)
{
	char path[4096];
	struct stat st;
	long pid = getpid();
	long long start = now_ns();
	for (long i = 0; i < lookups; i++) {
		snprintf(path, sizeof path, "%s/miss-%ld-%ld", dir, pid, i);
		if (stat(path, &st) == 0) {
			fprintf(stderr, "churn: %s exists\n", path);
			return 1;
		}
	}
	for (long i = 0; i < creates; i++) {
		snprintf(path, sizeof path, "%s/file-%ld-%ld", dir, pid, i);
		int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
		if (fd < 0 || close(fd) || unlink(path)) {
			fprintf(stderr, "churn: create/unlink %s: %s\n", path, strerror(errno));
			return 1;
		}
	}
	long long elapsed = now_ns() - start;
	printf("ns=%lld lookups=%ld creates=%ld\n", elapsed, lookups, creates);
	return 0;
}

static int cgroups(const char *listfile, const char *dir, long lookups, long period_ms, int once)
{
	FILE *list = fopen(listfile, "r");
	if (!list) {
		perror(listfile);
		return 1;
	}
	size_t n = 0, cap = 1024;
	char **procs = malloc(cap * sizeof *procs);
	char line[4096];
	while (fgets(line, sizeof line, list)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		if (n == cap)
			procs = realloc(procs, (cap *= 2) * sizeof *procs);
		if (asprintf(&procs[n++], "%s/cgroup.procs", line) < 0)
			return 1;
	}
	fclose(list);
	char pid[32], path[4096];
	int pidlen = snprintf(pid, sizeof pid, "%d\n", getpid());
	struct stat st;
	unsigned long long seq = 0;
	for (;;) {
		long long start = now_ns();
		for (size_t c = 0; c < n; c++) {
			int fd = open(procs[c], O_WRONLY);
			if (fd < 0 || write(fd, pid, pidlen) != pidlen) {
				fprintf(stderr, "churn: join %s: %s\n", procs[c], strerror(errno));
				return 1;
			}
			close(fd);
			for (long i = 0; i < lookups; i++) {
				snprintf(path, sizeof path, "%s/miss-%d-%llu", dir, getpid(), seq++);
				stat(path, &st);
			}
		}
		if (once)
			return 0;
		long long left = period_ms * 1000000LL - (now_ns() - start);
		if (left > 0) {
			struct timespec ts = { left / 1000000000LL, left % 1000000000LL };
			nanosleep(&ts, NULL);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "hot"))
		return hot(argv[2], atol(argv[3]), atol(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "cgroups"))
		return cgroups(argv[2], argv[3], atol(argv[4]), atol(argv[5]), 0);
	if (argc == 5 && !strcmp(argv[1], "visit"))
		return cgroups(argv[2], argv[3], atol(argv[4]), 0, 1);
	fprintf(stderr, "usage: churn hot DIR LOOKUPS CREATES\n"
			"       churn cgroups LISTFILE DIR LOOKUPS PERIOD_MS\n"
			"       churn visit LISTFILE DIR LOOKUPS\n");
	return 2;
}
