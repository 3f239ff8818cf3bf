/* clone_parent COUNT [LINGER_MS]: leaves children to its own parent, untraced, and
 * checks that the parent reaps them.
 *
 * It makes COUNT children (default 3) with the raw clone syscall and the flags
 * CLONE_PARENT | CLONE_UNTRACED | SIGCHLD, as fork would but for those two: no new
 * stack (the child runs on a copy of ours).  CLONE_PARENT makes each a child of
 * whoever started us, though that process never forked it; CLONE_UNTRACED keeps a
 * tracer of ours from following it.  Each child exits with the raw exit syscall,
 * at once, or LINGER_MS milliseconds later.  Their zombies are then our parent's
 * to reap.  Without LINGER_MS this program waits up to two seconds for each child
 * to be gone (no /proc/PID, or no child of our parent any more) and exits 0 when
 * all are, 3 when one is still there; with it, it exits 0 at once, before its
 * children die.  1: clone failed.  It prints each child's pid on stdout.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 64

/* 1 while pid is a child of `parent`, alive or an unreaped zombie. */
static int child_of(pid_t pid, pid_t parent)
{
    char path[64], state = 0;
    int ppid = 0;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *stat = fopen(path, "r");
    if (stat == NULL)
        return 0;
    /* pid (comm) state ppid: comm is ours, so it holds no ") " */
    int found = fscanf(stat, "%*d (%*[^)]) %c %d", &state, &ppid);
    fclose(stat);
    return found == 2 && ppid == (int)parent;
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 3;
    long linger_ms = argc > 2 ? atol(argv[2]) : 0;
    struct timespec linger = {linger_ms / 1000, linger_ms % 1000 * 1000 * 1000};
    if (count < 1 || count > MAX_CHILDREN)
        return 2;
    pid_t parent = getppid(), children[MAX_CHILDREN];
    for (int i = 0; i < count; i++) {
        long pid = syscall(SYS_clone, CLONE_PARENT | CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
            return 1;
        if (pid == 0) {
            if (linger_ms > 0)
                nanosleep(&linger, NULL);
            syscall(SYS_exit, 0);
        }
        children[i] = (pid_t)pid;
        printf("%ld\n", pid);
    }
    fflush(stdout);
    if (linger_ms > 0)
        return 0;
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < count; i++) {
        int waited = 0;
        while (child_of(children[i], parent)) {
            if (waited++ >= 200)
                return 3;
            nanosleep(&tick, NULL);
        }
    }
    return 0;
}
