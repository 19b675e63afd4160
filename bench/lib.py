"""Shared measuring helpers of the bench/ scripts (bench/lib.sh builds and starts things).

Every figure a script prints is a ratio against a baseline measured in the same run
(hyperfine medians, or medians of interleaved pairs): the machine is shared and noisy.
Import it with `sys.path.insert(0, "bench"); import lib` from the project's root.
"""

import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

STABLE_RUSTC = os.environ.get("STABLE_RUSTC") or os.path.expanduser(
    "~/.rustup/toolchains/stable-x86_64-unknown-linux-gnu/bin/rustc"
)


def median(values):
    return statistics.median(values)


def hello(tag):
    """A hello world no memo has seen: `tag` and the time make it unique."""
    return f'fn main() {{ println!("hello {tag} {time.time_ns()}"); }}\n'


def api_run(port, code, harness=None, args=None, cached=False, timeout=300):
    """POST /api/v1/run; returns (seconds, answer). Fails unless the run succeeded and
    its `cached` is `cached` (None: either)."""
    body = {"code": code}
    if harness:
        body["harness"] = harness
    if args:
        body["args"] = args
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/run",
        json.dumps(body).encode(),
        {"Content-Type": "application/json"},
    )
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=timeout) as r:
        out = json.load(r)
    took = time.perf_counter() - t
    if out.get("status") != "success" or (cached is not None and out.get("cached") != cached):
        raise RuntimeError(f"unexpected answer: {json.dumps(out)[:400]}")
    return took, out


