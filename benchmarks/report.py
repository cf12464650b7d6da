#!/usr/bin/python3
"""Writes BENCHMARKS.md from one run of benchmarks/run.sh (standard library only).

  report.py JMH_JSON PEER_JSONS OUTPUT_MD [LOADAVG_BEFORE_FILE [ROUND_JMH_JSONS ROUND_PEER_JSONS
            [ROUND_LENET_PEER_JSONS]]]

The file lists are comma-separated. PEER_JSONS are all runs of pytorch_mlp.py (whole runs and
the rounds' merged parts); ROUND_PEER_JSONS has one file per round, the peer's parts timed next to
nnc's benchmarks of round i (JMH file i); ROUND_LENET_PEER_JSONS likewise for pytorch_lenet.py.

Every time is a median: of the timed calls (JMH sample mode, PyTorch, numpy) or, for JMH's
average-time benchmarks, of the measurement iterations; ratios only combine numbers measured in
the same run.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

UNIT_SECONDS = {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}


CONFIDENCE = {}  # same keys as load_jmh: JMH's 99.9% interval of the mean, in seconds
SPREAD = {}  # same keys: (relative spread of the measurements, sampled?), for the "noisy" flag
NOISY = 0.20


def load_jmh(path, confidence=CONFIDENCE, spread=SPREAD):
    """(benchmark short name, params tuple) -> median seconds per op.

    Sample-time benchmarks (JMH timed every call): the median call, the statistic the peer
    script reports too; noisy when one call in ten took over 20% longer than the median.
    Average-time benchmarks (calls too short to time one by one): the median of the measurement
    iterations; noisy when JMH's 99.9% confidence interval is wider than ±20% of the mean."""
    with open(path) as f:
        runs = json.load(f)
    out = {}
    for run in runs:
        name = run["benchmark"].rsplit(".", 2)
        name = name[-2] + "." + name[-1]
        metric = run["primaryMetric"]
        scale = UNIT_SECONDS[metric["scoreUnit"]]
        params = tuple(sorted((run.get("params") or {}).items()))
        lo, hi = (float(x) for x in metric.get("scoreConfidence", ["nan", "nan"]))
        confidence[(name, params)] = (lo * scale, hi * scale)
        if run.get("mode") == "sample":
            percentiles = metric["scorePercentiles"]
            median = percentiles["50.0"]
            out[(name, params)] = median * scale
            spread[(name, params)] = (percentiles["90.0"] / median - 1 if median > 0 else 0, True)
        else:
            iterations = [x for fork in metric["rawData"] for x in fork]
            out[(name, params)] = statistics.median(iterations) * scale
            spread[(name, params)] = ((hi - lo) / (hi + lo) if hi + lo > 0 else 0, False)
    return out


def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds < 1e-6:
        return f"{seconds * 1e9:.1f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def machine_info():
    def run(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
            return (p.stdout + p.stderr).strip()
        except OSError as e:
            return f"({e})"
    cpu = "unknown"
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and cpu == "unknown":
                    cpu = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line.split(":", 1)[1]
    except OSError:
        pass
    simd = [x for x in ("avx2", "fma", "avx512f") if x in flags.split()]
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": run(["nproc"]),
        "cpu": cpu + (f" ({', '.join(simd)})" if simd else ""),
        "memory": mem,
        "java": run(["java", "-version"]),
        "os": platform.platform(),
        "load": os.getloadavg(),
    }


