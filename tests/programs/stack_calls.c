/* stack_calls: syscalls made four frames deep, for -k's stack traces.
 *
 * main calls f0, which calls f1 ... f3 (each its own frame: noinline, and each
 * adds to its callee's result, so no call is a tail call); f3 makes chdir("")
 * (fails: ENOENT), sends itself SIGURG (ignored by default, but its delivery
 * stops a tracee) and writes a line.  The same chain runs again under C++ names
 * (asm labels, as strace's stack-fcall-mangled test gives them): ns::f0(int) ...
 * ns::f3(int), which strace -k prints demangled.  A child process then execs
 * /bin/true: execve's stack is walked at its entry.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static volatile int sink;

NOINLINE int f3(int i)
{
    sink = chdir("");
    kill(getpid(), SIGURG);
    sink = write(1, "f3\n", 3);
    return i + sink;
}
NOINLINE int f2(int i) { return f3(i) + 1; }
NOINLINE int f1(int i) { return f2(i) + 1; }
NOINLINE int f0(int i) { return f1(i) + 1; }

int mangled3(int i) __asm__("_ZN2ns2f3Ei");
int mangled2(int i) __asm__("_ZN2ns2f2Ei");
int mangled1(int i) __asm__("_ZN2ns2f1Ei");
int mangled0(int i) __asm__("_ZN2ns2f0Ei");
NOINLINE int mangled3(int i) { return f3(i) + 1; }
NOINLINE int mangled2(int i) { return mangled3(i) + 1; }
NOINLINE int mangled1(int i) { return mangled2(i) + 1; }
NOINLINE int mangled0(int i) { return mangled1(i) + 1; }

int main(void)
{
    sink = f0(0) + mangled0(0);
    pid_t child = fork();
    if (child == 0) {
        execl("/bin/true", "true", (char *)0);
        _exit(127);
    }
    waitpid(child, 0, 0);
    return 0;
}
