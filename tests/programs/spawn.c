/* spawn: vfork+execve and posix_spawn, of /bin/true and of a missing program.
 *
 * glibc's posix_spawn uses clone(CLONE_VM|CLONE_VFORK) (clone3 where available),
 * so this covers both ways a child shares its parent's memory until it execs.
 * SIGCHLD is blocked so that no delivery interrupts the waits.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int wait_exit_code(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int vfork_exec(const char *path)
{
    char *const argv[] = {(char *)path, NULL};
    pid_t pid = vfork();
    if (pid == 0) {
        execve(path, argv, environ);
        _exit(127);
    }
    return wait_exit_code(pid);
}

static int spawn(const char *path, int expected_error)
{
    char *const argv[] = {(char *)path, NULL};
    pid_t pid;
    int error = posix_spawn(&pid, path, NULL, NULL, argv, environ);
    if (error != expected_error) {
        fprintf(stderr, "posix_spawn %s: %s\n", path, strerror(error));
        return -1;
    }
    return error ? 0 : wait_exit_code(pid);
}

int main(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    int failures = 0;
    failures += vfork_exec("/bin/true") != 0;
    failures += vfork_exec("/nonexistent/program") != 127;
    failures += spawn("/bin/true", 0) != 0;
    failures += spawn("/nonexistent/program", 2 /* ENOENT */) != 0;
    return failures;
}
