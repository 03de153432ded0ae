/* vw_static_exit N: linked statically (LD_PRELOAD cannot reach it); exits
 * with status N without a traced call. */
#include <stdlib.h>

int main(int argc, char **argv) {
    return argc > 1 ? atoi(argv[1]) : 0;
}
