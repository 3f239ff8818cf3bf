/* capread FILE: open FILE, read it and write what it read to stdout.
 *
 * The security tests give a copy of it cap_dac_read_search in its file
 * capabilities (setcap cap_dac_read_search+ep): run by any user, it then reads
 * files only root may read.  Exit 1 when the open fails (its errno on stderr).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    char buffer[4096];
    ssize_t length = read(fd, buffer, sizeof buffer);
    if (length > 0)
        (void)!write(1, buffer, length);
    close(fd);
    return 0;
}
