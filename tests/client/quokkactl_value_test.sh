#!/usr/bin/env bash
# quokkactl put/cas: how the VALUE is given, checked before any connection
# (so no cluster is needed): the value or --file, not both, not neither; a
# file that cannot be read is a definite failure naming it.
set -uo pipefail
ctl=$1
fail() { echo "FAIL: $*"; exit 1; }

expect() {
  local want_status=$1 want_text=$2
  shift 2
  local out status
  out=$("$ctl" --endpoints 127.0.0.1:1 "$@" 2>&1)
  status=$?
  [[ $status -eq $want_status ]] || fail "quokkactl $*: exit $status, expected $want_status ($out)"
  [[ "$out" == *"$want_text"* ]] || fail "quokkactl $*: '$out' lacks '$want_text'"
}

expect 64 "give the value or --file, not both" put k v --file /dev/null
expect 64 "put needs a VALUE" put k
expect 64 "cas needs a VALUE" cas k --expect-revision 1
expect 1 "cannot open /nonexistent/value" put k --file /nonexistent/value
expect 1 "cannot open /nonexistent/value" cas k --expect-revision 1 --file /nonexistent/value
echo ok
