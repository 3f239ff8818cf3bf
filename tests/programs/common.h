/* Helpers the test programs share.  Each is static: every program is one file. */
#ifndef TRACED_TEST_COMMON_H
#define TRACED_TEST_COMMON_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An open+close of a path, so a trace shows which task got where. */
static inline void touch_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
}

/* Poll a task's /proc stat file until it sleeps (state S): then it is blocked
 * in the syscall we are waiting for, and a signal or exec will interrupt it. */
static inline void wait_until_sleeping_at(const char *stat_path)
{
    char stat[512];
    int fd = open(stat_path, O_RDONLY);
    for (;;) {
        ssize_t n = pread(fd, stat, sizeof stat - 1, 0);
        stat[n > 0 ? n : 0] = '\0';
        char *state = strrchr(stat, ')');
        if (state && state[1] == ' ' && state[2] == 'S')
            break;
        struct timespec tick = {0, 1000000};
        clock_nanosleep(CLOCK_MONOTONIC, 0, &tick, NULL);
    }
    close(fd);
}

#endif
