/* inj_records bug|ok: reads stdin as 64-byte records, each starting with
 * 'R', and prints how many it read and how many did not start with 'R'.
 * bug takes each read for one whole record, so after a short read the
 * next one begins mid-record; ok fills each record with as many reads as
 * it takes.  inj_records write N: writes N such records to stdout, one
 * write(2) each (looping on a short one). */
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "test/progs/progs.h"

enum { RECORD = 64 };

/* One read, taken for a whole record: the bug. */
static ssize_t read_once(char *rec) {
    ssize_t n;
    while ((n = read(0, rec, RECORD)) < 0 && errno == EINTR)
        ;
    return n;
}

/* Reads until the record is full or the input ends. */
static ssize_t read_whole(char *rec) {
    ssize_t have = 0;
    while (have < RECORD) {
        ssize_t n = read(0, rec + have, (size_t)(RECORD - have));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += n;
    }
    return have;
}

/* N records of 64 bytes, 'R' then a number, one write each. */
static int write_records(long n) {
    for (long i = 0; i < n; i++) {
        char rec[RECORD];
        memset(rec, '.', sizeof rec);
        snprintf(rec, sizeof rec, "R%ld", i);
        rec[strlen(rec)] = '.';
        rec[RECORD - 1] = '\n';
        for (size_t done = 0; done < RECORD;) {
            ssize_t w = write(1, rec + done, RECORD - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                die("inj_records: write");
            done += (size_t)w;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "write") == 0)
        return write_records(atol(argv[2]));
    if (argc != 2)
        die("usage: inj_records bug|ok | write N");
    int whole = strcmp(argv[1], "ok") == 0;
    char rec[RECORD];
    long records = 0, bad = 0;
    for (;;) {
        ssize_t n = whole ? read_whole(rec) : read_once(rec);
        if (n <= 0)
            break;
        records++;
        bad += rec[0] != 'R';
    }
    printf("records %ld bad %ld\n", records, bad);
    return 0;
}
