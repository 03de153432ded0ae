/* What the model's own files share (not for users of the model). */
#ifndef PIPETRACE_ANALYSIS_MODEL_IMPL_H
#define PIPETRACE_ANALYSIS_MODEL_IMPL_H

#include "model.h"

/* origin.c */
struct pt_origin *pt_origin_new(struct pt_model *m, enum pt_origin_how how,
                                const struct pt_image *img, int fd, uint64_t t,
                                struct pt_origin *prev);

/* fdtable.c */
struct pt_fdent *pt_fdtable_put(struct pt_fdtable *t, int fd);
void pt_fdtable_remove(struct pt_fdtable *t, int fd);
void pt_fdtable_copy(struct pt_fdtable *dst, const struct pt_fdtable *src);
void pt_fdtable_free(struct pt_fdtable *t);

/* pipes.c */
struct pt_pipe *pt_pipe_get(struct pt_model *m, struct pt_objkey obj, uint8_t kind);
struct pt_pipe_use *pt_pipe_use_of(struct pt_pipe *p, size_t image);
/* A write on p that had not returned (yet) when seen. */
void pt_pipe_begun_write(struct pt_model *m, struct pt_pipe *p, const struct pt_image *img,
                         const struct pt_record *r, uint64_t offset);
/* Counts as done the begun writes whose bytes readers got (at the end). */
void pt_pipes_infer_writes(struct pt_model *m);
void pt_pipes_free(struct pt_model *m);

/* fds.c: changing an image's table, keeping pipe holders true */
struct pt_fdent *pt_fd_open(struct pt_model *m, struct pt_image *img, int fd, uint8_t kind,
                            struct pt_objkey obj, uint8_t flags, struct pt_origin *origin,
                            uint64_t t);
void pt_fd_close(struct pt_model *m, struct pt_image *img, int fd, uint64_t t);
/* The entry for fd, made up from the record when the model did not know
 * the fd (first seen in use). */
struct pt_fdent *pt_fd_seen(struct pt_model *m, struct pt_image *img, const struct pt_record *r);
/* Copies src's fds (only those without FD_CLOEXEC when exec_filter) into
 * img as new steps of kind how. */
void pt_fd_inherit(struct pt_model *m, struct pt_image *img, const struct pt_fdtable *src,
                   enum pt_origin_how how, int32_t from_pid, uint64_t t);

/* images.c */
void pt_image_start(struct pt_model *m, struct pt_image *img, unsigned first_type);
/* Keeps the image's table as it is now, as the table it ended with. */
void pt_image_end_table(struct pt_model *m, struct pt_image *img);
void pt_image_inherited_fd(struct pt_model *m, struct pt_image *img, const struct pt_record *r);
void pt_image_inherited_done(struct pt_model *m, struct pt_image *img);
void pt_image_forked(struct pt_model *m, struct pt_image *img, const struct pt_record *r,
                     int spawn);
/* system() or popen(): a child whose pid the record does not give. */
void pt_image_spawned_unnamed(struct pt_model *m, struct pt_image *img, const struct pt_record *r);
void pt_image_waited(struct pt_model *m, struct pt_image *img, const struct pt_record *r);
/* A wait (or pclose) that reaped pid with status at time t. */
void pt_image_waited_for(struct pt_model *m, int32_t pid, int status, uint64_t t);
/* kill, killpg: keeps a signal that may end its target (pt_model_kills). */
void pt_image_sent_signal(struct pt_model *m, struct pt_image *img, const struct pt_record *r);
void pt_model_finish(struct pt_model *m);

/* ghosts.c: fork children with no trace file, as untraced children and
 * holders. */
void pt_model_ghosts(struct pt_model *m);

/* fdpass.c: fds passed over sockets, as steps of their history */
void pt_model_fdpass(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev);

/* apply.c */
void pt_model_apply(struct pt_model *m, struct pt_image *img, const struct pt_merged *ev);

#endif /* PIPETRACE_ANALYSIS_MODEL_IMPL_H */
