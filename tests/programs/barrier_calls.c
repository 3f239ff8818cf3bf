/* barrier_calls K: K getppid() calls, then wait at a barrier the test holds.
 *
 * After its K calls the program writes one byte to stdout (the test's "ready"
 * pipe) and blocks reading stdin (the test's "go" pipe) until end-of-file, then
 * exits 0.  The test counts one ready byte per program before it closes the go
 * pipe, which proves that every program was alive, and traced, at once.  The
 * barrier's read and write are not getppid, so a trace=getppid session holds
 * exactly K calls.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long k = argc > 1 ? atol(argv[1]) : 10;
    for (long i = 0; i < k; i++)
        syscall(SYS_getppid);
    if (write(1, "r", 1) != 1)
        return 3;
    char byte;
    while (read(0, &byte, 1) > 0)
        ; /* the test never writes; it only closes */
    return 0;
}
