/* dropped_thread UID GID SECRET: a root process one of whose threads is UID's.
 *
 * The second thread drops to UID and GID with raw setresgid/setresuid syscalls,
 * which change the calling thread's credentials only (glibc's wrappers would
 * change every thread's), and sets the process dumpable again (a credential
 * change cleared the flag).  ptrace then lets UID trace that thread, and only it:
 * the main thread is still root's in every id.  It prints its tid, then opens and
 * reads /dev/null every 10 ms, while the root main thread opens and reads SECRET
 * (a file only root may read) every 10 ms.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long uid, gid;

static void read_every_10ms(const char *path)
{
    char buffer[256];
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (;;) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) {
            (void)!read(fd, buffer, sizeof buffer);
            close(fd);
        }
        nanosleep(&pause, NULL);
    }
}

static void *dropped(void *unused)
{
    (void)unused;
    if (syscall(SYS_setresgid, gid, gid, gid) != 0 || syscall(SYS_setresuid, uid, uid, uid) != 0)
        _exit(3);
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        _exit(4);
    printf("%d\n", (int)gettid());
    fflush(stdout);
    read_every_10ms("/dev/null");
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    uid = atol(argv[1]);
    gid = atol(argv[2]);
    pthread_t thread;
    if (pthread_create(&thread, NULL, dropped, NULL) != 0)
        return 1;
    read_every_10ms(argv[3]);
    return 0;
}
