/* filter_target: a running process for ``traced attach --filter`` to put its filter in.
 *
 *   filter_target loop SECONDS      getpid, getppid, openat, read, close, nanosleep(1 ms)
 *                                   over and over for SECONDS, each result checked
 *   filter_target threads SECONDS   the same loop in 4 threads at once
 *   filter_target sleep SECONDS     one nanosleep of SECONDS: 0 if it slept it all
 *   filter_target diverge SECONDS   2 threads, each with a seccomp filter of its own
 *                                   (allow-all, so they diverge), then the loop in each
 *
 * "ready" on stdout once it runs its loop; the exit status is 0 if every call returned
 * what it must, else the number of the check that failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double seconds;
static pid_t me, parent;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long loop(void)
{
    double end = now() + seconds;
    while (now() < end) {
        if (syscall(SYS_getpid) != me)
            return 10;
        if (syscall(SYS_getppid) != parent)
            return 11;
        int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
        if (fd < 0)
            return 12;
        char byte;
        if (read(fd, &byte, 1) != 0)
            return 13;
        if (close(fd) != 0)
            return 14;
        struct timespec ts = {0, 1000000};
        if (nanosleep(&ts, NULL) != 0)
            return 15;
    }
    return 0;
}

static int own_filter(void)
{
    struct sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
    struct sock_fprog prog = {1, code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* "ready" only once every thread runs: each with its own filter in place, if it
 * diverges (a tracer attaching before that would find no filter of its own). */
static pthread_barrier_t started;

static void *thread_loop(void *diverge)
{
    int refused = diverge && own_filter() != 0;
    pthread_barrier_wait(&started);
    if (refused)
        return (void *)20;
    return (void *)loop();
}

static int in_threads(int count, void *diverge)
{
    pthread_t threads[8];
    pthread_barrier_init(&started, NULL, (unsigned)count + 1);
    for (int i = 0; i < count; i++)
        if (pthread_create(&threads[i], NULL, thread_loop, diverge) != 0)
            return 30;
    pthread_barrier_wait(&started);
    printf("ready\n");
    fflush(stdout);
    long failed = 0;
    for (int i = 0; i < count; i++) {
        void *result;
        pthread_join(threads[i], &result);
        failed = failed ? failed : (long)result;
    }
    return (int)failed;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "loop";
    seconds = argc > 2 ? atof(argv[2]) : 2;
    me = getpid();
    parent = getppid();
    if (strcmp(mode, "threads") == 0)
        return in_threads(4, NULL);
    if (strcmp(mode, "diverge") == 0)
        return in_threads(2, (void *)1);
    printf("ready\n");
    fflush(stdout);
    if (strcmp(mode, "sleep") == 0) {
        double start = now();
        struct timespec ts = {(time_t)seconds, 0};
        if (nanosleep(&ts, NULL) != 0)
            return 40;
        return now() - start >= seconds - 0.01 ? 0 : 41;
    }
    return (int)loop();
}
