#!/usr/bin/env python3
"""GPU sizing for ten-crop ResNet-50 inference (docs/gpu-sizing.md holds the measured figures).

Measures, with PyTorch + torchvision on one CUDA GPU (ResNet-50 with random weights, eval mode,
torch.inference_mode, channels_last, cudnn.benchmark on; every figure timed with CUDA events, median
of 5 groups after warm-up):

  1. forward passes (views)/s by batch (32..512 views) and precision: FP32 (TF32 off), TF32,
     BF16 and FP16 (model and input cast with .to(dtype), no autocast); ten-crop images/s = views/s / 10;
  2. host-to-device copy bandwidth from pinned memory (and pageable, for reference) of the float32
     ten-crop tensor of an image (10x224x224x3x4 B = 6.0 MB) vs the uint8 resized image
     (256x256x3 = 196 KB), and the images/s the copy alone allows;
  3. device-side ten-crop: a uint8 batch [N,256,256,3] copied to the GPU, normalised (torchvision
     mean/std), cut into the 4 corner + centre 224x224 crops and their horizontal flips (the
     Preprocessor's order), channels_last, BF16 model, softmax averaged over the ten views:
     end-to-end images/s (copy included, serial) for N = 32 and 64 images, next to the same with
     host-made float32 crops copied in; the device crops are first checked against numpy crops;
  4. optional: CUDA-graph replay of the best BF16 batch; with --compile, torch.compile of it instead.

Run (on a machine with a CUDA GPU, python3 with torch, torchvision and numpy):

    PYTHONUNBUFFERED=1 OUT=/tmp/gpu-sizing python3 src/bench/python/gpu_sizing.py
    OUT=/tmp/gpu-sizing timeout 120 python3 src/bench/python/gpu_sizing.py --compile   # optional

It prints one line per measurement as soon as it is taken, a summary table at the end, and writes
everything to $OUT/gpu_sizing.json ($OUT/gpu_sizing_compile.json for --compile; $OUT defaults to .).
"""

import copy
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback
import warnings

T_START = time.perf_counter()
OUT = os.environ.get("OUT", ".")
RESULTS = {"errors": []}
BATCHES = [32, 64, 128, 256, 512]
PRECISIONS = ["bf16", "fp16", "tf32", "fp32"]
SHORTER = 256
CROP = 224
VIEWS = 10
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
F32_CROPS_BYTES = VIEWS * CROP * CROP * 3 * 4  # 6,021,120 B per image
U8_IMAGE_BYTES = SHORTER * SHORTER * 3  # 196,608 B per image


def log(msg):
    print(f"[{time.perf_counter() - T_START:7.1f}s] {msg}", flush=True)


def save(name="gpu_sizing.json"):
    try:
        os.makedirs(OUT, exist_ok=True)
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(RESULTS, f, indent=1, default=str)
    except Exception as e:  # noqa: BLE001
        log(f"could not write json: {e}")


def guarded(label, fn, *args, **kwargs):
    """Runs one configuration; a failure is logged and recorded, and the run goes on."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001
        log(f"FAILED {label}: {type(e).__name__}: {e}")
        RESULTS["errors"].append({"what": label, "error": f"{type(e).__name__}: {e}",
                                  "trace": traceback.format_exc(limit=4)})
        try:
            import torch
            torch.cuda.synchronize()
            torch.cuda.empty_cache()
        except Exception:  # noqa: BLE001
            pass
        return None


def shell(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"({e})"


import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

DEV = torch.device("cuda")
DTYPES = {"fp32": torch.float32, "tf32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}


def set_tf32(on):
    """TF32 for convolutions and matmuls on or off; the new API where torch has it, else the legacy flags."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            torch.backends.cuda.matmul.allow_tf32 = on
            torch.backends.cudnn.allow_tf32 = on
            return f"allow_tf32={on}"
        except Exception:  # noqa: BLE001  (legacy flags gone: the fp32_precision API)
            mode = "tf32" if on else "ieee"
            torch.backends.cuda.matmul.fp32_precision = mode
            torch.backends.cudnn.conv.fp32_precision = mode
            torch.backends.cudnn.rnn.fp32_precision = mode
            return f"fp32_precision={mode}"


