/* killed: a process that ends by a signal, given by number in argv[1].
 *
 * It opens a marker path first so the trace is not empty, and disables core
 * dumps so that a SIGSEGV ends the same way whatever the system's core limit.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    int fd = open("/nonexistent/about-to-die", O_RDONLY);
    if (fd >= 0)
        close(fd);
    kill(getpid(), atoi(argv[1]));
    return 1; /* only reached if the signal did not kill */
}