def load_peers(paths):
    """PyTorch/numpy timings from one or more runs of pytorch_mlp.py, combined in the peer's
    favour: the fastest MLP step and the highest sgemm rate of the runs."""
    runs = load_peer_runs(paths)
    pt = dict(runs[-1])
    pt["runs"] = len(runs)
    pt["mlp_step_seconds"] = {
        batch: min(r["mlp_step_seconds"][batch] for r in runs if batch in r["mlp_step_seconds"])
        for batch in runs[-1]["mlp_step_seconds"]}
    best = min(runs, key=lambda r: r["sgemm_1024_seconds"])
    pt["sgemm_1024_seconds"] = best["sgemm_1024_seconds"]
    pt["sgemm_1024_gflops"] = best["sgemm_1024_gflops"]
    pt["all_mlp_step_seconds"] = [r["mlp_step_seconds"] for r in runs]
    pt["all_sgemm_gflops"] = [r["sgemm_1024_gflops"] for r in runs]
    return pt


class Rounds:
    """The paired rounds: each judged nnc benchmark timed next to its peer counterpart.

    A ratio is computed per round between nnc's figure and the peer's, timed seconds apart (so a
    slow spell of this shared machine hits both sides alike as far as possible), and the judged
    ratio is the median over the rounds."""

    def __init__(self, jmh_paths, peer_runs):
        self.jmh = [load_jmh(p, {}, {}) for p in jmh_paths]
        self.peers = peer_runs  # one per round

    def __len__(self):
        return len(self.jmh)

    def step(self, batch, key):
        """Per round: (nnc seconds, peer seconds) for the MLP step at this batch size."""
        out = []
        for run, peer in zip(self.jmh, self.peers):
            gen = run.get(key)
            torch_s = peer["mlp_step_seconds"].get(str(batch))
            if gen is None or torch_s is None:
                return []
            out.append((gen, torch_s))
        return out

    def kernel(self, key):
        """Per round: (nnc seconds, numpy seconds) for the 1024³ product."""
        out = []
        for run, peer in zip(self.jmh, self.peers):
            gen = run.get(key)
            if gen is None or "sgemm_1024_seconds" not in peer:
                return []
            out.append((gen, peer["sgemm_1024_seconds"]))
        return out


# Multiply-adds per example of LeNet-5's convolutions (ConvBench): out channels × positions × taps.
CONV_MACS = {"conv1": 6 * 28 * 28 * 25, "conv2": 16 * 10 * 10 * 150}


