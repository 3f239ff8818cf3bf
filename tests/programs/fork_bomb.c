/* fork_bomb DEPTH MARKER: a fork bomb that cannot take the machine down.
 *
 * Every process below DEPTH forks two children, so the tree grows to
 * 2^(DEPTH+1) - 1 processes and no further.  Each then blocks reading stdin
 * (the test's "go" pipe, closed at the end of the test) and reaps its children.
 * alarm(30), set in every process once the tree has grown (fork does not pass
 * an alarm on), ends any process still there after 30 s, whatever the tracer does.
 * MARKER rides in every process's argv (fork copies it), so the test can find
 * survivors in /proc without looking at anyone else's processes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fork_bomb DEPTH MARKER\n");
        return 2;
    }
    int depth = atoi(argv[1]);
    for (int level = 0; level < depth; level++) {
        pid_t left = fork();
        if (left == 0)
            continue; /* the child goes on growing the tree one level down */
        pid_t right = left > 0 ? fork() : -1;
        if (right == 0)
            continue;
        break; /* the parent (or a process whose fork failed) stops growing */
    }
    alarm(30);
    char byte;
    while (read(0, &byte, 1) > 0)
        ;
    while (wait(NULL) > 0)
        ;
    return 0;
}
