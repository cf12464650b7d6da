#!/usr/bin/env bash
# Runs nnc's whole benchmark suite and writes BENCHMARKS.md at the repository root:
#
#   benchmarks/run.sh [extra JMH arguments, e.g. a benchmark regex]
#
# 1. installs PyTorch, numpy and the OpenMP OpenBLAS with apt-get if /usr/bin/python3 cannot
#    import them (needs root; see ../shared/PEERS.md for why these packages);
# 2. builds benchmarks/target/benchmarks.jar (offline if possible; never `mvn install`);
# 3. times the same MLP step in PyTorch and numpy's sgemm, one thread each
#    (benchmarks/target/pytorch-0.json);
# 4. runs every JMH benchmark except the MLP steps of the rounds (benchmarks/target/jmh.json);
# 5. runs PyTorch and numpy, then three paired rounds, each the judged nnc benchmarks (the Vector
#    API MLP step on 1 and 2 threads and the 1024³ vector kernel,
#    benchmarks/target/jmh-round-N.json) followed by
#    PyTorch and numpy again (benchmarks/target/pytorch-N+1.json): each round is compared with
#    the peer runs just before and after it, minutes apart, so this shared machine's slow spells
#    hit both sides alike;
# 6. writes BENCHMARKS.md with benchmarks/report.py (judged ratios: median of the rounds).
#
# About 20 minutes on a 2-core machine. Timings are never asserted anywhere: this is not a test.
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
peers() { OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" pytorch_mlp.py > "$1"; }
peers target/pytorch-0.json

step "4/6 JMH (single fork per benchmark), all but the benchmarks of the paired rounds"
cat /proc/loadavg > target/loadavg-before.txt
java -jar target/benchmarks.jar -e 'MlpVectorBench|MlpThreadsBench' -rf json -rff target/jmh.json "$@"

step "5/6 paired rounds: nnc's judged benchmarks, then PyTorch and numpy"
rounds=3
peers target/pytorch-1.json
round_files=""
round_peers=target/pytorch-1.json
for r in $(seq 1 $rounds); do
  java -jar target/benchmarks.jar 'MlpVectorBench|MlpThreadsBench' \
    -rf json -rff "target/jmh-round-$r-steps.json"
  java -jar target/benchmarks.jar '\.GemmBench' \
    -p kernel=vector -p threads=1 -p mkn=1024x1024x1024 \
    -rf json -rff "target/jmh-round-$r-gemm.json"
  "$python" -c 'import json, sys; json.dump([r for f in sys.argv[2:] for r in json.load(open(f))], open(sys.argv[1], "w"))' \
    "target/jmh-round-$r.json" "target/jmh-round-$r-steps.json" "target/jmh-round-$r-gemm.json"
  peers "target/pytorch-$((r + 1)).json"
  round_files="$round_files${round_files:+,}target/jmh-round-$r.json"
  round_peers="$round_peers,target/pytorch-$((r + 1)).json"
done

step "6/6 report"
"$python" report.py target/jmh.json "target/pytorch-0.json,$round_peers" "$root/BENCHMARKS.md" \
  target/loadavg-before.txt "$round_files" "$round_peers"
echo "wrote $root/BENCHMARKS.md" >&2
