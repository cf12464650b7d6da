#!/usr/bin/env bash
# Runs nnc's whole benchmark suite and writes BENCHMARKS.md at the repository root:
#
#   benchmarks/run.sh [extra JMH arguments, e.g. a benchmark regex]
#
# NNC_BENCH_ROUNDS=N sets the number of paired rounds of step 5 (default 5).
#
# 1. installs PyTorch, numpy and the OpenMP OpenBLAS with apt-get if /usr/bin/python3 cannot
#    import them (needs root; see ../shared/PEERS.md for why these packages);
# 2. builds benchmarks/target/benchmarks.jar (offline if possible; never `mvn install`);
# 3. times the same MLP step in PyTorch and numpy's sgemm, one thread each
#    (benchmarks/target/pytorch-0.json);
# 4. runs every JMH benchmark except the MLP and LeNet steps of the rounds
#    (benchmarks/target/jmh.json; the convolution layers' passes are here);
# 5. runs PyTorch and numpy once more, then five paired rounds of the judged benchmarks: each
#    MLP step batch size (Vector API kernel, 1 thread) is timed in nnc and then in PyTorch (the
#    other way round in even rounds), seconds apart, and the 1024³ vector kernel next to numpy's
#    sgemm; the 1- and 2-thread steps run in every round too; then the LeNet-5 step likewise at
#    batch 1, 32 and 128 (nnc's side is the model generated from lenet.nn; the hand-written
#    reference LeNetHandStep runs in step 4) against pytorch_lenet.py, and its 1- and 2-thread
#    steps back to back, next to PyTorch
#    on 2 threads (benchmarks/target/jmh-round-N.json, benchmarks/target/pytorch-round-N.json,
#    benchmarks/target/pytorch-lenet-round-N.json). This shared
#    machine has slow spells of seconds to minutes, so each pair shares one as far as possible;
# 6. writes BENCHMARKS.md with benchmarks/report.py (judged ratios: median of the rounds), and
#    appends the section "Training on Apache Spark" that spark/bench.sh wrote
#    (spark/target/BENCHMARKS-spark.md) if it has been run: run spark/bench.sh first.
#
# About 40 minutes on a 2-core machine. Timings are never asserted anywhere: this is not a test.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python=/usr/bin/python3

step() { printf '\n=== %s\n' "$*" >&2; }

step "1/6 PyTorch, numpy, OpenBLAS (OpenMP build)"
if ! "$python" -c 'import torch, numpy' 2>/dev/null \
    || ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: PyTorch/numpy/libopenblas0-openmp missing and not root; install them with" >&2
    echo "  apt-get update && apt-get install -y python3-torch libopenblas0-openmp python3-numpy" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch libopenblas0-openmp python3-numpy
fi
"$python" -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'

step "2/6 build benchmarks/target/benchmarks.jar"
cd "$root"
mvn -q -o -DskipTests package -pl benchmarks -am \
  || mvn -q -DskipTests package -pl benchmarks -am

step "3/6 PyTorch MLP step and numpy sgemm, 1 thread"
cd "$here"
mkdir -p target
rm -f target/jmh-round-*.json target/pytorch-*.json
# Debian's OpenBLAS 0.3.21 misdetects AVX-512 Xeons as Prescott (PEERS.md); on a CPU with
# AVX-512 the core type makes it use its AVX-512 kernels. Elsewhere it is left to detect the CPU
# (forcing SkylakeX there stops the process with an illegal instruction; an AVX2 EPYC is
# detected as Zen, and the report names the kernels OpenBLAS chose). One OpenMP/OpenBLAS thread, as
# torch.set_num_threads(1) in the script.
if grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
# peers FILE [PARTS...]: pytorch_mlp.py (all parts unless named) on one thread, JSON into FILE.
peers() {
  local file=$1; shift
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" pytorch_mlp.py "$@" > "$file"
}
peers target/pytorch-0.json

step "4/6 JMH (single fork per benchmark), all but the benchmarks of the paired rounds"
cat /proc/loadavg > target/loadavg-before.txt
java -jar target/benchmarks.jar -e 'MlpVectorBench|MlpThreadsBench|LeNetBench.generatedStep|LeNetThreadsBench' \
  -rf json -rff target/jmh.json "$@"

