#!/usr/bin/env bash
# Spark training benchmark (not a test): examples per second of the MNIST MLP with the
# single-process trainer, local[1] and local[2], and Spark's cost per step. Writes
# spark/target/spark-bench.json and spark/target/BENCHMARKS-spark.md (the BENCHMARKS.md section).
#
#   spark/bench.sh [MNIST_DIR] [steps per epoch] [batch] [timed epochs]
#
# Defaults: ../shared/data/mnist, 200 steps of 64, 3 timed epochs (a few minutes on 2 cores).
# `spark/bench.sh --report` re-renders the section from the JSON.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
mvn -q -B -o -DskipTests package -pl spark -am >/dev/null 2>&1 \
  || mvn -q -B -DskipTests package -pl spark -am
# The JDK flags Spark needs (spark/pom.xml spark.jvm.flags; the ./nnc launcher has the same list).
flags=$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' spark/pom.xml)
cp="cli/target/nnc.jar:spark/target/nnc-spark.jar:spark/target/lib/*"
main=dev.nnc.spark.bench.SparkBenchmark
if [ "${1:-}" = --report ]; then
  exec java $flags -cp "$cp" $main --report spark/target/spark-bench.json spark/target/BENCHMARKS-spark.md
fi
# shellcheck disable=SC2086
java -Xss64m --add-modules jdk.incubator.vector $flags -cp "$cp" $main \
  generated-samples/src/main/nn/mnist.nn "${1:-../shared/data/mnist}" \
  spark/target/spark-bench.json spark/target/BENCHMARKS-spark.md "${2:-200}" "${3:-64}" "${4:-3}"
echo "wrote spark/target/spark-bench.json and spark/target/BENCHMARKS-spark.md" >&2
