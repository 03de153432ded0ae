/* The library's process-wide state.  See state.h. */
#include "state.h"

struct pt_config pt_config;
struct pt_self pt_self;
__thread int pt_tls_tid __attribute__((tls_model("initial-exec")));
__thread int pt_tls_busy __attribute__((tls_model("initial-exec")));