def bench(fn, target_s=1.5, groups=5, warmup=3):
    """Median ms per call of fn over `groups` event-timed groups filling about target_s, after warm-up."""
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    warm_s = time.perf_counter() - t0
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(3):
        fn()
    end.record()
    end.synchronize()
    probe_ms = start.elapsed_time(end) / 3
    iters = max(2, int(round(target_s * 1000 / max(probe_ms, 1e-3) / groups)))
    per = []
    for _ in range(groups):
        start.record()
        for _ in range(iters):
            fn()
        end.record()
        end.synchronize()
        per.append(start.elapsed_time(end) / iters)
    return {"ms_median": statistics.median(per), "ms_min": min(per), "ms_max": max(per),
            "iters_per_group": iters, "groups": groups, "warmup_s": round(warm_s, 2)}


def make_model():
    m = torchvision.models.resnet50(weights=None).eval().to(DEV)
    return m.to(memory_format=torch.channels_last)


def model_for(base, prec):
    return base if DTYPES[prec] == torch.float32 else copy.deepcopy(base).to(DTYPES[prec])


def rotating(tensors, fn):
    state = [0]

    def call():
        x = tensors[state[0] % len(tensors)]
        state[0] += 1
        return fn(x)
    return call


# ---------------------------------------------------------------------------------------------- 4. info
def info():
    RESULTS["info"] = {
        "torch": torch.__version__, "torchvision": torchvision.__version__, "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(), "gpu": torch.cuda.get_device_name(0),
        "sms": torch.cuda.get_device_properties(0).multi_processor_count,
        "python": sys.version.split()[0], "nvidia_smi_L": shell("nvidia-smi -L"),
        "gpu_state_start": shell("nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,"
                                 "clocks.mem,power.draw,power.limit,temperature.gpu,utilization.gpu --format=csv"),
        "cpu": shell("nproc; grep -m1 'model name' /proc/cpuinfo"),
    }
    for k, v in RESULTS["info"].items():
        log(f"{k}: {v}")


# ---------------------------------------------------------------------------------------------- 2. copies
def copy_case(label, images, per_image_shape, dtype, pinned, bytes_per_image):
    shape = (images,) + per_image_shape
    if dtype == torch.uint8:
        host = torch.randint(0, 256, shape, dtype=dtype)
    else:
        host = torch.rand(shape, dtype=dtype)
    if pinned:
        host = host.pin_memory()
    dev = torch.empty(shape, dtype=dtype, device=DEV)
    r = bench(lambda: dev.copy_(host, non_blocking=pinned), target_s=0.6, groups=5, warmup=2)
    assert torch.equal(dev[-1].cpu(), host[-1]), "copy mismatch"
    nbytes = host.numel() * host.element_size()
    gbs = nbytes / (r["ms_median"] / 1e3) / 1e9
    res = {"what": label, "images": images, "bytes": nbytes, "pinned": pinned, "GB_per_s": round(gbs, 2),
           "images_per_s_copy_alone": round(gbs * 1e9 / bytes_per_image, 1), **r}
    RESULTS.setdefault("h2d", []).append(res)
    log(f"H2D {label:28s} {images:4d} img {nbytes / 1e6:8.1f} MB  {gbs:6.2f} GB/s  "
        f"-> {res['images_per_s_copy_alone']:9.1f} images/s (copy alone)")
    del host, dev


def copies():
    f32 = (VIEWS, CROP, CROP, 3)
    u8 = (SHORTER, SHORTER, 3)
    for n in (32, 64):
        guarded(f"h2d f32 crops {n}", copy_case, "float32 ten-crop, pinned", n, f32, torch.float32, True,
                F32_CROPS_BYTES)
    guarded("h2d f32 crops pageable", copy_case, "float32 ten-crop, pageable", 64, f32, torch.float32, False,
            F32_CROPS_BYTES)
    for n in (32, 64, 512):
        guarded(f"h2d u8 {n}", copy_case, "uint8 256x256, pinned", n, u8, torch.uint8, True, U8_IMAGE_BYTES)
    save()


