/*
 * umh-native: what fork_usermode_blob() does, done natively by a process
 * on this machine, for bench/umh.ts to compare kemu with (same helper,
 * same requests, same run):
 *
 *   memfd_create + write the blob   (shmem_kernel_file_setup + kernel_write)
 *   two pipes, fork, dup2 to fds 0 and 1, nothing else open
 *                                    (umh_pipe_setup)
 *   execveat(memfd, "", NULL, NULL, AT_EMPTY_PATH)
 *                                    (do_execve_file, no argv, no envp)
 *   close the memfd                  (fput(file))
 *
 * Usage: umh-native BLOB   prints one JSON object:
 *   start_us      median time from memfd_create to the health check's reply
 *   rtt_us        mean request/reply round trip (health checks)
 *   sink_mbps     MB/s written into the helper (its SINK command)
 *   source_mbps   MB/s read from the helper (its SOURCE command)
 *   mem_kb_1000   host memory for 1,000 live helpers: the sum of their
 *                 Pss (/proc/PID/smaps_rollup: their pages, shared ones
 *                 divided among sharers), page tables (VmPTE) and kernel
 *                 stacks (THREAD_SIZE, 16 KiB on x86-64); task structs,
 *                 pipes and memfd inodes are not counted
 *   pss_kb_1000   the Pss sum alone
 *
 * Build: make (gcc -O2, glibc; it is the host's program, not a guest).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct mbox_request { uint64_t addr; uint32_t len, is_set, cmd, pid; } __attribute__((packed));

enum { DEBUG_SINK = 0x7f09, DEBUG_SOURCE = 0x7f0a };

struct helper { pid_t pid; int to, from; };

static unsigned char *blob;
static size_t blob_len;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* fork_usermode_blob, natively. */
static struct helper start(void)
{
	struct helper h;
	int to[2], from[2];
	int fd = memfd_create("", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create");
	if (write(fd, blob, blob_len) != (ssize_t)blob_len)
		die("write blob");
	if (pipe(to) || pipe(from))
		die("pipe");
	h.pid = fork();
	if (h.pid < 0)
		die("fork");
	if (h.pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		/* Nothing but fds 0 and 1 (and the close-on-exec memfd) stays open. */
		syscall(SYS_close_range, 2, fd - 1, 0);
		syscall(SYS_close_range, fd + 1, ~0U, 0);
		syscall(SYS_execveat, fd, "", NULL, NULL, AT_EMPTY_PATH);
		_exit(127);
	}
	close(fd);
	close(to[0]);
	close(from[1]);
	fcntl(to[1], F_SETFD, FD_CLOEXEC);
	fcntl(from[0], F_SETFD, FD_CLOEXEC);
	h.to = to[1];
	h.from = from[0];
	return h;
}

static void stop(struct helper *h)
{
	kill(h->pid, SIGKILL);
	close(h->to);
	close(h->from);
	waitpid(h->pid, NULL, 0);
}

static void full_write(int fd, const void *b, size_t n)
{
	for (size_t d = 0; d < n;) {
		ssize_t r = write(fd, (const char *)b + d, n - d);
		if (r <= 0)
			die("write");
		d += r;
	}
}

static void full_read(int fd, void *b, size_t n)
{
	for (size_t d = 0; d < n;) {
		ssize_t r = read(fd, (char *)b + d, n - d);
		if (r <= 0)
			die("read");
		d += r;
	}
}

static uint32_t request(struct helper *h, uint32_t cmd, uint32_t len)
{
	struct mbox_request req = { 0, len, 0, cmd, 0 };
	uint32_t status;
	full_write(h->to, &req, sizeof(req));
	full_read(h->from, &status, sizeof(status));
	return status;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The kB value of `key` in /proc/PID/FILE. */
static long proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long v = 0;
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = atol(line + strlen(key));
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	enum { STARTS = 51, RTTS = 100000, LIVE = 1000 };
	static double starts[STARTS];
	static unsigned char buf[1 << 20];
	const size_t bulk = 64u << 20;

	if (argc < 2) {
		fprintf(stderr, "usage: umh-native BLOB\n");
		return 2;
	}
	int bfd = open(argv[1], O_RDONLY);
	struct stat st;
	if (bfd < 0 || fstat(bfd, &st))
		die(argv[1]);
	blob_len = st.st_size;
	blob = malloc(blob_len);
	full_read(bfd, blob, blob_len);
	close(bfd);
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < STARTS; i++) {
		double t0 = now_us();
		struct helper h = start();
		if (request(&h, 0, 0) != 0)
			die("health check");
		starts[i] = now_us() - t0;
		stop(&h);
	}
	qsort(starts, STARTS, sizeof(double), cmp);

	struct helper h = start();
	double t0 = now_us();
	for (int i = 0; i < RTTS; i++)
		request(&h, 0, 0);
	double rtt = (now_us() - t0) / RTTS;

	struct mbox_request req = { 0, (uint32_t)bulk, 0, DEBUG_SINK, 0 };
	uint32_t status;
	t0 = now_us();
	full_write(h.to, &req, sizeof(req));
	for (size_t d = 0; d < bulk; d += sizeof(buf))
		full_write(h.to, buf, sizeof(buf));
	full_read(h.from, &status, sizeof(status));
	double sink = bulk / (now_us() - t0);
	if (status != bulk)
		die("SINK: short");

	req.cmd = DEBUG_SOURCE;
	t0 = now_us();
	full_write(h.to, &req, sizeof(req));
	for (size_t d = 0; d < bulk;) {
		ssize_t r = read(h.from, buf, sizeof(buf) < bulk - d ? sizeof(buf) : bulk - d);
		if (r <= 0)
			die("read source");
		d += r;
	}
	full_read(h.from, &status, sizeof(status));
	double source = bulk / (now_us() - t0);
	stop(&h);

	static struct helper live[LIVE];
	for (int i = 0; i < LIVE; i++) {
		live[i] = start();
		request(&live[i], 0, 0);
	}
	long pss = 0, pte = 0;
	for (int i = 0; i < LIVE; i++) {
		pss += proc_kb(live[i].pid, "smaps_rollup", "Pss:");
		pte += proc_kb(live[i].pid, "status", "VmPTE:");
	}
	for (int i = 0; i < LIVE; i++)
		stop(&live[i]);

	printf("{\"start_us\": %.1f, \"rtt_us\": %.2f, \"sink_mbps\": %.0f, \"source_mbps\": %.0f, "
	       "\"mem_kb_1000\": %ld, \"pss_kb_1000\": %ld}\n",
	       starts[STARTS / 2], rtt, sink, source, pss + pte + 16L * LIVE, pss);
	return 0;
}
