/* The fds a process image was born with: scanned once at start-up from
 * /proc/self/fd (getdents64, no malloc), taught to the fd cache, and
 * recorded as PT_EV_INHERITED_FD when the trace file is created.  This is
 * what ties a `sort` reading fd 0 to the shell that made that pipe. */
#ifndef PIPETRACE_PRELOAD_INHERIT_H
#define PIPETRACE_PRELOAD_INHERIT_H

void pt_scan_inherited(void);

/* Whether the image inherited something worth a trace file even if it
 * never makes a traced call: an fd beyond 0-2, which the leak audit must
 * see.  Standard fds alone do not count: creating a file costs a spawn
 * several hundred microseconds on ext4, most processes with piped stdio do
 * I/O on it anyway (and so get a file), and the viewer can follow the
 * others' fds from their parent's fork and exec records. */
int pt_inherited_worth_a_file(void);

/* Writes the records; called once the file exists. */
void pt_record_inherited(void);

/* A fork child's fds come through fork, not exec: nothing to record. */
void pt_forget_inherited(void);

#endif
