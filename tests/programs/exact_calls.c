/* exact_calls N [PATH_BYTES]: exactly N syscalls of one kind, nothing else of it.
 *
 * Without PATH_BYTES each call is getppid(); with it, chdir() of a path that
 * long (under a folder that does not exist, so each call fails with ENOENT and
 * the working folder never changes).  libc's startup and teardown call neither,
 * so under trace=getppid (or trace=chdir) the trace holds exactly N calls;
 * tests/integration/test_lossless.py checks that with strace.  The long path
 * makes each event about 2 * PATH_BYTES bytes of JSON, so few of them fill a
 * socket buffer.
 *
 * The loop's own wall time, in nanoseconds, goes to stdout: clock_gettime is
 * answered by the vDSO without a syscall, so the producer reports its rate
 * without adding to its trace.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: exact_calls N [PATH_BYTES]\n");
        return 2;
    }
    long n = atol(argv[1]);
    static char path[4096];
    size_t path_bytes = argc == 3 ? (size_t)atol(argv[2]) : 0;
    if (path_bytes >= sizeof path)
        path_bytes = sizeof path - 1;
    strcpy(path, "/nonexistent-exact-calls/");
    for (size_t i = strlen(path); i < path_bytes; i++)
        path[i] = 'a' + i % 26;
    long long start = now_ns();
    for (long i = 0; i < n; i++) {
        if (path_bytes)
            syscall(SYS_chdir, path);
        else
            syscall(SYS_getppid);
    }
    printf("%lld\n", now_ns() - start);
    return 0;
}
