#!/usr/bin/env python3
"""Desktop start-up and idle-memory benchmark, next to an empty Tauri window on the same machine.

Measures, under Xvfb, for the app on a store with 100,000 findings and for the empty window
(src-tauri/examples/empty_window.rs, same tauri build): the time from spawning the process to
"the first screen shows data" (the app's UI calls `ui_ready`, which prints GRIDPATROL_READY; the
empty window prints it when its page has loaded), and the idle memory of all its processes (PSS of
the app plus its WebKit processes, from /proc/*/smaps_rollup) 5 s after that. Page cache is dropped
before every start when the kernel allows it (cold start). Prints medians and the ratios against the
budgets (start ≤ 1.3×, memory ≤ 1.15×).

The app draws without GPU compositing (src-tauri/src/lib.rs, `render_without_compositing`); the
baseline is the empty window as Tauri ships it, and the empty window drawn the same way as the app
(`empty_window --no-compositing`) is measured too, for the like-for-like ratios.

    cargo build --release -p gridpatrol-desktop --bin gridpatrol-desktop --example empty_window
    python3 scripts/bench_desktop.py [--runs 5] [--findings 100000]
"""
import argparse, json, os, pathlib, select, shutil, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "target/release/gridpatrol-desktop"
EMPTY = ROOT / "target/release/examples/empty_window"


def descendants(pid):
    """pid and every process below it."""
    children = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def pss_kib(pids):
    total = 0
    for p in pids:
        try:
            for line in pathlib.Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def drop_caches():
    try:
        os.sync()
        pathlib.Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def run_once(cmd, env, idle):
    cold = drop_caches()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    ready = None
    buf = b""
    deadline = start + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([proc.stdout], [], [], 0.05)
        if r:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            buf += chunk
            if b"GRIDPATROL_READY" in buf:
                ready = time.monotonic() - start
                break
    if ready is None:
        proc.kill()
        raise SystemExit(f"{cmd[0]} never became ready")
    time.sleep(idle)
    pids = descendants(proc.pid)
    mem = pss_kib(pids)
    os.killpg(proc.pid, 9)
    proc.wait()
    return ready * 1000, mem / 1024, len(pids), cold


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--findings", type=int, default=100_000)
    ap.add_argument("--idle", type=float, default=5.0)
    args = ap.parse_args()
    for b in (APP, EMPTY):
        if not b.exists():
            sys.exit(f"missing {b}: cargo build --release -p gridpatrol-desktop --bin gridpatrol-desktop --example empty_window")
    data = ROOT / f"target/bench-desktop/data-{args.findings}"
    if not (data / "gridpatrol.db").exists():
        tmp = data.with_name(data.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["cargo", "run", "--release", "-q", "-p", "gridpatrol-core", "--example", "fill", "--", str(tmp),
                        str(args.findings)], check=True, cwd=ROOT)
        tmp.rename(data)
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    display = ":" + xvfb.stdout.readline().decode().strip()
    home = tempfile.mkdtemp(prefix="gp-bench-home-")
    env = dict(os.environ, DISPLAY=display, GRIDPATROL_STARTUP_PROBE="1", XDG_CONFIG_HOME=f"{home}/config",
               XDG_DATA_HOME=f"{home}/data", XDG_CACHE_HOME=f"{home}/cache")
    subjects = (("empty", [str(EMPTY)]), ("empty-nc", [str(EMPTY), "--no-compositing"]),
                ("app", [str(APP), "--data-dir", str(data)]))
    results = {name: [] for name, _ in subjects}
    try:
        for i in range(args.runs):
            for name, cmd in subjects:
                ms, mib, procs, cold = run_once(cmd, env, args.idle)
                results[name].append((ms, mib))
                print(f"run {i + 1} {name:8s}: ready {ms:7.0f} ms, PSS {mib:6.1f} MiB over {procs} processes"
                      f"{'' if cold else ' (page cache not dropped)'}", flush=True)
    finally:
        xvfb.kill()
        shutil.rmtree(home, ignore_errors=True)
    med = {k: (statistics.median(r[0] for r in v), statistics.median(r[1] for r in v)) for k, v in results.items()}
    start_ratio = med["app"][0] / med["empty"][0]
    mem_ratio = med["app"][1] / med["empty"][1]
    like_start = med["app"][0] / med["empty-nc"][0]
    like_mem = med["app"][1] / med["empty-nc"][1]
    print(json.dumps({"findings": args.findings, "runs": args.runs,
                      **{name: {"start_ms": round(m[0]), "pss_mib": round(m[1], 1)} for name, m in med.items()},
                      "start_ratio": round(start_ratio, 2), "memory_ratio": round(mem_ratio, 2),
                      "start_budget_met": start_ratio <= 1.3, "memory_budget_met": mem_ratio <= 1.15,
                      "like_for_like": {"start_ratio": round(like_start, 2), "memory_ratio": round(like_mem, 2)}},
                     indent=2))


if __name__ == "__main__":
    main()