# ---------------------------------------------------------------------------------------------- 1. model sweep
def sweep_case(base, prec, batch, ref_cache):
    tf = set_tf32(prec == "tf32")
    dtype = DTYPES[prec]
    if prec not in ref_cache:
        ref_cache[prec] = model_for(base, prec)
    model = ref_cache[prec]
    gen = torch.Generator(device=DEV).manual_seed(batch)
    xs = [torch.randn(batch, 3, CROP, CROP, device=DEV, generator=gen).to(dtype)
          .contiguous(memory_format=torch.channels_last) for _ in range(2)]
    out = model(xs[0])
    finite = bool(torch.isfinite(out).all())
    rel = None
    if batch == BATCHES[0]:  # same function as FP32 (IEEE) on the same input?
        set_tf32(False)
        ref = base(xs[0].float()).double()
        set_tf32(prec == "tf32")
        rel = float((out.double() - ref).norm() / ref.norm())
    r = bench(rotating(xs, model))
    vps = batch / (r["ms_median"] / 1e3)
    res = {"precision": prec, "batch_views": batch, "views_per_s": round(vps, 1),
           "tencrop_images_per_s": round(vps / VIEWS, 1), "finite": finite, "rel_err_vs_fp32": rel,
           "tf32_setting": tf, "cast": "model and input .to(dtype)" if dtype != torch.float32 else "none", **r}
    RESULTS.setdefault("sweep", []).append(res)
    log(f"MODEL {prec:4s} batch {batch:4d}: {vps:9.1f} views/s = {vps / VIEWS:8.1f} ten-crop images/s "
        f"(median {r['ms_median']:.2f} ms, spread {r['ms_min']:.2f}-{r['ms_max']:.2f}, warm-up {r['warmup_s']} s"
        f"{', rel err vs fp32 %.2e' % rel if rel is not None else ''}{'' if finite else ', NON-FINITE'})")
    del xs, out


def sweep(base, precs, cache):
    for prec in precs:
        for b in BATCHES:
            guarded(f"sweep {prec} {b}", sweep_case, base, prec, b, cache)
        save()
    set_tf32(False)


# ---------------------------------------------------------------------------------------------- 3. device ten-crop
_MEAN_DEV = {}


def tencrop_device(x_u8, dtype, poison=False):
    """[N,S,S,3] uint8 on the GPU -> [N*10,3,C,C] `dtype`, channels_last: TL, TR, BL, BR, centre, then flips."""
    n, s = x_u8.shape[0], x_u8.shape[1]
    if dtype not in _MEAN_DEV:
        _MEAN_DEV[dtype] = (torch.tensor(MEAN, device=DEV), torch.tensor(STD, device=DEV))
    mean, std = _MEAN_DEV[dtype]
    xn = ((x_u8.float() * (1.0 / 255) - mean) / std).to(dtype)  # normalise the 256x256 image once
    r = s - CROP
    c = r // 2
    out = torch.empty((n, VIEWS, CROP, CROP, 3), dtype=dtype, device=DEV)
    if poison:
        out.fill_(float("nan"))
    for i, (left, top) in enumerate(((0, 0), (r, 0), (0, r), (r, r), (c, c))):
        v = xn[:, top:top + CROP, left:left + CROP, :]
        out[:, i].copy_(v)
        out[:, 5 + i].copy_(v.flip(2))
    return out.view(n * VIEWS, CROP, CROP, 3).permute(0, 3, 1, 2)  # NCHW shape, channels_last strides


