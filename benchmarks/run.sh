#!/usr/bin/env bash
# Runs nnc's whole benchmark suite and writes BENCHMARKS.md at the repository root:
#
#   benchmarks/run.sh [extra JMH arguments, e.g. a benchmark regex]
#
# 1. installs PyTorch, numpy and the OpenMP OpenBLAS with apt-get if /usr/bin/python3 cannot
#    import them (needs root; see ../shared/PEERS.md for why these packages);
# 2. builds benchmarks/target/benchmarks.jar (offline if possible; never `mvn install`);
# 3. times the same MLP step in PyTorch and numpy's sgemm, one thread each
#    (benchmarks/target/pytorch-before.json);
# 4. runs every JMH benchmark (results in benchmarks/target/jmh.json), then PyTorch and numpy
#    again (benchmarks/target/pytorch.json): the report takes the peer's faster run, so a noisy
#    spell on this shared machine cannot flatter nnc;
# 5. writes BENCHMARKS.md with benchmarks/report.py.
#
# About 15 minutes on a 2-core machine. Timings are never asserted anywhere: this is not a test.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python=/usr/bin/python3

step() { printf '\n=== %s\n' "$*" >&2; }

step "1/5 PyTorch, numpy, OpenBLAS (OpenMP build)"
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

step "2/5 build benchmarks/target/benchmarks.jar"
cd "$root"
mvn -q -o -DskipTests package -pl benchmarks -am \
  || mvn -q -DskipTests package -pl benchmarks -am

step "3/5 PyTorch MLP step and numpy sgemm, 1 thread (before JMH)"
cd "$here"
mkdir -p target
# Debian's OpenBLAS 0.3.21 misdetects AVX-512 Xeons as Prescott (PEERS.md); on a CPU with
# AVX-512 the core type makes it use its AVX-512 kernels. Elsewhere it is left to detect the CPU
# (forcing SkylakeX there stops the process with an illegal instruction; an AVX2 EPYC is
# detected as Zen, and the report names the kernels OpenBLAS chose). One OpenMP/OpenBLAS thread, as
# torch.set_num_threads(1) in the script.
if grep -qw avx512f /proc/cpuinfo; then
  export OPENBLAS_CORETYPE=SkylakeX
fi
peers() { OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 "$python" pytorch_mlp.py > "$1"; }
peers target/pytorch-before.json

step "4/5 JMH (single fork per benchmark), then PyTorch and numpy again"
cat /proc/loadavg > target/loadavg-before.txt
java -jar target/benchmarks.jar -rf json -rff target/jmh.json "$@"
peers target/pytorch.json

step "5/5 report"
"$python" report.py target/jmh.json target/pytorch-before.json,target/pytorch.json \
  "$root/BENCHMARKS.md" \
  target/loadavg-before.txt
echo "wrote $root/BENCHMARKS.md" >&2
