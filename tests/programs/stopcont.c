/* stopcont: tracees stopped by SIGSTOP and resumed by SIGCONT.
 *
 * Child A stops itself with raise(SIGSTOP) between two openat/close pairs.
 * Child B is stopped by its parent while it blocks in read() on a pipe: the
 * read is interrupted (ERESTARTSYS), the child stops, and after SIGCONT the
 * read restarts and gets the byte the parent then writes.  In both cases the
 * parent must see the stop through waitpid(WUNTRACED), which only works if the
 * tracer lets the group-stop happen rather than resuming the stopped tracee.
 *
 * Determinism: SIGCHLD is blocked in the parent; the parent stops B only once
 * /proc/B/stat says B sleeps (state S), and B's only sleeping call is the read.
 * An alarm() guards against a tracer that never lets a child stop.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static void expect_stopped_then_resume(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)
        || WSTOPSIG(status) != SIGSTOP) {
        fprintf(stderr, "child %d: expected a stop, got %#x\n", pid, status);
        exit(1);
    }
    kill(pid, SIGCONT);
}

static void expect_exit(pid_t pid, int code)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != code) {
        fprintf(stderr, "child %d: expected exit %d, got %#x\n", pid, code, status);
        exit(1);
    }
}

static void self_stopping_child(void)
{
    touch_path("/nonexistent/before-stop");
    raise(SIGSTOP);
    touch_path("/nonexistent/after-stop");
    _exit(3);
}

static void blocked_reader_child(int read_end)
{
    touch_path("/nonexistent/before-read");
    char byte;
    ssize_t n = read(read_end, &byte, 1);
    touch_path("/nonexistent/after-read");
    _exit(n == 1 && byte == 'x' ? 4 : 5);
}

/* Polls /proc/PID/stat with pread on one descriptor, so the number of polls
 * (which varies) shows in no traced syscall but pread64. */
static void wait_until_sleeping(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    wait_until_sleeping_at(path);
}

int main(void)
{
    alarm(20); /* fail rather than hang if a stop never happens */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    pid_t self_stopper = fork();
    if (self_stopper == 0)
        self_stopping_child();
    expect_stopped_then_resume(self_stopper);
    expect_exit(self_stopper, 3);

    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return 1;
    pid_t reader = fork();
    if (reader == 0)
        blocked_reader_child(pipe_fds[0]);
    wait_until_sleeping(reader);
    kill(reader, SIGSTOP);
    expect_stopped_then_resume(reader);
    if (write(pipe_fds[1], "x", 1) != 1)
        return 1;
    expect_exit(reader, 4);
    return 0;
}
