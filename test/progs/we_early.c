/* we_early: run with libwe_dlsym_hook.so preloaded.  Looks up
 * we_hook_report with dlsym (which runs the hook's battery once more) and
 * prints what the battery's calls returned; exits 0. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

int main(void) {
    const char *(*report)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "we_hook_report");
    if (!report) {
        fprintf(stderr, "we_early: libwe_dlsym_hook.so is not preloaded\n");
        return 2;
    }
    fputs(report(), stdout);
    return 0;
}
