/* N cheap syscalls (getppid) and N/10 openat+close pairs: the workload whose
 * syscalls are known exactly, for the stop-counting tests and the benchmark. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    for (long i = 0; i < n; i++) {
        syscall(SYS_getppid);
        if (i % 10 == 0) {
            int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
            close(fd);
        }
    }
    return 0;
}
