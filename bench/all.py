"""The rows of bench/all.sh, which builds and starts what they need and runs this.

Each row is a ratio of corral against a baseline measured in the same run; a row
that fails is printed as ERROR and the others still run. Exit status: 1 when a row
failed, 3 (full runs only) when a goal was missed, else 0.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--quick", action="store_true")
p.add_argument("--out")
p.add_argument("--corral", required=True)
p.add_argument("--jail-start", required=True)
p.add_argument("--bwrap", required=True)
p.add_argument("--port", type=int, required=True)
p.add_argument("--server-pid", type=int, required=True)
p.add_argument("--rocket-dir", required=True)
p.add_argument("--rocket-port", type=int, required=True)
p.add_argument("--rocket-build", required=True, help="the profile of the Rocket server: debug or release")
p.add_argument("--tmp", required=True)
a = p.parse_args()
# The Rocket guide's first app, as bench/all.sh wrote it into the cargo project.
ROCKET_APP = open(os.path.join(a.rocket_dir, "src", "main.rs")).read()
quick = a.quick
# Sizes: (full, quick).
N = lambda full, short: short if quick else full  # noqa: E731
ms = lambda s: f"{s * 1e3:.1f} ms"  # noqa: E731
mib = lambda b: f"{b / 2**20:.0f} MiB"  # noqa: E731
t0 = time.time()
table = lib.Table()
shared = {}


def row(n, what):
    """Runs a row's function; an exception becomes the row's ERROR line."""

    def wrap(f):
        print(f"== {n}. {what}", file=sys.stderr, flush=True)
        try:
            f(n, what)
        except Exception as e:  # noqa: BLE001 - every failure is the row's error
            msg = " ".join(str(e).split())[:300] or type(e).__name__
            print(f"   row {n} failed: {msg}", file=sys.stderr)
            table.error(n, what, msg)
        return f

    return wrap


# The server has only started: its memory now is its idle footprint.
time.sleep(1)
idle = lib.proc_mem(a.server_pid)

runs1, runs2, rounds12 = N(300, 20), N(96, 10), N(6, 2)


@row(1, f"`corral exec -- /bin/true` vs bwrap (hyperfine, {runs1} runs, {rounds12} rounds)")
def _(n, what):
    # Rows 1 and 2 are measured together: each round is a hyperfine run of bubblewrap
    # and `corral exec` (their order alternating) and then row 2's jail steps.
    times = {"bwrap": [], "corral": []}
    jail = shared["jail"] = {"pooled": [], "fresh": []}
    for r in range(rounds12):
        order = [("bwrap", a.bwrap), ("corral", f"{a.corral} exec -- /bin/true")]
        if r % 2:
            order.reverse()
        for k, t in lib.hyperfine_times(dict(order), runs1 // rounds12, N(5, 2), shell=False).items():
            times[k] += t
        if "error" not in jail:
            try:
                argv = [a.jail_start, a.corral, str(runs2 // rounds12)]
                out = json.loads(subprocess.run(argv, check=True, capture_output=True, text=True).stdout)
                jail["pooled"] += [ms / 1e3 for ms in out["pooled_all_ms"]]
                jail["fresh"] += [ms / 1e3 for ms in out["fresh_all_ms"]]
            except Exception as e:  # noqa: BLE001 - row 2 reports it
                stderr = getattr(e, "stderr", "") or ""
                jail["error"] = f"{e} {stderr}".strip()
    shared["bwrap"] = bw = lib.median(times["bwrap"])
    c = lib.median(times["corral"])
    table.add(n, what, ms(c), f"bwrap {ms(bw)}", c / bw, ("<", 1.0))


@row(2, f"`/bin/true` in a pooled jail vs bwrap ({runs2} steps, in row 1's rounds)")
def _(n, what):
    jail = shared.get("jail")
    if jail is None or "bwrap" not in shared:
        raise RuntimeError("no bwrap median: row 1 failed")
    if "error" in jail:
        raise RuntimeError(f"examples/jail_start failed: {jail['error']}")
    bw = shared["bwrap"]
    pooled, fresh = lib.median(jail["pooled"]), lib.median(jail["fresh"])
    table.add(n, what, f"{ms(pooled)} (fresh jail {ms(fresh)})", f"bwrap {ms(bw)}", pooled / bw, ("<=", 0.5))


runs3 = N(30, 5)


@row(3, f"hello world: `corral run` vs rustc + run (hyperfine, {runs3} runs{N(', 3 rounds', '')})")
def _(n, what):
    d = os.path.join(a.tmp, "row3")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "h.rs"), "w") as f:
        f.write('fn main() {\n    println!("Hello, world!");\n}\n')
    r = lib.hyperfine(
        {
            "corral": f"{a.corral} run h.rs",
            "rustc": f"{lib.STABLE_RUSTC} --edition 2024 h.rs -o h && ./h",
        },
        runs3,
        1,
        cwd=d,
        rounds=N(3, 1),
    )
    c, b = r["corral"]["median"], r["rustc"]["median"]
    table.add(n, what, ms(c), f"rustc + run {ms(b)}", c / b, ("<=", 0.9))


pairs4 = N(21, 5)


@row(4, f"uncached hello world: API vs rustc + run ({pairs4} pairs)")
def _(n, what):
    d = os.path.join(a.tmp, "row4")
    os.makedirs(d, exist_ok=True)
    lib.api_run(a.port, lib.hello("warm"))
    api, bare = lib.interleave(
        lambda i: lib.api_run(a.port, lib.hello(f"api {i}"))[0],
        lambda i: lib.bare_run(lib.hello(f"bare {i}"), d, f"b{i}"),
        pairs4,
    )
    c, b = lib.median(api), lib.median(bare)
    table.add(n, what, ms(c), f"rustc + run {ms(b)}", c / b, ("<=", 0.9))


pairs5 = N(11, 3)


@row(5, f"Rocket hello, uncached: API vs `cargo build` after touch ({pairs5} pairs)")
def _(n, what):
    main_rs = os.path.join(a.rocket_dir, "src", "main.rs")
    env = dict(os.environ, RUSTUP_TOOLCHAIN="stable")
    env.pop("CARGO_TARGET_DIR", None)

    def api(i):
        text = f"Hello, world! {i} {time.time_ns()}"
        took, out = lib.api_run(
            a.port, ROCKET_APP.replace("Hello, world!", text), harness="rocket-request", args={"uri": "/"}
        )
        h = out["run"]["harness"]
        if h.get("status") != 200 or h.get("body") != text:
            raise RuntimeError(f"unexpected response: {json.dumps(h)[:300]}")
        return took

    def cargo(_i):
        t = time.perf_counter()
        os.utime(main_rs)
        subprocess.run(["cargo", "build", "-q"], cwd=a.rocket_dir, env=env, check=True)
        return time.perf_counter() - t

    # Touching main.rs would make the next run rebuild the release binary (row 7's
    # server): its time is put back afterwards (no build output is older than it).
    mtime = os.stat(main_rs).st_mtime_ns
    try:
        api(-1)
        cargo(-1)
        c, b = (lib.median(v) for v in lib.interleave(api, cargo, pairs5))
    finally:
        os.utime(main_rs, ns=(mtime, mtime))
    table.add(n, what, ms(c), f"cargo build {ms(b)}", c / b, ("<=", 0.15))


count6 = N(40, 8)


@row(6, f"saturation: {count6} uncached hello worlds, 4 clients vs 2 rustc lanes")
def _(n, what):
    d = os.path.join(a.tmp, "row6")
    os.makedirs(d, exist_ok=True)
    rounds = N(2, 1)
    per = count6 // rounds
    sides = {"api": [0, 0.0], "bare": [0, 0.0]}

    def api(r):
        _, took = lib.throughput(lambda i: lib.api_run(a.port, lib.hello(f"sat {r} {i}")), per, 4)
        sides["api"][0] += per
        sides["api"][1] += took

    def bare(r):
        _, took = lib.throughput(lambda i: lib.bare_run(lib.hello(f"sat {r} {i}"), d, f"s{r}-{i}"), per, 2)
        sides["bare"][0] += per
        sides["bare"][1] += took

    lib.interleave(api, bare, rounds)
    c, b = (sides[k][0] / sides[k][1] for k in ("api", "bare"))
    table.add(n, what, f"{c:.2f} runs/s", f"2 lanes {b:.2f} runs/s", c / b, (">=", 0.9))


secs7 = N(5, 1)


@row(7, f"memoized requests/s (-c32, {N(2, 1)} x {secs7} s) vs Rocket hello ({a.rocket_build})")
def _(n, what):
    body = json.dumps({"code": 'fn main() { println!("memoized"); }\n'})
    code = json.loads(body)["code"]
    lib.api_run(a.port, code, cached=None)
    lib.api_run(a.port, code, cached=True)
    url_api = f"http://127.0.0.1:{a.port}/api/v1/run"
    url_rocket = f"http://127.0.0.1:{a.rocket_port}/"
    sides = {"api": [], "rocket": []}
    tools = set()

    def measure(side, url, body=None):
        rps, tool = lib.wrk_rps(url, secs7, body=body)
        tools.add(tool)
        sides[side].append(rps)

    lib.interleave(lambda i: measure("api", url_api, body), lambda i: measure("rocket", url_rocket), N(2, 1))
    c, b = (lib.median(sides[k]) for k in ("api", "rocket"))
    note = "" if tools == {"wrk"} else f" ({', '.join(sorted(tools))})"
    table.add(n, what, f"{c:,.0f} req/s{note}", f"Rocket {b:,.0f} req/s", c / b)


@row(8, "server memory: VmRSS idle, VmHWM after rows 4-7")
def _(n, what):
    peak = lib.proc_mem(a.server_pid)
    table.add(n, what, f"idle {mib(idle['VmRSS'])}, peak {mib(peak['VmHWM'])}", "—")


took = time.time() - t0
date = subprocess.run(["date"], capture_output=True, text=True).stdout.strip()
header = (
    f"bench/all.sh{' --quick' if quick else ''}: {date}; "
    f"nproc {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}, "
    f"Linux {platform.release()}; the rows took {took:.0f} s"
)
print(header)
print(table.text())
if a.out:
    with open(a.out, "w") as f:
        f.write(f"{header}\n\n{table.markdown()}\n")
if table.errors():
    print(f"rows that failed: {', '.join(table.errors())}", file=sys.stderr)
    sys.exit(1)
if table.missed():
    print(f"goals missed in rows {', '.join(table.missed())}", file=sys.stderr)
    sys.exit(0 if quick else 3)
