/* libptempty.so: a preloaded library that does nothing, so that
 * bench/compare can show what loading one more library costs a process on
 * this machine before it does any work (its "empty" configuration). */
int pt_empty_preload_loaded = 1;