def lenet_section(rounds, lenet_peers, jmh, key, pt, verdict):
    """The LeNet-5 step against PyTorch from the paired rounds, its threads, and the convolution
    layers' rates; markdown (empty without LeNet rounds)."""
    rows = []
    for batch in (1, 32, 128):
        k = key("LeNetBench.generatedStep", batch=batch)
        pairs = []
        for run, peer in zip(rounds.jmh, lenet_peers):
            torch_s = peer.get("lenet_step_seconds", {}).get(f"{batch}x1")
            if k in run and torch_s:
                pairs.append((run[k], torch_s))
        if not pairs or len(pairs) != len(rounds):
            continue
        nnc = statistics.median(g for g, _ in pairs)
        torch_s = statistics.median(p for _, p in pairs)
        ratio = statistics.median(g / p for g, p in pairs)
        rows.append((f"batch {batch}, 1 thread", fmt_time(torch_s), fmt_time(nnc),
                     f"{ratio:.2f}", ", ".join(f"{g / p:.2f}" for g, p in pairs), "≤ 0.5",
                     verdict(ratio <= 0.5)))
    for batch in (32, 128):
        k1 = key("LeNetThreadsBench.generatedStep", batch=batch, threads=1)
        k2 = key("LeNetThreadsBench.generatedStep", batch=batch, threads=2)
        pairs = [(run[k2], run[k1]) for run in rounds.jmh if k1 in run and k2 in run]
        torch2 = [peer.get("lenet_step_seconds", {}).get(f"{batch}x2") for peer in lenet_peers]
        torch2 = [t for t in torch2 if t]
        if not pairs or len(pairs) != len(rounds):
            continue
        one = statistics.median(o for _, o in pairs)
        two = statistics.median(t for t, _ in pairs)
        ratio = statistics.median(t / o for t, o in pairs)
        peer_text = (f"2T {fmt_time(statistics.median(torch2))}; nnc 2T / PyTorch 2T = "
                     f"{two / statistics.median(torch2):.2f}" if torch2 else "—")
        rows.append((f"batch {batch}: 2 threads vs 1", peer_text,
                     f"1T {fmt_time(one)}, 2T {fmt_time(two)}", f"2T / 1T = {ratio:.2f}",
                     ", ".join(f"{t / o:.2f}" for t, o in pairs), "< 1 in every round",
                     verdict(all(t < o for t, o in pairs))))
    conv_rows = []
    kernel_s = jmh.get(key("GemmBench.nn", kernel="vector", mkn="1024x1024x1024", threads=1))
    kernel_gflops = 2 * 1024 ** 3 / kernel_s / 1e9 if kernel_s else None
    np_gflops = pt.get("sgemm_1024_gflops")
    for layer in ("conv1", "conv2"):
        for pass_, label in (("forward", "forward (y, with bias)"), ("input", "input gradient dx"),
                             ("weights", "weight gradients dw, db")):
            for batch in (32, 128):
                t = jmh.get(key("ConvBench.run", batch=batch, layer=layer, **{"pass": pass_}))
                if t is None:
                    continue
                gflops = 2 * CONV_MACS[layer] * batch / t / 1e9
                conv_rows.append((layer, label + (" (not needed in LeNet)"
                                                  if layer == "conv1" and pass_ == "input" else ""),
                                  str(batch), fmt_time(t), f"{gflops:.1f}",
                                  f"{100 * gflops / kernel_gflops:.0f}%" if kernel_gflops else "—",
                                  f"{100 * gflops / np_gflops:.0f}%" if np_gflops else "—"))
    if not rows and not conv_rows:
        return ""
    md = "\n## LeNet-5 training step (issue 17)\n\n"
    if rows:
        hand = jmh.get(key("LeNetBench.handWrittenStep", batch=128))
        md += ("nnc's side is the model nnc generates from "
               "`generated-samples/src/main/nn/lenet.nn` (its convolutions and poolings call the "
               "runtime kernels `Conv2d` and `Pool2d`, its dense layers `Gemm`), trained with plain "
               "SGD, lr 0.01"
               + (f"; the hand-written reference step `LeNetHandStep` took {fmt_time(hand)} at "
                  "batch 128 in the main JMH run" if hand else "")
               + ". PyTorch "
               f"{(lenet_peers[0].get('torch') if lenet_peers else '?')} runs "
               "`benchmarks/pytorch_lenet.py` (`torch.nn.Conv2d`/`MaxPool2d`/`Linear`, the same "
               "shapes, He-initialized weights, SGD lr 0.01; mkldnn available: "
               f"{lenet_peers[0].get('mkldnn') if lenet_peers else '?'}). conv 5×5 (1→6, padding 2) "
               "→ ReLU → max-pool 2 → conv 5×5 (6→16) → ReLU → max-pool 2 → 400 → 120 → ReLU → 84 → "
               "ReLU → 10, softmax cross-entropy, f32, one SGD step, N(0, 1) inputs. Paired rounds "
               "as for the MLP: the step at one batch size in nnc, then in PyTorch (the other way "
               "round in even rounds); the 1- and 2-thread steps back to back, then PyTorch on 2 "
               "threads; ratios are medians of the rounds' ratios.\n\n"
               "| workload | PyTorch (median of rounds) | nnc, generated model | ratio | rounds "
               "| target | |\n|---|---|---|---|---|---|---|\n"
               + "".join("| " + " | ".join(r) + " |\n" for r in rows))
    if conv_rows:
        md += ("\nThe convolutions alone (`ConvBench`, 1 thread, Vector API kernels, dense "
               "N(0, 1) operands, each pass with its transpositions in and out of the batch-lane "
               "layout, see `docs/convolution.md`): GFLOP/s = 2 · multiply-adds / time, against the "
               "rate of the Vector API kernel's 1024³ product in the main JMH run "
               f"({f'{kernel_gflops:.1f}' if kernel_gflops else '?'} GFLOP/s) and numpy's sgemm "
               f"({f'{np_gflops:.1f}' if np_gflops else '?'} GFLOP/s).\n\n"
               "| layer | pass | batch | time | GFLOP/s | / Vector API 1024³ | / numpy sgemm |\n"
               "|---|---|---|---|---|---|---|\n"
               + "".join("| " + " | ".join(r) + " |\n" for r in conv_rows))
    return md


