/* exec_thread: a non-leader thread calls execve while two other threads block.
 *
 * The kernel destroys every other thread of the group, the leader included, and
 * the exec'ing thread takes over the leader's thread id.  The leader's pause()
 * and the blocker thread's read() therefore never return; ptrace reports the
 * blocker as exited with 0, and the leader as nothing (strace: "superseded").
 *
 * Determinism: the exec'ing thread first waits until the leader and the blocker
 * both sleep (state S in /proc, polled with pread so the number of polls shows
 * in no compared syscall): then both are inside their blocking calls.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

extern char **environ;

static int never_written[2];
static pid_t blocker_tid;

static void *block_in_read(void *unused)
{
    (void)unused;
    __atomic_store_n(&blocker_tid, gettid(), __ATOMIC_RELEASE);
    touch_path("/nonexistent/blocker-thread");
    char byte;
    (void)!read(never_written[0], &byte, 1);
    return NULL;
}

static void wait_until_sleeping(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    wait_until_sleeping_at(path);
}

static void *exec_true(void *unused)
{
    (void)unused;
    touch_path("/nonexistent/exec-thread");
    pid_t blocker;
    while ((blocker = __atomic_load_n(&blocker_tid, __ATOMIC_ACQUIRE)) == 0)
        sched_yield();
    wait_until_sleeping(blocker);
    wait_until_sleeping(getpid());
    char *const argv[] = {"/bin/true", NULL};
    execve("/bin/true", argv, environ);
    perror("execve");
    _exit(1);
}

int main(void)
{
    pthread_t blocker, execer;
    if (pipe(never_written) != 0 || pthread_create(&blocker, NULL, block_in_read, NULL) != 0
        || pthread_create(&execer, NULL, exec_true, NULL) != 0)
        return 1;
    for (;;)
        pause(); /* only the execve in the other thread ends this */
}
