#!/usr/bin/python3
"""PyTorch reference timings of a LeNet-5 training step for nnc's benchmarks; prints JSON.

The network of benchmarks/src/main/java/dev/nnc/bench/LeNetHandStep.java, f32, input
[batch, 1, 28, 28]: Conv2d(1, 6, 5, padding=2) -> ReLU -> MaxPool2d(2) -> Conv2d(6, 16, 5) ->
ReLU -> MaxPool2d(2) -> flatten -> Linear(400, 120) -> ReLU -> Linear(120, 84) -> ReLU ->
Linear(84, 10), softmax cross-entropy (batch mean); He-initialized weights (kaiming_normal_,
ReLU gain), zero biases; plain SGD, lr 0.01. One step is zero_grad(set_to_none=True), forward,
loss, backward, step, as in pytorch_mlp.py.

Arguments: `batch=N` (repeatable; default 1, 32 and 128) and `threads=T` (default 1):
torch.set_num_threads(T). Run it as benchmarks/run.sh does, with OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS set to T (see ../shared/PEERS.md for the OpenBLAS setup):
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 pytorch_lenet.py batch=32 threads=1
Medians of every step's time after warm-up; inputs ~ N(0, 1), labels uniform in [0, 10).
The JSON's "lenet_step_seconds" is keyed "BATCHxTHREADS", e.g. "32x1".
"""
import json
import os
import platform
import statistics
import sys
import time

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


class LeNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.pool = torch.nn.MaxPool2d(2)
        self.fc1 = torch.nn.Linear(400, 120)
        self.fc2 = torch.nn.Linear(120, 84)
        self.fc3 = torch.nn.Linear(84, 10)
        for layer in (self.conv1, self.conv2, self.fc1, self.fc2, self.fc3):
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


def lenet_step(batch):
    torch.manual_seed(42)
    model = LeNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randn(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return median_seconds(step, min_reps=30, min_seconds=3.0, warmup=10)


def parts(args):
    """The batch sizes and the thread count from the arguments."""
    batches = []
    threads = 1
    for arg in args:
        if arg.startswith("batch=") and arg[6:].isdigit() and int(arg[6:]) > 0:
            batches.append(int(arg[6:]))
        elif arg.startswith("threads=") and arg[8:].isdigit() and int(arg[8:]) > 0:
            threads = int(arg[8:])
        else:
            sys.exit(f"pytorch_lenet.py: unknown argument {arg!r} (expected batch=N or threads=T)")
    return tuple(batches) or (1, 32, 128), threads


def main():
    batches, threads = parts(sys.argv[1:])
    torch.set_num_threads(threads)
    result = {
        "torch": torch.__version__,
        "python": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "env": {k: os.environ.get(k) for k in
                ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")},
        "lenet_step_seconds": {},
        "lenet_step_reps": {},
    }
    for batch in batches:
        seconds, reps = lenet_step(batch)
        key = f"{batch}x{threads}"
        result["lenet_step_seconds"][key] = seconds
        result["lenet_step_reps"][key] = reps
        print(f"torch LeNet step batch {batch}, {threads} thread(s): {seconds * 1e3:.3f} ms "
              f"(median of {reps})", file=sys.stderr)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
