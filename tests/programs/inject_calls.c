/* inject_calls N PATH: creates PATH, then calls unlinkat(AT_FDCWD, PATH, 0) N
 * times, printing for each call its return value, the errno it left and the
 * signals caught since the last line: "call I: rc=R errno=E signals=S".
 * SIGUSR1 and SIGUSR2 are caught and counted.  stdout is unbuffered, so the
 * lines interleave with the trace as the calls happen. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static volatile sig_atomic_t caught;

static void on_signal(int sig) { (void)sig; caught++; }

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: inject_calls N PATH\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGUSR1, on_signal);
    signal(SIGUSR2, on_signal);
    long n = atol(argv[1]);
    int fd = open(argv[2], O_CREAT | O_WRONLY, 0600);
    if (fd >= 0)
        close(fd);
    for (long i = 1; i <= n; i++) {
        errno = 0;
        long rc = unlinkat(AT_FDCWD, argv[2], 0);
        int err = errno;
        int sigs = caught;
        caught = 0;
        printf("call %ld: rc=%ld errno=%d signals=%d\n", i, rc, err, sigs);
    }
    return 0;
}
