#!/bin/sh
# The consensus core must stay a pure state machine: no sockets, disk,
# threads, clocks or entropy, and nothing of the server around it. Fails,
# naming the file and line, when a source under server/consensus/ includes
# any of them.
set -eu
dir=${1:?usage: check_purity.sh SERVER_CONSENSUS_DIR}
pattern='#include *[<"](asio|rocksdb/|thread>|chrono>|random>|mutex>|condition_variable>|future>|ctime>|time\.h>|unistd\.h>|sys/|fstream>|filesystem>|server/)'
hits=$(grep -nE "$pattern" "$dir"/*.h "$dir"/*.cc | grep -v '"server/consensus/' || true)
if [ -n "$hits" ]; then
  echo "server/consensus must not include I/O, threads, clocks, entropy or other server code:"
  echo "$hits"
  exit 1
fi
echo "server/consensus: $(ls "$dir"/*.h "$dir"/*.cc | wc -l) files, no forbidden includes"
