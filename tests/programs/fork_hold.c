/* fork_hold: fork N children (argv[1]) that are all alive at once, then let them go.
 *
 * Each child calls getppid() (one traced line while it lives, so that -ff has
 * its file open) and blocks reading a pipe; once every child exists the parent
 * closes the pipe's write end, every read returns 0, and each child _exits 0.
 * The parent reaps them all and exits 0 (3 if a fork failed).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 200;
    int gate[2];
    if (pipe(gate) != 0)
        return 2;
    for (int i = 0; i < count; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0) {
            char byte;
            close(gate[1]);
            getppid();
            while (read(gate[0], &byte, 1) > 0)
                ;
            _exit(0);
        }
    }
    close(gate[1]);
    while (wait(NULL) > 0)
        ;
    return 0;
}
