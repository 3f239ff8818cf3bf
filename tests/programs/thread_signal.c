/* thread_signal: a non-leader thread gets a signal of its own, and forks.
 *
 * The worker thread blocks in read() on a pipe; the leader, once /proc says
 * the worker sleeps, sends it SIGUSR1 with pthread_kill.  The handler (run by
 * the worker, SA_RESTART) writes into the pipe, so the read is restarted and
 * completes.  The worker then forks a child, which opens a path and exits, and
 * reaps it: that child's parent is the worker thread, not the leader.
 * SIGCHLD is blocked so that no delivery interrupts the waits.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static int pipe_fds[2];
static pid_t worker_tid;

static void write_to_pipe(int signo)
{
    (void)signo;
    (void)!write(pipe_fds[1], "x", 1);
}

static void wait_until_sleeping(pid_t tid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    wait_until_sleeping_at(path);
}

static void *worker(void *unused)
{
    (void)unused;
    __atomic_store_n(&worker_tid, gettid(), __ATOMIC_RELEASE);
    char byte;
    if (read(pipe_fds[0], &byte, 1) != 1 || byte != 'x')
        return "read";
    pid_t child = fork();
    if (child == 0) {
        int fd = open("/nonexistent/child-of-a-thread", O_RDONLY);
        _exit(fd < 0 ? 7 : 1);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
        return "child";
    return NULL;
}

int main(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = write_to_pipe;
    action.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &action, NULL);

    pthread_t thread;
    if (pipe(pipe_fds) != 0 || pthread_create(&thread, NULL, worker, NULL) != 0)
        return 1;
    pid_t tid;
    while ((tid = __atomic_load_n(&worker_tid, __ATOMIC_ACQUIRE)) == 0)
        sched_yield();
    wait_until_sleeping(tid);
    pthread_kill(thread, SIGUSR1);
    void *failure;
    pthread_join(thread, &failure);
    if (failure) {
        fprintf(stderr, "worker failed: %s\n", (char *)failure);
        return 1;
    }
    return 0;
}
