/* A TCP echo over loopback, for the corpus test's %net class: the server binds
 * 127.0.0.1 port 0, learns its port with getsockname, listens and forks a
 * client that connects, writes "hello\n" and reads the echo back; the server
 * accepts, reads, writes it back and waits for the client.  Every call's
 * arguments and results are the same from run to run but the port number, and
 * the order of calls within each process is fixed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "common.h"

static const char MESSAGE[] = "hello\n";

static void die(const char *what)
{
    perror(what);
    exit(1);
}

/* Read exactly n bytes (a short read on loopback is allowed by TCP). */
static void read_all(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r <= 0)
            die("read");
        got += (size_t)r;
    }
}

static int client(const struct sockaddr_in *server)
{
    char echo[sizeof MESSAGE - 1];
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (const struct sockaddr *)server, sizeof *server) < 0)
        die("connect");
    if (write(fd, MESSAGE, sizeof MESSAGE - 1) != sizeof MESSAGE - 1)
        die("write");
    read_all(fd, echo, sizeof echo);
    close(fd);
    return memcmp(echo, MESSAGE, sizeof echo) != 0;
}

int main(void)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    socklen_t len = sizeof addr;
    char buf[sizeof MESSAGE - 1];
    int status;

    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0)
        die("bind");
    if (getsockname(listener, (struct sockaddr *)&addr, &len) < 0 || listen(listener, 1) < 0)
        die("listen");

    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        close(listener);
        _exit(client(&addr));
    }

    int conn = accept(listener, NULL, NULL);
    if (conn < 0)
        die("accept");
    read_all(conn, buf, sizeof buf);
    if (write(conn, buf, sizeof buf) != sizeof buf)
        die("write");
    close(conn);
    close(listener);
    if (waitpid(child, &status, 0) != child)
        die("waitpid");
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
