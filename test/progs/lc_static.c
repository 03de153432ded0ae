/* lc_static: linked statically (no PT_INTERP), so LD_PRELOAD cannot reach
 * it.  Writes "static child\n" on stdout with write(2). */
#include <unistd.h>

int main(void) {
    static const char msg[] = "static child\n";
    return write(1, msg, sizeof msg - 1) == (ssize_t)sizeof msg - 1 ? 0 : 1;
}
