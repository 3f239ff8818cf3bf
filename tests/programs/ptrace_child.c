/* A program that uses ptrace itself, as strace's ptrace tests and debuggers do: it
 * forks a child that asks to be traced (PTRACE_TRACEME) and stops; the parent sees the
 * stop, lets it go on and reaps it.  Under a tracer that follows forks, the child is
 * traced already and PTRACE_TRACEME fails with EPERM (exit status 3). */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t child = fork();
    if (child < 0) return 1;
    if (child == 0) {
        if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) {
            perror("PTRACE_TRACEME");
            _exit(3);
        }
        raise(SIGSTOP);
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) return 2;
    if (WSTOPSIG(status) != SIGSTOP) return 2;
    ptrace(PTRACE_CONT, child, 0, 0);
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return 2;
    return WEXITSTATUS(status);
}