def load_peer_runs(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            runs.append(json.load(f))
    return runs


def main():
    jmh_path, torch_paths, out_path = sys.argv[1:4]
    jmh = load_jmh(jmh_path)
    pt = load_peers(torch_paths.split(","))
    if len(sys.argv) > 6 and sys.argv[5]:
        rounds = Rounds(sys.argv[5].split(","), load_peer_runs(sys.argv[6].split(",")))
    else:
        rounds = Rounds([], [])
    lenet_peers = load_peer_runs(sys.argv[7].split(",")) if len(sys.argv) > 7 and sys.argv[7] else []

    def key(name, **params):
        return (name, tuple(sorted((k, str(v)) for k, v in params.items())))

    def j(name, **params):
        return jmh.get(key(name, **params))

    def jt(name, **params):
        """The median, formatted, flagged when its measurements spread (see load_jmh)."""
        k = key(name, **params)
        t = jmh.get(k)
        if t is None:
            return "—"
        spread, sample = SPREAD[k]
        if spread <= NOISY:
            return fmt_time(t)
        return fmt_time(t) + (f" (noisy: p90 +{100 * spread:.0f}%)" if sample
                              else f" (noisy: ±{100 * spread:.0f}%)")

    rows = []  # workload, generated, interpreter, plain Java, peer, ratio text, target, met

    def verdict(ok):
        if ok is None:
            return "—"
        return "**met**" if ok else "**not met**"

    # Scalar functions: generated against the interpreter (and hand-written Java).
    for label, fn in (("`(x+y)*z` value + gradient", "f"), ("sigmoid neuron value + gradient", "neuron")):
        gen = j(f"ScalarBench.{fn}Generated")
        interp = j(f"ScalarBench.{fn}Interpreter")
        hand = j(f"ScalarBench.{fn}HandWritten")
        speedup = interp / gen if gen and interp else None
        rows.append((label, jt(f"ScalarBench.{fn}Generated"), jt(f"ScalarBench.{fn}Interpreter"),
                     jt(f"ScalarBench.{fn}HandWritten"), "—",
                     f"interpreter / generated = {speedup:.0f}×" if speedup else "—",
                     "≥ 10×", verdict(speedup >= 10 if speedup else None)))

    # MLP training step at each batch size against PyTorch (1 thread each). The targets are
    # judged on the Vector API kernel, which `nnc train` uses by default; the portable kernel
    # (a JVM without the incubator module) is shown for information.
    def rounds_text(pairs, fmt):
        return "rounds: " + ", ".join(fmt(g, p) for g, p in pairs)

    vector_steps = {}
    for batch in (1, 32, 128, 1024):
        k = key("MlpVectorBench.generatedStep", batch=batch)
        pairs = rounds.step(batch, k)
        plain = j("MlpBench.plainJavaStep", batch=batch)
        target = 0.5 if batch <= 32 else 1.0
        if pairs:
            gen = statistics.median(g for g, _ in pairs)
            torch_s = statistics.median(p for _, p in pairs)
            ratio = statistics.median(g / p for g, p in pairs)
            gen_text = fmt_time(gen) + " (median of rounds)"
            peer_text = f"PyTorch {fmt_time(torch_s)} (median of rounds)"
            ratio_text = (f"generated / PyTorch = {ratio:.2f}, median of "
                          + rounds_text(pairs, lambda g, p: f"{g / p:.2f}"))
        else:
            gen = j("MlpVectorBench.generatedStep", batch=batch)
            torch_s = pt["mlp_step_seconds"].get(str(batch))
            ratio = gen / torch_s if gen and torch_s else None
            gen_text = jt("MlpVectorBench.generatedStep", batch=batch)
            peer_text = f"PyTorch {fmt_time(torch_s)}"
            ratio_text = f"generated / PyTorch = {ratio:.2f}" if ratio else "—"
        vector_steps[batch] = gen
        extra = f"; plain Java / generated = {plain / gen:.1f}×" if plain and gen else ""
        rows.append((f"MLP 784-256-10 SGD step, batch {batch}, 1 thread (Vector API kernel, "
                     "the `nnc` default)",
                     gen_text,
                     jt("MlpInterpreterBench.interpreterStep", batch=batch),
                     jt("MlpBench.plainJavaStep", batch=batch), peer_text,
                     ratio_text + extra,
                     f"≤ {target}", verdict(ratio <= target if ratio else None)))

    for batch in (1, 32, 128, 1024):
        gen = j("MlpBench.generatedStep", batch=batch)
        torch_s = pt["mlp_step_seconds"].get(str(batch))
        ratio = gen / torch_s if gen and torch_s else None
        rows.append((f"MLP 784-256-10 SGD step, batch {batch}, 1 thread, portable kernel",
                     jt("MlpBench.generatedStep", batch=batch), "—", "—",
                     f"PyTorch {fmt_time(torch_s)}",
                     f"generated / PyTorch = {ratio:.2f}" if ratio else "—",
                     "(info)", "—"))

    # The GEMM kernel against numpy's sgemm.
    np_s = pt["sgemm_1024_seconds"]
    np_gflops = pt["sgemm_1024_gflops"]
    for kernel in ("portable", "vector"):
        for mkn, flops in (("1024x1024x1024", 2 * 1024 ** 3), ("128x784x256", 2 * 128 * 784 * 256)):
            for threads in (1, 2):
                m, k, n = mkn.split("x")
                label = (f"`Gemm.nn` {kernel} kernel, m={m} k={k} n={n}, "
                         f"{threads} thread{'s' if threads > 1 else ''}")
                main_row = mkn == "1024x1024x1024" and threads == 1
                judged = main_row and kernel == "vector"
                pairs = rounds.kernel(key("GemmBench.nn", kernel=kernel, mkn=mkn, threads=threads)) \
                    if judged else []
                if pairs:
                    t = statistics.median(g for g, _ in pairs)
                    peer_s = statistics.median(p for _, p in pairs)
                    share = statistics.median(p / g for g, p in pairs)
                    gflops = flops / t / 1e9
                    rows.append((label, f"{fmt_time(t)} ({gflops:.1f} GFLOP/s, median of rounds)",
                                 "—", "—",
                                 f"numpy sgemm 1024³ 1T {fmt_time(peer_s)} "
                                 f"({flops / peer_s / 1e9:.1f} GFLOP/s, median of rounds)",
                                 f"kernel / numpy rate = {100 * share:.0f}%, median of "
                                 + rounds_text(pairs, lambda g, p: f"{100 * p / g:.0f}%"),
                                 "≥ 60%", verdict(share >= 0.6)))
                    continue
                t = j("GemmBench.nn", kernel=kernel, mkn=mkn, threads=threads)
                if t is None:
                    continue
                gflops = flops / t / 1e9
                rows.append((label, f"{jt('GemmBench.nn', kernel=kernel, mkn=mkn, threads=threads)}"
                             f" ({gflops:.1f} GFLOP/s)", "—", "—",
                             f"numpy sgemm 1024³ 1T {fmt_time(np_s)} ({np_gflops:.1f} GFLOP/s)"
                             if main_row else "—",
                             f"kernel / numpy rate = {100 * gflops / np_gflops:.0f}%",
                             "≥ 60%" if judged else "(info)",
                             verdict(gflops / np_gflops >= 0.6) if judged else "—"))

    # Forward+backward against forward.
    fwd = j("MlpPassesBench.forward", batch=128)
    fb = j("MlpPassesBench.forwardBackward", batch=128)
    if fwd and fb:
        rows.append(("generated MLP batch 128: forward vs forward+backward",
                     f"fwd {jt('MlpPassesBench.forward', batch=128)}, "
                     f"fwd+bwd {jt('MlpPassesBench.forwardBackward', batch=128)}", "—", "—", "—",
                     f"(fwd+bwd) / fwd = {fb / fwd:.2f}", "≤ 3", verdict(fb / fwd <= 3)))

    # Two threads against one: in each paired round the two forks ran back to back, so the
    # verdict needs 2 threads faster in every round; without rounds, JMH's 99.9% intervals must
    # not overlap.
    for batch in (128, 1024):
        k1 = key("MlpThreadsBench.generatedStep", batch=batch, threads=1)
        k2 = key("MlpThreadsBench.generatedStep", batch=batch, threads=2)
        pairs = [(run[k2], run[k1]) for run in rounds.jmh if k1 in run and k2 in run]
        if pairs and len(pairs) == len(rounds):
            one = statistics.median(o for _, o in pairs)
            two = statistics.median(t for t, _ in pairs)
            ratio = statistics.median(t / o for t, o in pairs)
            rows.append((f"generated MLP step batch {batch}: 2 threads vs 1",
                         f"1T {fmt_time(one)}, 2T {fmt_time(two)} (medians of rounds)",
                         "—", "—", "—",
                         f"2T / 1T = {ratio:.2f}, median of "
                         + rounds_text(pairs, lambda t, o: f"{t / o:.2f}"),
                         "< 1 in every round", verdict(all(t < o for t, o in pairs))))
            continue
        one = j("MlpThreadsBench.generatedStep", batch=batch, threads=1)
        two = j("MlpThreadsBench.generatedStep", batch=batch, threads=2)
        if one and two:
            # "Faster" only counts when JMH's 99.9% intervals do not overlap.
            one_lo = CONFIDENCE[k1][0]
            two_hi = CONFIDENCE[k2][1]
            if two_hi < one_lo:
                met = verdict(True)
            elif two < one:
                met = "**not met** (within noise)"
            else:
                met = verdict(False)
            rows.append((f"generated MLP step batch {batch}: 2 threads vs 1",
                         f"1T {jt('MlpThreadsBench.generatedStep', batch=batch, threads=1)}, "
                         f"2T {jt('MlpThreadsBench.generatedStep', batch=batch, threads=2)}",
                         "—", "—", "—",
                         f"2T / 1T = {two / one:.2f}", "< 1, intervals apart", met))

    # Compiler speed (no target).
    for name, label in (("CompileBench.function1000Ops", "compile a 1,000-op `fn` (check+derive+simplify+emit)"),
                        ("CompileBench.model20Layers", "compile a 20 × Dense(64, 64) model (check+derive+simplify+emit)"),
                        ("CompileBench.functions300OpsFourShapes", "compile four 300-op `fn`s: sin chain, product, dot, sum of products (check+derive+simplify+emit)"),
                        ("CompileBench.function5100Ops", "compile a 5,100-op `fn`, a let chain (check+derive+simplify+emit)"),
                        ("CompileBench.secondOrder300DeepChain", "compile a 300-deep sin chain with its Hessian-vector product, Hessian and JVP (check+derive+simplify+emit)")):
        rows.append((label, jt(name), "—", "—", "—", "—", "(info)", "—"))

    # Where the step's time goes: its five matrix products, each alone.
    products = (("fc1", "x·W1", lambda b: 2 * b * 784 * 256), ("fc2", "h·W2", lambda b: 2 * b * 256 * 10),
                ("dh", "dlogits·W2ᵀ", lambda b: 2 * b * 10 * 256), ("dW1", "xᵀ·dh", lambda b: 2 * b * 784 * 256),
                ("dW2", "hᵀ·dlogits", lambda b: 2 * b * 256 * 10))
    split_rows = []
    for kernel in ("vector", "portable"):
        for batch in (32, 128, 1024):
            times = [j("MlpGemmBench.run", kernel=kernel, batch=batch, product=p) for p, _, _ in products]
            if any(t is None for t in times):
                continue
            step = vector_steps.get(batch) if kernel == "vector" else j("MlpBench.generatedStep",
                                                                          batch=batch)
            torch_s = pt["mlp_step_seconds"].get(str(batch))
            cells = [f"{fmt_time(t)} ({f(batch) / t / 1e9:.0f} GFLOP/s)"
                     for t, (_, _, f) in zip(times, products)]
            total = sum(times)
            split_rows.append([kernel, str(batch)] + cells + [
                fmt_time(total),
                f"{100 * total / step:.0f}%" if step else "—",
                f"{total / torch_s:.2f}" if torch_s else "—"])
    split = ""
    if split_rows:
        split = ("\n## Where the MLP step's time goes\n\nThe step's five matrix products, each timed "
                 "alone (`MlpGemmBench`, dense N(0, 1) operands, 1 thread), against the whole step "
                 "above and against PyTorch's whole step. At batch 32 the products alone are the floor: "
                 "no change outside the kernel can bring the step below their sum.\n\n"
                 "| kernel | batch | " + " | ".join(f"`{p}` = {d}" for p, d, _ in products)
                 + " | sum | sum / nnc step | sum / PyTorch step |\n"
                 + "|---" * (len(products) + 5) + "|\n"
                 + "".join("| " + " | ".join(r) + " |\n" for r in split_rows))

    lenet = lenet_section(rounds, lenet_peers, jmh, key, pt, verdict)

    info = machine_info()
    header = ("| workload | nnc generated | reference interpreter | plain Java | peer (same run) "
              "| ratio | target | |\n|---|---|---|---|---|---|---|---|\n")
    table = header + "".join("| " + " | ".join(r) + " |\n" for r in rows)
    java = "\n".join("    " + line for line in info["java"].splitlines())
    load = ", ".join(f"{x:.2f}" for x in info["load"])
    load_before = ""
    if len(sys.argv) > 4 and os.path.exists(sys.argv[4]):
        with open(sys.argv[4]) as f:
            load_before = " ".join(f.read().split()[:3])
    peer_runs = "; ".join(
        "run " + str(i + 1) + ": MLP step " + ", ".join(
            f"b{b} {fmt_time(steps[b])}" for b in sorted(steps, key=int)) + f", sgemm {g:.1f} GFLOP/s"
        for i, (steps, g) in enumerate(zip(pt["all_mlp_step_seconds"], pt["all_sgemm_gflops"])))
    rounds_md = ""
    if len(rounds):
        rounds_md = (f"The judged rows against PyTorch and numpy (the Vector API MLP steps and the "
                     f"1024³ kernel) and the thread rows come from {len(rounds)} paired rounds: in "
                     "each round every judged nnc benchmark ran right next to its counterpart "
                     "(the MLP step at one batch size in nnc, then in PyTorch, the other way round "
                     "in even rounds; the 1024³ product next to numpy's), seconds apart, so a slow "
                     "spell of this shared machine hits both sides alike as far as possible; the "
                     "judged ratio is the median of the rounds' ratios. ")
    md = f"""# nnc benchmarks

Generated by `benchmarks/run.sh` on {time.strftime('%Y-%m-%d %H:%M %Z')}; do not edit by hand,
rerun the command instead. Every number below comes from that one run: JMH (`@Fork(1)`,
`benchmarks/target/jmh*.json`) and `benchmarks/pytorch_mlp.py` (`benchmarks/target/pytorch-*.json`),
{pt['runs']} sets of peer timings (whole runs of the script, and per round the parts timed next
to nnc's). Both sides report the median call after warm-up: JMH times every
MLP step and matrix product one by one (sample mode) as the script times PyTorch's steps and
numpy's products; only the scalar functions and compile times, too short or too few to time one
by one, are medians of JMH's 1-second iteration averages.
{rounds_md}Rows without rounds use the main JMH run and the peer's fastest run of all, so noise
favours the peer ({peer_runs}). Single-threaded unless a row says
otherwise. The machine is shared and noisy, so treat differences under ~20% as noise; a time
marked "noisy" had one call in ten more than 20% slower than the median ("p90 +x%"), or, for
iteration averages, a JMH 99.9% confidence interval wider than ±20% of its mean (another job
probably shared the cores during that benchmark).

{table}{split}{lenet}
What is measured:

- **Scalar functions**: `valueAndGradient` of the checked-in generated classes `F` and `Neuron`;
  the reference interpreter binding the arguments and walking the simplified derivative graph
  (`DerivedFunction.derive(fn, true)`); the same formulas written by hand.
- **MLP step**: `Linear(784,256)` → ReLU → `Linear(256,10)`, softmax cross-entropy, f32, one SGD
  step (lr 0.01, no momentum, no L2): the model compiled in memory from an `.nn` file matching
  the PyTorch script (`Dense … init he`, no L2 term); the interpreter evaluating the same model's
  derived graph (in f64; batch 1 and 32 only); a hand-written MLP with simple loops; PyTorch
  {pt.get('torch')} eager with `torch.set_num_threads(1)`, `zero_grad(set_to_none=True)`,
  forward, loss, `backward()`, `step()`. Inputs are N(0, 1) for everyone (the portable kernel
  skips zero coefficients, so real MNIST pixels, ~80% zero, would flatter it).
- **Kernels**: `Gemm.nn` alone on dense random operands; GFLOP/s = 2·m·n·k / time. The
  portable kernel is plain Java that C2 auto-vectorizes (what a JVM without the incubator module
  runs); the Vector API kernel runs when the JVM has `--add-modules jdk.incubator.vector` (the
  `nnc` launcher adds it for `train`, `eval` and `predict`), so the targets are judged on it: the
  first four MLP rows, the forward/backward row and the thread rows use it; the portable rows
  are for information. Its tiles depend on the CPU's vectors (6 rows × 4 vectors with
  AVX-512, 6 × 2 from packed panels with AVX2; see the CPU flags under Machine). numpy
  {pt.get('numpy')} `matmul` of two f32 1024×1024 matrices with OpenBLAS on one thread is the
  machine's practical limit. BLAS loaded by the Python process: {', '.join(pt.get('blas_libraries') or ['?'])}
  (OpenBLAS kernels: {pt.get('openblas_core') or '?'});
  environment {json.dumps(pt.get('env'))}.
- **Threads**: `Parallel.setThreads(1|2)`; only products of ≥ 2M multiply-adds are split. The
  1- and 2-thread steps also run in the paired rounds (back to back); "2 threads faster" is met
  only when 2 threads were faster in every round.
- **Compile time**: `Compiler.check` + `Compiler.generate(…, simplify=true)` to Java source,
  no javac.

## Machine

- `nproc`: {info['nproc']}
- CPU: {info['cpu']}
- memory: {info['memory']}; OS: {info['os']}
- load average (1, 5, 15 min) before JMH started: {load_before or "?"}; when the report was
  written: {load}. Other jobs share these 2 cores; a busy second core shows up first in the
  2-thread rows.
- `java -version`:

{java}
"""
    with open(out_path, "w") as f:
        f.write(md)
    print(table)


if __name__ == "__main__":
    main()
