/* Queued signals, as strace's siginfo tests send them: sigqueue with an int, with a
 * pointer-sized value, and with 0 (strace shows si_int and si_ptr for the first two). */
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

static void handler(int sig) { (void)sig; }

int main(void) {
    signal(SIGUSR1, handler);
    union sigval value = {.sival_ptr = NULL};
    value.sival_int = 42;
    sigqueue(getpid(), SIGUSR1, value);
    value.sival_ptr = (void *)(uintptr_t)0xdeadbeef12345678ULL;
    sigqueue(getpid(), SIGUSR1, value);
    value.sival_ptr = NULL;
    sigqueue(getpid(), SIGUSR1, value);
    return 0;
}
