/* Writes the version script that exports the wrappers (exports.map): every
 * row of wrappers.inc global, everything else local.  Run by the build. */
#include <stdio.h>

static const char *const exported[] = {
#define PT_WRAP(ret, name, params) #name,
#define PT_WRAP_ONLY(ret, name, params) #name,
#include "wrappers.inc"
};

int main(void) {
    printf("/* Made from src/preload/wrappers.inc by gen_exports: only the wrappers are\n"
           " * visible to the programs we are preloaded into. */\n{\n  global:\n");
    for (size_t i = 0; i < sizeof exported / sizeof exported[0]; i++)
        printf("    %s;\n", exported[i]);
    printf("  local: *;\n};\n");
    return 0;
}
