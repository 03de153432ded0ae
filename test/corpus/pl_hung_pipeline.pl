#!/usr/bin/perl
# A hung pipeline in perl: the parent forks `sort -n` on a pipe, writes to it
# and waits for it.
# bug:   the parent never closes its write end, so sort never sees EOF and
#        waitpid never returns.
# fixed: the parent closes the write end before waiting.
use strict;
use warnings;
use IO::Handle;

my $mode = $ARGV[0] // '';
die "usage: $0 bug|fixed\n" unless $mode eq 'bug' || $mode eq 'fixed';

pipe(my $from_parent, my $to_sort) or die "pipe: $!";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
    close $to_sort;
    open(STDIN, '<&', $from_parent) or die "dup: $!";
    close $from_parent;
    exec 'sort', '-n' or exit 127;
}
close $from_parent;
$to_sort->autoflush(1);
print $to_sort "30\n10\n20\n";
close $to_sort if $mode eq 'fixed';
waitpid($pid, 0);
exit($? >> 8);
