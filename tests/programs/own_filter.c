/* own_filter: a program that installs a seccomp filter of its own, as a sandbox does.
 *
 *   own_filter trace   its filter returns SECCOMP_RET_TRACE for getppid.  With no
 *                      seccomp tracer the kernel fails that call with ENOSYS, and a
 *                      sandbox may rely on it: exit 38 (ENOSYS) then, 0 if getppid
 *                      ran.  strace -f (which sets no PTRACE_O_TRACESECCOMP) gives 38.
 *   own_filter errno   its filter answers uname with EPERM: exit 1 if uname failed
 *                      with EPERM, 0 if it ran.  A tracer stopping at every syscall
 *                      entry sees the refused call.
 *   own_filter trap    its filter returns SECCOMP_RET_TRAP (data 7) for getppid: the
 *                      SIGSYS handler exits 31.
 *   own_filter fork    as errno, but a child forked after the install calls uname
 *                      (it inherits the filter), and the parent exits with its code.
 *
 * With a second argument ``wait``, the program first reads a byte from stdin (a
 * tracer attaches meanwhile), then installs its filter.
 *
 * The filter is installed with seccomp(2) in trace and trap modes and with
 * prctl(PR_SET_SECCOMP) in errno mode, so a tracer must know both ways in.  Then
 * getppid or uname is called with syscall(2), bypassing libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_sigsys(int sig)
{
    (void)sig;
    _exit(31);
}

/* Allow everything but ``nr``, which gets ``verdict``; other arches are allowed. */
static int install(int nr, unsigned int verdict, int with_prctl)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, verdict),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof code / sizeof code[0], code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return -1;
    if (with_prctl)
        return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "trace";
    if (argc > 2 && strcmp(argv[2], "wait") == 0) {
        char byte;
        if (read(0, &byte, 1) != 1)
            return 102;
    }
    if (strcmp(mode, "trace") == 0) {
        if (install(SYS_getppid, SECCOMP_RET_TRACE, 0) != 0)
            return 100;
        long parent = syscall(SYS_getppid);
        return parent == -1 && errno == ENOSYS ? ENOSYS : 0;
    }
    if (strcmp(mode, "errno") == 0) {
        if (install(SYS_uname, SECCOMP_RET_ERRNO | EPERM, 1) != 0)
            return 100;
        struct utsname name;
        long result = syscall(SYS_uname, &name);
        return result == -1 && errno == EPERM ? 1 : 0;
    }
    if (strcmp(mode, "fork") == 0) {
        if (install(SYS_uname, SECCOMP_RET_ERRNO | EPERM, 0) != 0)
            return 100;
        pid_t child = fork();
        if (child == 0) {
            struct utsname name;
            long result = syscall(SYS_uname, &name);
            _exit(result == -1 && errno == EPERM ? 1 : 0);
        }
        int status;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
            return 103;
        return WEXITSTATUS(status);
    }
    if (strcmp(mode, "trap") == 0) {
        signal(SIGSYS, on_sigsys);
        if (install(SYS_getppid, SECCOMP_RET_TRAP | 7, 0) != 0)
            return 100;
        syscall(SYS_getppid);
        return 0;
    }
    return 101;
}
