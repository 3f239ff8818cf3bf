/* fault_tracee: long-running workloads that tests/integration/test_faults.py
 * kills at random moments.
 *
 * Usage: fault_tracee MODE MARKER [ARGS]
 *
 * MARKER is never read: it is there so that the test finds its processes in
 * /proc by their command line.  It survives fork, and exec-chain passes it on
 * to each new image.
 *
 *   read        block forever in read() on a pipe nobody writes
 *   sleep       block forever in nanosleep()
 *   stubborn    ignore SIGHUP and SIGTERM, then block in read(): only SIGKILL ends it
 *   forkloop    fork forever, and reap (at most 8 children alive at once); each
 *               child calls getppid, forks and reaps a child of its own (so that
 *               killing children kills processes in the middle of a fork), sleeps
 *               0-3 ms and exits
 *   exec-chain COUNT
 *               a non-leader thread execs this program again, COUNT more times,
 *               while the leader blocks in read()
 *   graceful PATH spin|read
 *               on SIGTERM, create PATH and exit 0; meanwhile call getppid in a
 *               loop (spin) or block in read() (read)
 *   pace        getppid about every millisecond until stdin is readable (or at
 *               EOF), then print how many getppid calls were made and exit 0
 *   nap         getppid and a 10 ms nanosleep, forever (a process to attach to)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIVE_CHILDREN 8

static int block_in_read(void)
{
    int never_written[2];
    if (pipe(never_written) != 0)
        return 1;
    char byte;
    for (;;)
        (void)!read(never_written[0], &byte, 1);
}

static _Noreturn void sleep_forever(void)
{
    struct timespec long_time = {100000, 0};
    for (;;)
        nanosleep(&long_time, NULL);
}

static int ignore_hangup_and_terminate(void)
{
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    return block_in_read();
}

static void short_lived_child(void)
{
    unsigned seed = (unsigned)getpid();
    syscall(SYS_getppid);
    pid_t grandchild = fork();
    if (grandchild == 0)
        _exit(0);
    if (grandchild > 0)
        waitpid(grandchild, NULL, 0);
    struct timespec nap = {0, (long)(rand_r(&seed) % 3000) * 1000L};
    nanosleep(&nap, NULL);
    _exit(0);
}

static _Noreturn void fork_forever(void)
{
    int live = 0;
    for (;;) {
        pid_t child = fork();
        if (child == 0)
            short_lived_child();
        if (child > 0)
            live++;
        else
            usleep(1000); /* EAGAIN: let some children end */
        while (live > 0 && waitpid(-1, NULL, live >= MAX_LIVE_CHILDREN ? 0 : WNOHANG) > 0)
            live--;
    }
}

static void *exec_next(void *next_argv)
{
    execv("/proc/self/exe", (char *const *)next_argv);
    perror("execv");
    _exit(127);
}

static int exec_from_a_thread(char **argv, long remaining)
{
    if (remaining <= 0)
        return 0;
    char count[32];
    snprintf(count, sizeof count, "%ld", remaining - 1);
    static char *next[5];
    next[0] = argv[0];
    next[1] = argv[1];
    next[2] = argv[2];
    next[3] = count;
    next[4] = NULL;
    pthread_t execer;
    if (pthread_create(&execer, NULL, exec_next, next) != 0)
        return 1;
    return block_in_read(); /* never returns: the exec destroys this thread */
}

static int pace_until_stdin_ready(void)
{
    long calls = 0;
    struct pollfd in = {0, POLLIN, 0};
    do {
        syscall(SYS_getppid);
        calls++;
    } while (poll(&in, 1, 1) == 0);
    printf("%ld\n", calls);
    return 0;
}

static const char *terminated_path;

static void note_termination(int signo)
{
    (void)signo;
    int fd = open(terminated_path, O_WRONLY | O_CREAT, 0644);
    if (fd >= 0)
        close(fd);
    _exit(0);
}

static int terminate_gracefully(const char *path, const char *meanwhile)
{
    terminated_path = path;
    signal(SIGTERM, note_termination);
    if (strcmp(meanwhile, "read") == 0)
        return block_in_read();
    for (;;)
        syscall(SYS_getppid);
}

static _Noreturn void nap_forever(void)
{
    struct timespec nap = {0, 10 * 1000 * 1000};
    for (;;) {
        syscall(SYS_getppid);
        nanosleep(&nap, NULL);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fault_tracee MODE MARKER [ARGS]\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strcmp(mode, "read") == 0)
        return block_in_read();
    if (strcmp(mode, "sleep") == 0)
        sleep_forever();
    if (strcmp(mode, "stubborn") == 0)
        return ignore_hangup_and_terminate();
    if (strcmp(mode, "forkloop") == 0)
        fork_forever();
    if (strcmp(mode, "exec-chain") == 0)
        return exec_from_a_thread(argv, argc > 3 ? atol(argv[3]) : 0);
    if (strcmp(mode, "graceful") == 0 && argc == 5)
        return terminate_gracefully(argv[3], argv[4]);
    if (strcmp(mode, "pace") == 0)
        return pace_until_stdin_ready();
    if (strcmp(mode, "nap") == 0)
        nap_forever();
    fprintf(stderr, "fault_tracee: unknown mode %s\n", mode);
    return 2;
}
