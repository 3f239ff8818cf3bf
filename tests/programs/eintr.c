/* eintr: blocking syscalls interrupted by signals, each way the kernel restarts.
 *
 * 1. read() on an empty pipe, SIGALRM handler without SA_RESTART: the tracer
 *    sees read = ERESTARTSYS, then rt_sigreturn = -1 EINTR (what the program
 *    gets).
 * 2. The same with SA_RESTART: rt_sigreturn returns, read is re-entered, and
 *    completes with the byte the handler wrote into the pipe.
 * 3. clock_nanosleep interrupted by SIGWINCH left at its default (ignore):
 *    ERESTART_RESTARTBLOCK, then restart_syscall resumes the sleep.  An ignored
 *    signal reaches a ptraced task only; a traced run is what we compare.
 * 4. pause() interrupted by SIGALRM with a handler: ERESTARTNOHAND, then
 *    rt_sigreturn = -1 EINTR (pause is never restarted).
 *
 * The signals come from one-shot timers armed just before the blocking call,
 * far enough ahead (100 ms) that the call is always blocked when they fire.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int pipe_fds[2];

static void write_to_pipe(int signo)
{
    (void)signo;
    (void)!write(pipe_fds[1], "x", 1);
}

static void ignore_alarm(int signo)
{
    (void)signo;
}

static void arm_alarm_100ms(void)
{
    struct itimerval once = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &once, NULL);
}

static void on_alarm(void (*handler)(int), int flags)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = flags;
    sigaction(SIGALRM, &action, NULL);
}

static int read_interrupted_with_eintr(void)
{
    on_alarm(ignore_alarm, 0);
    arm_alarm_100ms();
    char byte;
    return read(pipe_fds[0], &byte, 1) == -1 && errno == EINTR;
}

static int read_restarted(void)
{
    on_alarm(write_to_pipe, SA_RESTART);
    arm_alarm_100ms();
    char byte;
    return read(pipe_fds[0], &byte, 1) == 1 && byte == 'x';
}

static int sleep_restarted(void)
{
    struct sigevent event;
    memset(&event, 0, sizeof event);
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGWINCH;
    timer_t timer;
    if (timer_create(CLOCK_MONOTONIC, &event, &timer) != 0)
        return 0;
    struct itimerspec once = {{0, 0}, {0, 100000000}};
    timer_settime(timer, 0, &once, NULL);
    struct timespec nap = {0, 300000000};
    return clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) == 0;
}

static int pause_interrupted(void)
{
    on_alarm(ignore_alarm, SA_RESTART);
    arm_alarm_100ms();
    return pause() == -1 && errno == EINTR;
}

int main(void)
{
    if (pipe(pipe_fds) != 0)
        return 1;
    int failures = 0;
    failures += !read_interrupted_with_eintr();
    failures += !read_restarted();
    failures += !sleep_restarted();
    failures += !pause_interrupted();
    return failures;
}
