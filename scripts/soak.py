#!/usr/bin/env python3
"""Saturation soak of a real `corral serve` on loopback.

  scripts/soak.py [--seconds 120] [--clients 8] [--corral target/debug/corral]

Clients send, as fast as they are answered, a mix of unique runs (a fresh program each:
compile and run), memo hits (a few programs answered from the memo) and runs that end
on a limit (a spinning program with a short wall clock). The queue is small, so the
server is saturated. It must answer only 200, 429 or 503; its RSS (VmRSS, sampled every
second) must stay flat (the last quarter's peak at most the first quarter's peak plus a
margin); and once the load stops nothing may be left behind but the jails it keeps
started ahead (at most two with `jail_pool = 1`, each its helper's two halves with
nothing below them, and their cgroups): no other process below it, no other cgroup
(`<corral cgroup dir>/<pid>-<n>`), no work dir (`DATA_DIR/work/<pid>-<n>`); after it
exits, no process of its runs (host uids 990000-999999, seen below it during the soak)
and no cgroup at all.
Prints the counts by status and by outcome, and the RSS samples. Exit 1 on a failure.
"""

import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

SANDBOX_UIDS = range(990000, 1000000)
# Jails the server keeps started ahead for each kind of step (compile, run): an idle
# server has at most twice this many, waiting, and none after it exits.
JAIL_POOL = 1
ALLOWED = {200, 429, 503}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_info(pid):
    """(start time, uid, ppid) of a live, non-zombie process, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
    except OSError:
        return None
    after = stat[stat.rfind(")") + 2 :].split()
    if after[0] == "Z":
        return None
    uid = ppid = None
    for line in status.splitlines():
        if line.startswith("Uid:"):
            uid = int(line.split()[1])
        elif line.startswith("PPid:"):
            ppid = int(line.split()[1])
    return int(after[19]), uid, ppid


def live_procs():
    """{pid: (start time, uid, ppid)} of every live, non-zombie process."""
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            info = proc_info(int(name))
            if info:
                procs[int(name)] = info
    return procs


def descendants(root):
    """{(pid, start): uid} of every live process below root."""
    procs = live_procs()
    found = {root}
    while True:
        more = {p for p, (_, _, ppid) in procs.items() if ppid in found} - found
        if not more:
            break
        found |= more
    return {(p, procs[p][0]): procs[p][1] for p in found if p != root and p in procs}


def waiting_jails(root):
    """Processes below an idle server that are not jails waiting for a job: a waiting
    jail is its helper's two halves (the server's child and its one child) and nothing
    below them (no init: no step has started in it). Returns (jails, strays)."""
    procs = live_procs()
    children = {}
    for p, (_, _, ppid) in procs.items():
        children.setdefault(ppid, []).append(p)
    jails, strays = 0, {}
    for outer in children.get(root, []):
        inner = children.get(outer, [])
        deeper = [c for i in inner for c in children.get(i, [])]
        if len(inner) <= 1 and not deeper:
            jails += 1
        else:
            for p in [outer, *inner, *deeper]:
                strays[(p, procs[p][0])] = procs[p][1]
    return jails, strays


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def corral_cgroup_dirs():
    out = []
    for root, dirs, _ in os.walk("/sys/fs/cgroup"):
        depth = root.count("/") - 3
        if "corral" in dirs:
            out.append(os.path.join(root, "corral"))
        # Do not descend into groups themselves (they are many and deep).
        dirs[:] = [d for d in dirs if d != "corral" and depth < 5]
    return out


def cgroups_of(pid):
    prefix = f"{pid}-"
    out = []
    for d in corral_cgroup_dirs():
        try:
            out += [os.path.join(d, n) for n in os.listdir(d) if n.startswith(prefix)]
        except OSError:
            pass
    return out


def work_dirs_of(data_dir, pid):
    try:
        return [n for n in os.listdir(os.path.join(data_dir, "work")) if n.startswith(f"{pid}-")]
    except OSError:
        return []


def post(port, path, body, timeout=180):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, data.decode("utf-8", "replace")
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 120)))
    ap.add_argument("--clients", type=int, default=int(os.environ.get("SOAK_CLIENTS", 8)))
    ap.add_argument("--corral", default=os.environ.get("CORRAL_BIN", "target/debug/corral"))
    ap.add_argument("--rss-margin-mib", type=float, default=32.0)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="corral-soak-")
    data_dir = os.path.join(work, "data")
    config = os.path.join(work, "corral.toml")
    with open(config, "w") as f:
        # Two runs at once, four waiting: the load saturates the queue (503s); a rate
        # limit that the clients reach now and then (429s).
        f.write(
            "[server]\nworkers = 2\nqueue = 4\nrate_per_minute = 6000\nrate_burst = 100\n"
            f"memo_bytes = 16777216\njail_pool = {JAIL_POOL}\n"
        )
    port = free_port()
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen(
        [args.corral, "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir,
         "--config", config],
        stdout=log, stderr=log,
    )
    failures = []
    try:
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except Exception:
                if server.poll() is not None or time.time() > deadline:
                    print("FAIL: corral serve did not become ready", file=sys.stderr)
                    return 1
                time.sleep(0.5)

        memo_programs = [
            {"code": f'fn main() {{ println!("memo {i}"); }}'} for i in range(4)
        ]
        for body in memo_programs:  # warm the memo
            status, r = post(port, "/api/v1/run", body)
            if status != 200:
                print(f"FAIL: warming the memo: {status} {r}", file=sys.stderr)
                return 1

        statuses = collections.Counter()
        outcomes = collections.Counter()
        kinds = collections.Counter()
        bad = []
        lock = threading.Lock()
        stop = time.time() + args.seconds
        counter = [0]

        def client(n):
            rng = random.Random(n)
            while time.time() < stop:
                pick = rng.random()
                if pick < 0.45:
                    with lock:
                        counter[0] += 1
                        u = counter[0]
                    kind, body = "unique", {
                        "code": f'fn main() {{ let v: Vec<u64> = (0..{u}).collect(); '
                                f'println!("soak {n} {u} {{}}", v.len()); }}'}
                elif pick < 0.9:
                    kind, body = "memo", rng.choice(memo_programs)
                else:
                    with lock:
                        counter[0] += 1
                        u = counter[0]
                    kind, body = "limit", {
                        "code": f"fn main() {{ let mut n = {u}u64; loop {{ n = std::hint::black_box(n ^ 1); }} }}",
                        "time": "real", "limits": {"run": {"wall_ms": 300}}}
                try:
                    status, r = post(port, "/api/v1/run", body)
                except Exception as e:  # a dropped connection is a failure too
                    status, r = 0, str(e)
                with lock:
                    statuses[status] += 1
                    kinds[kind] += 1
                    if status == 200 and isinstance(r, dict):
                        outcomes[(r.get("status"), r.get("cached"))] += 1
                    if status not in ALLOWED:
                        bad.append((status, kind, str(r)[:300]))
                if status in (429, 503):
                    time.sleep(0.05 + rng.random() * 0.1)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.time()
        for t in threads:
            t.start()
        samples = []
        seen = {}
        while any(t.is_alive() for t in threads):
            rss = rss_kib(server.pid)
            if rss is not None:
                samples.append(rss)
            for key, uid in descendants(server.pid).items():
                if uid in SANDBOX_UIDS:
                    seen[key] = uid
            time.sleep(1)
        elapsed = time.time() - started

        # Idle: every run has ended; nothing of them may remain.
        time.sleep(2)
        jails, below = waiting_jails(server.pid)
        # One group name per waiting jail (a directory in each controller).
        left_cgroups = cgroups_of(server.pid)
        idle_groups = {os.path.basename(c) for c in left_cgroups}
        left_work = work_dirs_of(data_dir, server.pid)
        if server.poll() is not None:
            failures.append(f"corral serve exited during the soak (code {server.returncode})")
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        time.sleep(1)
        alive_after = [k for k in seen if (info := proc_info(k[0])) and info[0] == k[1]]
        left_cgroups_after = cgroups_of(server.pid)
        left_work_after = work_dirs_of(data_dir, server.pid)

        total = sum(statuses.values())
        print(f"soak: {total} requests in {elapsed:.0f}s with {args.clients} clients "
              f"({total / elapsed:.1f}/s); by kind: {dict(kinds)}")
        print("soak: by HTTP status: " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
        print("soak: 200s by (status, cached): " + ", ".join(
            f"{k[0]}/{'cached' if k[1] else 'fresh'}: {v}" for k, v in sorted(outcomes.items(), key=str)))
        print(f"soak: sandbox processes seen during the soak: {len(seen)}")
        stride = max(1, len(samples) // 120)
        mib = [round(s / 1024, 1) for s in samples[::stride]]
        print(f"soak: server RSS MiB, every {stride} s ({len(samples)} samples): {mib}")

        if bad:
            failures.append(f"{len(bad)} answers not 200/429/503, e.g. {bad[:3]}")
        if statuses[200] == 0:
            failures.append("no request succeeded")
        if len(samples) >= 8:
            q = len(samples) // 4
            first, last = max(samples[:q]), max(samples[-q:])
            margin = args.rss_margin_mib * 1024
            print(f"soak: RSS peak first quarter {first / 1024:.1f} MiB, last quarter "
                  f"{last / 1024:.1f} MiB (allowed: + {args.rss_margin_mib:.0f} MiB)")
            if last > first + margin:
                failures.append(f"RSS grew: first quarter peak {first} KiB, last {last} KiB")
        else:
            failures.append(f"only {len(samples)} RSS samples")
        print(f"soak: jails waiting on the idle server: {jails} (at most {2 * JAIL_POOL})")
        if below:
            failures.append(f"processes below the idle server other than waiting jails: {below}")
        if jails > 2 * JAIL_POOL:
            failures.append(f"{jails} jails wait on the idle server, more than {2 * JAIL_POOL}")
        if len(idle_groups) > jails or left_cgroups_after:
            failures.append(f"cgroups left: idle {sorted(idle_groups)} for {jails} waiting jails, "
                            f"after exit {left_cgroups_after}")
        if left_work or left_work_after:
            failures.append(f"work dirs left: idle {left_work}, after exit {left_work_after}")
        if alive_after:
            failures.append(f"sandbox processes alive after the server stopped: {alive_after}")
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()
        if failures:
            with open(os.path.join(work, "server.log")) as f:
                tail = f.read()[-3000:]
            if tail:
                print(f"server log (end):\n{tail}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print(f"FAIL: {f}", file=sys.stderr)
    if not failures:
        print("soak: ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
