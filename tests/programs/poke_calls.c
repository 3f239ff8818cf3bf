/* poke_calls: what -e inject=...:poke_enter=/poke_exit= does, as the program sees it.
 *
 *   poke_calls    read 8 bytes of /dev/zero into a buffer, then write "hello\n"
 *                 to stdout; print the buffer's bytes in hex
 *
 * Under inject=read:poke_exit=@arg2=HEX the buffer holds HEX where zeros were read;
 * under inject=write:poke_enter=@arg2=HEX the line written starts with HEX's bytes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    unsigned char buffer[8] = {0};
    char line[] = "hello\n";
    int fd = open("/dev/zero", O_RDONLY);
    if (fd < 0 || read(fd, buffer, sizeof buffer) != sizeof buffer)
        return 1;
    if (write(1, line, sizeof line - 1) != sizeof line - 1)
        return 1;
    for (unsigned i = 0; i < sizeof buffer; i++)
        printf("%02x", buffer[i]);
    printf("\n");
    return 0;
}
