#!/usr/bin/python3
"""PyTorch and numpy reference timings for nnc's benchmarks; prints one JSON object.

Times one SGD training step of the MLP 784-256-10 (Linear -> ReLU -> Linear, softmax
cross-entropy, f32, SGD lr 0.01, He-initialized weights and zero biases as in the nnc model)
at batch 1, 32, 128 and 1024 on one thread: zero_grad(set_to_none=True), forward, loss,
backward, step. Also times numpy's float32 1024^3 matrix product (OpenBLAS sgemm) on one
thread: the machine's practical limit for a single-threaded f32 kernel.

With arguments it times only the parts named: `batch=N` (the MLP step at batch N, repeatable)
and `sgemm`; run.sh's paired rounds time each part right next to nnc's benchmark of it.

Run it as benchmarks/run.sh does (see PEERS.md: Debian's OpenBLAS misdetects AVX-512 Xeons, so
on a CPU with avx512f run.sh also sets OPENBLAS_CORETYPE=SkylakeX):
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 pytorch_mlp.py
Medians of repeated timings after warm-up; inputs ~ N(0, 1), labels uniform in [0, 10).
"""
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch


def median_seconds(fn, min_reps, min_seconds, warmup):
    for _ in range(warmup):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


def mlp_step(batch):
    torch.manual_seed(42)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return median_seconds(step, min_reps=50 if batch < 1024 else 20, min_seconds=3.0,
                          warmup=20 if batch < 1024 else 5)


def sgemm(n=1024):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    return median_seconds(lambda: np.matmul(a, b, out=c), min_reps=20, min_seconds=3.0,
                          warmup=5)


def loaded_blas():
    """The BLAS shared objects this process loaded (which libblas.so.3 alternative is active)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower()}
        return sorted(os.path.realpath(p) for p in paths if p.startswith("/"))
    except OSError:
        return []


def openblas_core():
    """The CPU kernel set OpenBLAS chose (e.g. Haswell, SkylakeX), or None if it is not loaded."""
    import ctypes
    for path in loaded_blas():
        if "openblas" in os.path.basename(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode()
            except (OSError, AttributeError):
                return None
    return None


def parts(args):
    """The batch sizes and whether to time sgemm, from the arguments (all of them without)."""
    if not args:
        return (1, 32, 128, 1024), True
    batches = []
    for arg in args:
        if arg.startswith("batch=") and arg[6:].isdigit() and int(arg[6:]) > 0:
            batches.append(int(arg[6:]))
        elif arg != "sgemm":
            sys.exit(f"pytorch_mlp.py: unknown argument {arg!r} (expected batch=N or sgemm)")
    return tuple(batches), "sgemm" in args


def main():
    batches, with_sgemm = parts(sys.argv[1:])
    torch.set_num_threads(1)
    result = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k) for k in
                ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")},
        "mlp_step_seconds": {},
        "mlp_step_reps": {},
    }
    for batch in batches:
        seconds, reps = mlp_step(batch)
        result["mlp_step_seconds"][str(batch)] = seconds
        result["mlp_step_reps"][str(batch)] = reps
        print(f"torch MLP step batch {batch}: {seconds * 1e6:.1f} us (median of {reps})",
              file=sys.stderr)
    if with_sgemm:
        seconds, reps = sgemm()
        result["sgemm_1024_seconds"] = seconds
        result["sgemm_1024_gflops"] = 2 * 1024 ** 3 / seconds / 1e9
        print(f"numpy sgemm 1024^3: {seconds * 1e3:.2f} ms = "
              f"{result['sgemm_1024_gflops']:.1f} GFLOP/s", file=sys.stderr)
    result["blas_libraries"] = loaded_blas()
    result["openblas_core"] = openblas_core()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