step "5/6 paired rounds: each judged nnc benchmark next to its PyTorch or numpy counterpart"
rounds=${NNC_BENCH_ROUNDS:-5}
peers target/pytorch-1.json
jmh() { java -jar target/benchmarks.jar "$@"; }
merge_jmh() {
  "$python" -c 'import json, sys; json.dump([r for f in sys.argv[2:] for r in json.load(open(f))], open(sys.argv[1], "w"))' "$@"
}
merge_peers() {
  "$python" -c '
import json, sys
out = None
for path in sys.argv[2:]:
    part = json.load(open(path))
    if out is None:
        out = part
        continue
    for key in ("mlp_step_seconds", "mlp_step_reps"):
        out[key].update(part[key])
    out.update({k: v for k, v in part.items() if k.startswith("sgemm")})
json.dump(out, open(sys.argv[1], "w"), indent=2)' "$@"
}
# lenet_peers FILE THREADS [ARGS...]: pytorch_lenet.py on THREADS threads (OpenMP and OpenBLAS
# alike), JSON into FILE.
lenet_peers() {
  local file=$1 threads=$2; shift 2
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads "$python" pytorch_lenet.py \
    "threads=$threads" "$@" > "$file"
}
lenet1() { local file=$1; shift; lenet_peers "$file" 1 "$@"; }
merge_lenet_peers() {
  "$python" -c '
import json, sys
out = None
for path in sys.argv[2:]:
    part = json.load(open(path))
    if out is None:
        out = part
        continue
    for key in ("lenet_step_seconds", "lenet_step_reps"):
        out[key].update(part[key])
json.dump(out, open(sys.argv[1], "w"), indent=2)' "$@"
}
# pair NAME PEER_FN NNC_ARGS... -- PEER_ARGS...: nnc's JMH run and the peer's (PEER_FN FILE
# PEER_ARGS...), in the round's order.
pair() {
  local name=$1 peer_fn=$2; shift 2
  local nnc=()
  while [ "$1" != "--" ]; do nnc+=("$1"); shift; done
  shift
  local peer=("$@")
  if [ $((r % 2)) -eq 1 ]; then
    jmh "${nnc[@]}" -rf json -rff "target/round-$r/nnc-$name.json"
    "$peer_fn" "target/round-$r/peer-$name.json" "${peer[@]}"
  else
    "$peer_fn" "target/round-$r/peer-$name.json" "${peer[@]}"
    jmh "${nnc[@]}" -rf json -rff "target/round-$r/nnc-$name.json"
  fi
}
rm -rf target/round-*
round_files=""
round_peers=""
lenet_peer_files=""
for r in $(seq 1 $rounds); do
  mkdir -p "target/round-$r"
  for b in 1 32 128 1024; do
    pair "b$b" peers MlpVectorBench -p "batch=$b" -- "batch=$b"
  done
  pair gemm peers '\.GemmBench' -p kernel=vector -p threads=1 -p mkn=1024x1024x1024 -- sgemm
  jmh MlpThreadsBench -rf json -rff "target/round-$r/nnc-threads.json"
  for b in 1 32 128; do
    pair "lenet-b$b" lenet1 'LeNetBench.generatedStep' -p "batch=$b" -- "batch=$b"
  done
  jmh LeNetThreadsBench -rf json -rff "target/round-$r/nnc-lenet-threads.json"
  lenet_peers "target/round-$r/lenetpeer-2t.json" 2 batch=32 batch=128
  merge_jmh "target/jmh-round-$r.json" target/round-$r/nnc-*.json
  merge_peers "target/pytorch-round-$r.json" target/round-$r/peer-b*.json "target/round-$r/peer-gemm.json"
  merge_lenet_peers "target/pytorch-lenet-round-$r.json" target/round-$r/peer-lenet-b*.json \
    "target/round-$r/lenetpeer-2t.json"
  round_files="$round_files${round_files:+,}target/jmh-round-$r.json"
  round_peers="$round_peers${round_peers:+,}target/pytorch-round-$r.json"
  lenet_peer_files="$lenet_peer_files${lenet_peer_files:+,}target/pytorch-lenet-round-$r.json"
done

step "6/6 report"
"$python" report.py target/jmh.json "target/pytorch-0.json,target/pytorch-1.json,$round_peers" "$root/BENCHMARKS.md" \
  target/loadavg-before.txt "$round_files" "$round_peers" "$lenet_peer_files"
spark_section="$root/spark/target/BENCHMARKS-spark.md"
if [ -f "$spark_section" ]; then
  printf '\n' >> "$root/BENCHMARKS.md"
  cat "$spark_section" >> "$root/BENCHMARKS.md"
  echo "appended $spark_section" >&2
fi
echo "wrote $root/BENCHMARKS.md" >&2