def bare_run(code, workdir, tag="bare", rustc=STABLE_RUSTC, flags=()):
    """Compiles `code` with bare rustc (edition 2024) and runs it; returns seconds."""
    src, exe = os.path.join(workdir, f"{tag}.rs"), os.path.join(workdir, tag)
    with open(src, "w") as f:
        f.write(code)
    t = time.perf_counter()
    subprocess.run([rustc, "--edition", "2024", *flags, "-o", exe, src], check=True)
    subprocess.run([exe], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def interleave(a, b, pairs):
    """Calls a(i) and b(i) `pairs` times, alternating which goes first; returns the two
    lists of what they returned (seconds)."""
    xs, ys = [], []
    for i in range(pairs):
        if i % 2 == 0:
            xs.append(a(i))
            ys.append(b(i))
        else:
            ys.append(b(i))
            xs.append(a(i))
    return xs, ys


def hyperfine_times(commands, runs, warmup, shell=True, cwd=None):
    """One hyperfine run over {name: command}, in that order; returns {name: [seconds]}.
    `shell=False` is hyperfine's -N (no shell, for commands of a few milliseconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "hf.json")
        argv = ["hyperfine", "--warmup", str(warmup), "--runs", str(runs), "--export-json", out]
        if not shell:
            argv.append("-N")
        for name, cmd in commands.items():
            argv += ["-n", name, cmd]
        # Its warnings about outliers are for a quiet machine: shown only when it fails.
        run = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"hyperfine failed: {run.stderr.strip()[-500:]}")
        return {r["command"]: r["times"] for r in json.load(open(out))["results"]}


def hyperfine(commands, runs, warmup, shell=True, cwd=None, rounds=1):
    """hyperfine over {name: command} in `rounds` rounds of runs/rounds runs each, the
    order of the commands reversed every other round (hyperfine runs one command's runs
    all together: rounds spread a noisy neighbour's bursts over both); returns
    {name: {"median": seconds over every round's runs, "runs": n}}."""
    times = {name: [] for name in commands}
    for r in range(rounds):
        order = list(commands.items())
        if r % 2:
            order.reverse()
        for name, t in hyperfine_times(dict(order), max(1, runs // rounds), warmup, shell, cwd).items():
            times[name] += t
    return {name: {"median": median(t), "runs": len(t)} for name, t in times.items()}


def wrk_rps(url, seconds, connections=32, body=None):
    """Requests per second of wrk -t1 -cN against url (POST `body` as JSON when given);
    fails on any non-2xx answer. Without wrk, a Python loop (keep-alive, 8 threads)."""
    if not shutil.which("wrk"):
        return py_rps(url, seconds, body=body), "python loop"
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s"]
        if body is not None:
            script = os.path.join(tmp, "post.lua")
            # A Lua long string: the body's backslashes reach the server as written.
            with open(script, "w") as f:
                f.write(
                    'wrk.method = "POST"\n'
                    f"wrk.body = [[{body}]]\n"
                    'wrk.headers["Content-Type"] = "application/json"\n'
                )
            argv += ["-s", script]
        out = subprocess.run(argv + [url], check=True, capture_output=True, text=True).stdout
    # A rate of error answers measures nothing: every answer must be a 2xx.
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests:\n{out}")
    line = next(line for line in out.splitlines() if line.startswith("Requests/sec"))
    return float(line.split()[1]), "wrk"


def py_rps(url, seconds, threads=8, body=None):
    """Requests per second of `threads` keep-alive clients in Python (the fallback
    when wrk is missing: the client, not the server, may be the limit)."""
    u = urllib.parse.urlsplit(url)
    counts, errors, stop = [0] * threads, [], time.perf_counter() + seconds

    def client(k):
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        data = body.encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            while time.perf_counter() < stop:
                conn.request("POST" if data else "GET", u.path or "/", data, headers)
                r = conn.getresponse()
                r.read()
                if not 200 <= r.status < 300:
                    raise RuntimeError(f"HTTP {r.status} from {url}")
                counts[k] += 1
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = time.perf_counter()
    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return sum(counts) / (time.perf_counter() - t)


def throughput(job, count, lanes):
    """Runs job(i) for i in 0..count on `lanes` threads; returns (jobs per second, seconds)."""
    t = time.perf_counter()
    with ThreadPoolExecutor(lanes) as pool:
        list(pool.map(job, range(count)))
    took = time.perf_counter() - t
    return count / took, took


def proc_mem(pid):
    """{"VmRSS": bytes, "VmHWM": bytes} of a process, from /proc/PID/status."""
    mem = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            mem[key] = int(value.split()[0]) * 1024
    return mem


class Table:
    """Rows of (#, what, corral, baseline, ratio, goal, met), printed compactly and as
    Markdown. `met` is "yes", "no", "info" or "ERROR"."""

    HEAD = ("#", "what", "corral", "baseline", "ratio", "goal", "met")

    def __init__(self):
        self.rows = []

    def add(self, n, what, corral, baseline, ratio=None, goal=None):
        """`goal` is ("<", x), ("<=", x) or (">=", x) on the ratio, or None (information only)."""
        ratio_s = "—" if ratio is None else f"{ratio:.2f}"
        if goal is None:
            goal_s, met_s = "info", "info"
        else:
            op, limit = goal
            ok = {"<": ratio < limit, "<=": ratio <= limit, ">=": ratio >= limit}[op]
            goal_s, met_s = f"{op} {limit}", "yes" if ok else "no"
        self.rows.append((str(n), what, corral, baseline, ratio_s, goal_s, met_s))

    def error(self, n, what, message):
        self.rows.append((str(n), what, f"ERROR: {message}", "—", "—", "—", "ERROR"))

    def errors(self):
        return [r[0] for r in self.rows if r[6] == "ERROR"]

    def missed(self):
        return [r[0] for r in self.rows if r[6] == "no"]

    def text(self):
        widths = [max(len(r[i]) for r in [self.HEAD, *self.rows]) for i in range(len(self.HEAD))]
        fmt = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
        return "\n".join([fmt(self.HEAD), fmt(tuple("-" * w for w in widths))] + [fmt(r) for r in self.rows])

    def markdown(self):
        esc = lambda c: c.replace("|", "\\|")  # noqa: E731
        lines = ["| " + " | ".join(self.HEAD) + " |", "|" + "---|" * len(self.HEAD)]
        lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in self.rows]
        return "\n".join(lines)
