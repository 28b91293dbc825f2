#!/bin/sh
# The CLI comparison of issue 15: `predict` of N ResNet-20 inputs from CSV, JVM start included,
# through bin/implicit4j against ONNX Runtime run the same way from Node (onnxruntime-node 1.24.1,
# installed into target/ortnode). Runs alternate; prints each run's wall time, the medians, their
# ratio and the largest difference between the two outputs.
# Usage: scripts/cli-vs-ort.sh [RUNS=8] [ROWS=512]   (after mvn -B package -DskipTests)
set -eu
cd "$(dirname "$0")/.."
runs=${1:-8}
rows=${2:-512}
model=src/test/resources/fixtures/resnet20-cifar.onnx
dir=target/ortnode
mkdir -p "$dir"
if [ ! -d "$dir/node_modules/onnxruntime-node" ]; then
  # --ignore-scripts: its install script fetches CUDA parts from nuget.org; the CPU build is in the package
  (cd "$dir" && npm init -y >/dev/null && npm install --ignore-scripts --no-audit --no-fund onnxruntime-node@1.24.1 >/dev/null)
fi
cp scripts/ort-predict.js "$dir/"
node -e "
let s = 1, out = [];
const r = () => (s = (s * 16807) % 2147483647) / 2147483647;
for (let i = 0; i < $rows; i++) out.push(Array.from({length: 3072}, () => r().toFixed(6)).join(','));
require('fs').writeFileSync('$dir/in.csv', out.join('\n') + '\n');"
bin/implicit4j predict -q --float32 --inputs "$dir/in.csv" -o "$dir/i4j.csv" "$model" 2>/dev/null # archive
: > "$dir/times.txt"
for i in $(seq "$runs"); do
  a=$(date +%s.%N)
  bin/implicit4j predict -q --float32 --inputs "$dir/in.csv" -o "$dir/i4j.csv" "$model" 2>/dev/null
  b=$(date +%s.%N)
  (cd "$dir" && node ort-predict.js "../../$model" in.csv ort.csv 3,32,32 "$rows")
  c=$(date +%s.%N)
  echo "$a $b $c" | awk '{printf "implicit4j %.3f s   onnxruntime-node %.3f s\n", $2 - $1, $3 - $2}' | tee -a "$dir/times.txt"
done
awk '{print $2}' "$dir/times.txt" | sort -n > "$dir/i4j.sorted"
awk '{print $5}' "$dir/times.txt" | sort -n > "$dir/ort.sorted"
mi=$(awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}' "$dir/i4j.sorted")
mo=$(awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}' "$dir/ort.sorted")
echo "medians: implicit4j $mi s, onnxruntime-node $mo s, ratio $(echo "$mi $mo" | awk '{printf "%.2f", $1 / $2}')"
paste -d, "$dir/i4j.csv" "$dir/ort.csv" | awk -F, '{n = NF / 2; for (j = 1; j <= n; j++) {d = $j - $(j + n); if (d < 0) d = -d; if (d > m) m = d}} END {print "outputs: max abs difference " m}'