def tencrop_host(x_u8_np):
    """numpy reference: the Preprocessor's ten views, NHWC float32 [N,10,C,C,3]."""
    s = x_u8_np.shape[1]
    r = s - CROP
    c = r // 2
    xn = (x_u8_np.astype(np.float32) * np.float32(1.0 / 255) - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    views = []
    for img in xn:
        crops = [img[t:t + CROP, l:l + CROP, :] for (l, t) in ((0, 0), (r, 0), (0, r), (r, r), (c, c))]
        views.append(np.stack(crops + [cr[:, ::-1, :] for cr in crops]))
    return np.ascontiguousarray(np.stack(views))


def check_crops():
    x = np.random.default_rng(7).integers(0, 256, (4, SHORTER, SHORTER, 3), dtype=np.uint8)
    ref = torch.from_numpy(tencrop_host(x)).view(-1, CROP, CROP, 3).permute(0, 3, 1, 2)
    res = {}
    for dtype, tol in ((torch.float32, 1e-5), (torch.bfloat16, 0.02)):
        got = tencrop_device(torch.from_numpy(x).to(DEV), dtype, poison=True)
        assert got.is_contiguous(memory_format=torch.channels_last), "device views not channels_last"
        got = got.float().cpu()
        assert not torch.isnan(got).any(), "unwritten view elements"
        d = float((got - ref).abs().max())
        res[str(dtype)] = d
        log(f"CHECK device ten-crop vs numpy ({dtype}): max abs diff {d:.3g} (tolerance {tol})")
        assert d < tol, f"device crops differ from host crops by {d}"
    RESULTS["crop_check_max_abs_diff"] = res


def tencrop_e2e(model_bf16, n):
    gen = torch.Generator().manual_seed(n)
    hosts = [torch.randint(0, 256, (n, SHORTER, SHORTER, 3), dtype=torch.uint8, generator=gen).pin_memory()
             for _ in range(2)]

    def device_path(h):
        xd = h.to(DEV, non_blocking=True)
        logits = model_bf16(tencrop_device(xd, torch.bfloat16))
        return logits.float().softmax(-1).view(n, VIEWS, -1).mean(1)

    p = device_path(hosts[0])
    assert p.shape == (n, 1000) and bool(torch.isfinite(p).all()), "bad ten-crop output"
    r = bench(rotating(hosts, device_path))
    ips = n / (r["ms_median"] / 1e3)
    res = {"what": "device-side ten-crop, uint8 H2D + crops + BF16 model + softmax mean (serial)",
           "images": n, "views": n * VIEWS, "images_per_s": round(ips, 1), **r}
    RESULTS.setdefault("tencrop", []).append(res)
    log(f"E2E  device-side ten-crop   N={n:3d} ({n * VIEWS} views): {ips:8.1f} images/s (median {r['ms_median']:.2f} ms)")

    xd = hosts[0].to(DEV)
    r2 = bench(lambda: tencrop_device(xd, torch.bfloat16), target_s=0.5)
    RESULTS["tencrop"].append({"what": "device-side crop+normalise only (uint8 on GPU -> bf16 views)", "images": n,
                               "images_per_s": round(n / (r2["ms_median"] / 1e3), 1), **r2})
    log(f"     crop+normalise alone   N={n:3d}: {r2['ms_median']:.3f} ms = {n / (r2['ms_median'] / 1e3):9.1f} images/s")

    views = [tencrop_device(h.to(DEV), torch.bfloat16) for h in hosts]
    r3 = bench(rotating(views, model_bf16))
    RESULTS["tencrop"].append({"what": "BF16 model alone on the same views", "images": n, "views": n * VIEWS,
                               "images_per_s": round(n / (r3["ms_median"] / 1e3), 1),
                               "views_per_s": round(n * VIEWS / (r3["ms_median"] / 1e3), 1), **r3})
    log(f"     BF16 model alone       N={n:3d}: {n / (r3['ms_median'] / 1e3):8.1f} images/s "
        f"({n * VIEWS / (r3['ms_median'] / 1e3):.1f} views/s)")
    del hosts, views, xd

    # the host-side path on the GPU: float32 NHWC crops (as the Java Preprocessor writes them) copied in
    fhosts = [torch.rand((n * VIEWS, CROP, CROP, 3), dtype=torch.float32, generator=gen).pin_memory()
              for _ in range(2)]

    def host_path(h):
        xd = h.to(DEV, non_blocking=True).permute(0, 3, 1, 2).to(torch.bfloat16)
        logits = model_bf16(xd)
        return logits.float().softmax(-1).view(n, VIEWS, -1).mean(1)

    r4 = bench(rotating(fhosts, host_path))
    ips4 = n / (r4["ms_median"] / 1e3)
    RESULTS["tencrop"].append({"what": "host-side crops: float32 NHWC H2D + cast + BF16 model + softmax mean (serial)",
                               "images": n, "views": n * VIEWS, "images_per_s": round(ips4, 1), **r4})
    log(f"E2E  host-side f32 crops    N={n:3d} ({n * VIEWS} views): {ips4:8.1f} images/s (median {r4['ms_median']:.2f} ms)")
    del fhosts


def tencrop_section(base, cache):
    if guarded("crop check", check_crops) is None and "crop_check_max_abs_diff" not in RESULTS:
        log("crop check failed: device ten-crop figures are not of verified work")
    if "bf16" not in cache:
        cache["bf16"] = model_for(base, "bf16")
    m = cache["bf16"]
    for n in (32, 64):
        guarded(f"tencrop e2e {n}", tencrop_e2e, m, n)
    save()


# ---------------------------------------------------------------------------------------------- optional
def best_bf16_batch(default=256):
    rows = [r for r in RESULTS.get("sweep", []) if r["precision"] == "bf16"]
    return max(rows, key=lambda r: r["views_per_s"])["batch_views"] if rows else default


def cuda_graph_case(model, batch):
    static = torch.randn(batch, 3, CROP, CROP, device=DEV).to(torch.bfloat16).contiguous(
        memory_format=torch.channels_last)
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            model(static)
    torch.cuda.current_stream().wait_stream(s)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g):
        out = model(static)
    g.replay()
    torch.cuda.synchronize()
    eager = model(static).double()
    d = float((out.double() - eager).norm() / eager.norm())
    assert d < 1e-2, f"graph replay differs from eager by {d}"
    r = bench(g.replay)
    vps = batch / (r["ms_median"] / 1e3)
    RESULTS["cuda_graph"] = {"precision": "bf16", "batch_views": batch, "views_per_s": round(vps, 1),
                             "tencrop_images_per_s": round(vps / VIEWS, 1), **r}
    log(f"GRAPH bf16 batch {batch}: {vps:9.1f} views/s = {vps / VIEWS:8.1f} ten-crop images/s")


