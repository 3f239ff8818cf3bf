/* decode_pids: the calls whose pids strace -Y prints with their task's comm.
 *
 * Arguments (kill, tgkill, sched_getscheduler, prlimit64, getpriority by process
 * and by group, pidfd_open, fcntl's owners), results (getpid, gettid, getppid,
 * getpgid's group, clone, clone3's parent_tid, wait4 of a reaped child), a
 * ucred's pid, siginfo's si_pid of a zombie (waitid with WNOWAIT) and of a reaped
 * child, and the line prefix of a task that renamed itself (prctl PR_SET_NAME with
 * a name strace escapes: <, >, ESC).  The parent's own parent (the tracer) is
 * never asked for: its comm is the tracer's name.  The process puts itself in a
 * process group of its own first, so that getpgid's answer is its pid under both.
 * The children never rename themselves: the parent reads their comm in its waitid
 * while they run, so a new name would race with it, under strace as under traced.
 * SIGCHLD is blocked: a child may end before or after its parent enters waitid.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2];

/* Ends only once its creator is past clone3: its tid (clone3's result and parent_tid)
 * is still its own when the tracer reads the creator's return. */
static void *thread(void *unused)
{
    char byte;
    (void) unused;
    if (read(go[0], &byte, 1) != 1)
        return NULL;
    syscall(SYS_gettid);
    return NULL;
}

int main(void)
{
    pid_t pid = getpid(), tid = syscall(SYS_gettid);
    struct rlimit limit;
    struct f_owner_ex owner = { F_OWNER_PID, pid };
    struct ucred cred;
    socklen_t size = sizeof(cred);
    siginfo_t info;
    pthread_t worker;
    int pair[2];

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);  /* no SIGCHLD line, early or late */
    setpgid(0, 0);
    getpgid(pid);
    kill(pid, 0);
    kill(-pid, 0);
    syscall(SYS_tgkill, pid, tid, 0);
    syscall(SYS_tkill, tid, 0);
    sched_getscheduler(pid);
    syscall(SYS_prlimit64, pid, RLIMIT_NOFILE, NULL, &limit);
    getpriority(PRIO_PROCESS, pid);
    getpriority(PRIO_PGRP, pid);
    close(syscall(SYS_pidfd_open, pid, 0));
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
        return 1;
    getsockopt(pair[0], SOL_SOCKET, SO_PEERCRED, &cred, &size);
    fcntl(pair[0], F_SETOWN, pid);
    fcntl(pair[0], F_SETOWN_EX, &owner);
    fcntl(pair[0], F_GETOWN_EX, &owner);
    prctl(PR_SET_NAME, "dp<1>\33");
    getpid();
    if (pipe(go) != 0 || pthread_create(&worker, NULL, thread, NULL) != 0)
        return 1;
    if (write(go[1], "g", 1) != 1)
        return 1;
    pthread_join(worker, NULL);
    pid_t child = fork();
    if (child == 0) {
        getppid();
        kill(getppid(), 0);
        syscall(SYS_gettid);
        _exit(0);
    }
    waitid(P_PID, child, &info, WEXITED | WNOWAIT);
    wait4(child, NULL, 0, NULL);
    child = fork();
    if (child == 0)
        _exit(3);
    waitid(P_PID, child, &info, WEXITED);
    return 0;
}
