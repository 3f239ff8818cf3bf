/* fork50: fork 50 children; each touches distinct paths and _exits with its index.
 *
 * argv[1] is a writable directory.  Child i opens "/nonexistent/child-i" (ENOENT)
 * and creates "DIR/child-i" (success), so every child has its own paths.  The
 * parent blocks SIGCHLD (a delivered SIGCHLD would restart wait4 at a timing-
 * dependent point) and reaps the children in creation order.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 50

static void child(const char *dir, int index)
{
    char path[4096];
    snprintf(path, sizeof path, "/nonexistent/child-%d", index);
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        _exit(100); /* a path that must not exist does */
    snprintf(path, sizeof path, "%s/child-%d", dir, index);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        _exit(101);
    close(fd);
    _exit(index);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fork50 DIR\n");
        return 2;
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("fork");
            return 1;
        }
        if (pids[i] == 0)
            child(argv[1], i);
    }
    for (int i = 0; i < CHILDREN; i++) {
        int status;
        if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status)
            || WEXITSTATUS(status) != i) {
            fprintf(stderr, "child %d: bad status %#x\n", i, status);
            return 1;
        }
    }
    return 0;
}
