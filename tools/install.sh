#!/bin/sh
# Installs pipetrace under a prefix:
#   PREFIX/bin/pipetrace
#   PREFIX/lib/pipetrace/libpipetrace.so   (where `pipetrace run` looks first)
#   PREFIX/share/man/man1/pipetrace.1
#
# usage: bazel run //:install -- PREFIX
#
# The BUILD rule passes the built files as --cli/--lib/--man (runfiles-relative,
# and `bazel run` starts us in the runfiles tree).  Run directly from
# bazel-bin, we find them in our own runfiles tree.
set -eu

die() { echo "install: $*" >&2; exit 2; }

cli= lib= man=
while [ $# -gt 0 ]; do
    case $1 in
    --cli) cli=$2; shift 2 ;;
    --lib) lib=$2; shift 2 ;;
    --man) man=$2; shift 2 ;;
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
    --) shift; break ;;
    -*) die "unknown option '$1'" ;;
    *) break ;;
    esac
done
[ $# -eq 1 ] || die "usage: bazel run //:install -- PREFIX"
prefix=$1

if [ -z "$cli" ] || [ -z "$lib" ] || [ -z "$man" ]; then
    runfiles=${RUNFILES_DIR:-$0.runfiles}/pipetrace
    cli=$runfiles/tools/pipetrace
    lib=$runfiles/src/preload/libpipetrace.so
    man=$runfiles/docs/pipetrace.1
fi
# Absolute now: $PREFIX may be relative to the user's directory, not ours.
cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli")
lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
man=$(cd "$(dirname "$man")" && pwd)/$(basename "$man")
[ -f "$cli" ] || die "built CLI not found at $cli"
[ -f "$lib" ] || die "built library not found at $lib"
[ -f "$man" ] || die "man page not found at $man"

case $prefix in
/*) ;;
*) prefix=${BUILD_WORKING_DIRECTORY:-$PWD}/$prefix ;;
esac
mkdir -p "$prefix" || die "cannot create $prefix"
prefix=$(cd "$prefix" && pwd)

# Copy, then rename over the old file: running programs that have the old
# library mapped keep their copy instead of crashing on a rewritten one.
put() {
    mkdir -p "$2"
    tmp=$2/.$3.new.$$
    cp "$1" "$tmp"
    chmod "${4:-0755}" "$tmp"
    mv -f "$tmp" "$2/$3"
    echo "installed $2/$3"
}

put "$cli" "$prefix/bin" pipetrace
put "$lib" "$prefix/lib/pipetrace" libpipetrace.so
put "$man" "$prefix/share/man/man1" pipetrace.1 0644
