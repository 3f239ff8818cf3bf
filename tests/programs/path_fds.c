/* -P PATH on calls that name no path: the fd of PATH read, fstat'd, dup'd, closed,
 * beside another file's fd that must not be shown (strace's pathtrace fdmatch). */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    char buf[8];
    struct stat st;
    int fd = open(argv[1], O_RDONLY), other = open(argv[2], O_RDONLY);
    if (fd < 0 || other < 0) return 1;
    read(fd, buf, sizeof buf);
    read(other, buf, sizeof buf);
    fstat(fd, &st);
    fstat(other, &st);
    int copy = dup(fd);
    lseek(copy, 0, SEEK_SET);
    close(copy);
    close(other);
    close(fd);
    return 0;
}
