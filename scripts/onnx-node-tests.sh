#!/bin/sh
# Runs the ONNX backend node tests of onnx v1.16.2 for every op implicit4j supports, and writes the
# per-test table (verified / refused with the reason) to target/onnx-node-tests.md.
#   scripts/onnx-node-tests.sh [DIR]    DIR: an onnx checkout or an extracted data/node directory
set -eu
cd "$(dirname "$0")/.."
NODE="${1:-}"
if [ -z "$NODE" ]; then
  SRC=target/onnx-v1.16.2
  if [ ! -d "$SRC" ]; then
    git clone --quiet --depth 1 --branch v1.16.2 --filter=blob:none --sparse https://github.com/onnx/onnx "$SRC"
    git -C "$SRC" sparse-checkout set onnx/backend/test/data/node
  fi
  NODE="$SRC"
fi
[ -d "$NODE/onnx/backend/test/data/node" ] && NODE="$NODE/onnx/backend/test/data/node"
mvn -B -q test -Dtest=NodeTestsRun -Dsurefire.failIfNoSpecifiedTests=false -Donnx.node.dir="$(cd "$NODE" && pwd)"