def compile_main():
    RESULTS["info"] = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0)}
    torch.backends.cudnn.benchmark = True
    batch = 256
    try:
        with open(os.path.join(OUT, "gpu_sizing.json")) as f:
            RESULTS["sweep"] = json.load(f).get("sweep", [])
        batch = best_bf16_batch()
    except Exception:  # noqa: BLE001
        pass
    with torch.inference_mode():
        model = make_model().to(torch.bfloat16)
        cm = torch.compile(model)
        xs = [torch.randn(batch, 3, CROP, CROP, device=DEV).to(torch.bfloat16).contiguous(
            memory_format=torch.channels_last) for _ in range(2)]
        t0 = time.perf_counter()
        out = cm(xs[0])
        torch.cuda.synchronize()
        compile_s = time.perf_counter() - t0
        ref = model(xs[0])
        rel = float((out.double() - ref.double()).norm() / ref.double().norm())
        log(f"compiled in {compile_s:.1f} s, rel diff vs eager {rel:.2e}")
        r = bench(rotating(xs, cm))
    vps = batch / (r["ms_median"] / 1e3)
    RESULTS["compile"] = {"precision": "bf16", "batch_views": batch, "mode": "default", "compile_s": round(compile_s, 1),
                          "rel_diff_vs_eager": rel, "views_per_s": round(vps, 1),
                          "tencrop_images_per_s": round(vps / VIEWS, 1), **r}
    RESULTS.pop("sweep", None)
    log(f"COMPILE bf16 batch {batch}: {vps:9.1f} views/s = {vps / VIEWS:8.1f} ten-crop images/s")
    save("gpu_sizing_compile.json")


# ---------------------------------------------------------------------------------------------- summary
def summary():
    print("\n==== summary: ResNet-50 forward passes (views)/s; ten-crop images/s = views/s / 10 ====", flush=True)
    rows = RESULTS.get("sweep", [])
    print("batch | " + " | ".join(f"{p:>8s}" for p in PRECISIONS))
    for b in BATCHES:
        cells = []
        for p in PRECISIONS:
            hit = [r for r in rows if r["precision"] == p and r["batch_views"] == b]
            cells.append(f"{hit[0]['views_per_s']:8.0f}" if hit else f"{'-':>8s}")
        print(f"{b:5d} | " + " | ".join(cells))
    for r in RESULTS.get("h2d", []):
        print(f"H2D {r['what']:28s} {r['images']:4d} img: {r['GB_per_s']:6.2f} GB/s, "
              f"{r['images_per_s_copy_alone']:9.1f} images/s")
    for r in RESULTS.get("tencrop", []):
        print(f"ten-crop N={r['images']:3d}: {r['images_per_s']:8.1f} images/s  {r['what']}")
    if "cuda_graph" in RESULTS:
        g = RESULTS["cuda_graph"]
        print(f"CUDA graph bf16 batch {g['batch_views']}: {g['views_per_s']:.0f} views/s")
    print(f"crop check: {RESULTS.get('crop_check_max_abs_diff')}")
    print(f"errors: {len(RESULTS['errors'])}", [e["what"] for e in RESULTS["errors"]])
    print(f"total {time.perf_counter() - T_START:.1f} s", flush=True)


def main():
    if not torch.cuda.is_available():
        print("no CUDA device", flush=True)
        sys.exit(2)
    if "--compile" in sys.argv:
        compile_main()
        return
    torch.backends.cudnn.benchmark = True
    guarded("info", info)
    save()
    with torch.inference_mode():
        guarded("copies", copies)
        base = guarded("model", make_model)
        if base is not None:
            cache = {}
            sweep(base, ["bf16", "fp16"], cache)
            guarded("tencrop", tencrop_section, base, cache)
            sweep(base, ["tf32", "fp32"], cache)
            if time.perf_counter() - T_START < 240 and "bf16" in cache:
                guarded("cuda graph", cuda_graph_case, cache["bf16"], best_bf16_batch())
    RESULTS.setdefault("info", {})["gpu_state_end"] = shell(
        "nvidia-smi --query-gpu=clocks.sm,clocks.mem,power.draw,temperature.gpu --format=csv")
    RESULTS["total_s"] = round(time.perf_counter() - T_START, 1)
    save()
    summary()


if __name__ == "__main__":
    main()
