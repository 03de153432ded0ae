/* Signals traced processes sent one another: what tells a pipe drained
 * after its writer was killed on purpose from a reader that hung until a
 * kill from outside ended the writer. */
#include <signal.h>

#include "model_impl.h"
#include "trace/events.h"
#include "trace/xalloc.h"

/* Signals that stop, continue or only inform a process end none. */
static int may_end_process(int sig) {
    switch (sig) {
    case 0:
    case SIGCHLD:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
    case SIGWINCH:
        return 0;
    default:
        return 1;
    }
}

/* A kill still begun when the trace ended was sent: kill does not block,
 * so only the sender's own death (by that signal) can have cut it short. */
void pt_image_sent_signal(struct pt_model *m, struct pt_image *img, const struct pt_record *r) {
    int32_t target;
    int sig;
    pt_kill_target(r, &target, &sig);
    if ((r->state == PT_DONE && r->result < 0) || !may_end_process(sig))
        return;
    PT_GROW(m->kills, m->nkills + 1, m->cap_kills);
    m->kills[m->nkills++] = (struct pt_kill){img->pid, target, sig, r->t_start};
}

int pt_model_signalled_before(const struct pt_model *m, int32_t pid, uint64_t t) {
    for (size_t i = 0; i < m->nkills; i++) {
        int32_t target = m->kills[i].target;
        if (m->kills[i].t <= t && (target == pid || target <= 0))
            return 1;
    }
    return 0;
}
