/* thread_exits: four threads leave together, each with the exit syscall.
 *
 * A barrier lines them up first, so that their exit calls are entered at about
 * the same time and a tracer has several of them pending at once: the case where
 * one thread's `exit(0) = ?` line could be cut by another's (strace's
 * `<unfinished ...>`).  The main thread joins them, then exits with 0.
 */
#include <pthread.h>
#include <stdlib.h>

#define THREADS 4

static pthread_barrier_t lined_up;

static void *leave(void *unused)
{
    (void)unused;
    pthread_barrier_wait(&lined_up);
    return NULL; /* glibc ends the thread with the exit syscall */
}

int main(void)
{
    pthread_t threads[THREADS];
    pthread_barrier_init(&lined_up, NULL, THREADS);
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, leave, NULL) != 0)
            return 1;
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    return 0;
}
