#!/usr/bin/env python3
"""The report of bench/compare-etcd.sh: medians over the runs, the
quokka/etcd ratio of every cell, the targets and whether they hold.

Input: the results file (one JSON line per cell and run, each holding
quokka-bench's --json line or null and the members' CPU seconds over the
cell), the probes' JSON lines (fsync latency alone and three at once,
bandwidth of three 1 MiB writers, loopback round trip), the memory check's
JSON, the machine description. Output: Markdown on stdout.
"""

import argparse
import json
import statistics
import sys

# The memory check's bound on each node's resident set, in MiB: the
# node's admission limits (queues.value_bytes_in_flight_max and the
# per-connection bounds) keep in-flight values well under it, and RocksDB's
# memtables and block cache add a fixed amount; docs/decisions.md explains
# the figure.
MEMORY_BOUND_MIB = 1024

WORKLOAD_NAMES = {
    "put-256": "put 256 B",
    "get-lin-256": "linearizable get 256 B",
    "get-stale-256": "stale get 256 B",
    "put-64k": "put 64 KiB",
    "put-1m": "put 1 MiB",
}


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt_number(value, digits=0):
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def fmt_ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return "-"
    return f"{numerator / denominator:.2f}x"


def load_cells(path):
    cells = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        record = json.loads(line)
        key = (record["workload"], record["clients"])
        cells.setdefault(key, {}).setdefault(record["system"], []).append(record)
    return cells


def members_cpu_us_per_op(record):
    """The members' CPU per request over the cell: their CPU over the whole
    cell (warmup, window, drain) over the requests of warmup and window, at
    the window's rate; an estimate, good to the drain's share."""
    result = record["result"]
    cpu_s = record.get("members_cpu_s")
    if result is None or cpu_s is None:
        return None
    ops = result["throughput_ops_per_s"] * (result["warmup_s"] + result["window_s"])
    return cpu_s * 1e6 / ops if ops > 0 else None


def summarize(records):
    """Medians over the runs of one system's cell."""
    results = [record["result"] for record in records]
    ok = [r for r in results if r is not None]
    errors = {}
    for r in ok:
        for code, count in r["errors"].items():
            errors[code] = errors.get(code, 0) + count
    return {
        "runs": len(results),
        "failed_runs": len(results) - len(ok),
        "throughput": median_or_none([r["throughput_ops_per_s"] for r in ok]),
        "p50_ms": median_or_none([r["latency_us"]["p50"] / 1000 for r in ok]),
        "p99_ms": median_or_none([r["latency_us"]["p99"] / 1000 for r in ok]),
        "errors": errors,
        "members_cpu_us": median_or_none([members_cpu_us_per_op(rec) for rec in records]),
        "generator_cpu_us": median_or_none([r["cpu"]["us_per_request"] for r in ok
                                            if r["throughput_ops_per_s"] > 0]),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--probe", required=True)
    parser.add_argument("--probe-three", default="null")
    parser.add_argument("--loopback", default="null")
    parser.add_argument("--bandwidth", default="null")
    parser.add_argument("--memory", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--elapsed", type=int, required=True)
    args = parser.parse_args()

    probe = json.loads(args.probe)
    probe_three = json.loads(args.probe_three)
    loopback = json.loads(args.loopback)
    bandwidth = json.loads(args.bandwidth)
    memory = json.loads(args.memory)
    machine = json.loads(args.machine)
    cells = load_cells(args.results)

    out = []
    out.append("# quokka and etcd side by side")
    out.append("")
    out.append(f"Command: `{args.command}` ({args.elapsed} s).")
    out.append("")
    out.append(
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"Linux {machine['kernel']}; etcd {machine['etcd']} (Debian etcd-server), "
        f"quokka {machine['quokka']}. All three members of each cluster and the "
        f"generator on this machine, over loopback.")
    out.append("")
    out.append(
        f"Disk: a 256 B append + fdatasync takes p50 {probe['p50_us'] / 1000:.3f} ms, "
        f"p99 {probe['p99_us'] / 1000:.3f} ms ({probe['count']} probes, same run)"
        + (f"; three such appenders at once, as the three nodes of a cluster on this "
           f"disk sync for every write: p50 {probe_three['p50_us'] / 1000:.3f} ms, "
           f"p99 {probe_three['p99_us'] / 1000:.3f} ms." if probe_three else ".")
        + (f" Three writers each appending 1 MiB and syncing it, again and again: "
           f"{bandwidth['bytes_per_s'] / 1e6:.0f} MB/s in all." if bandwidth else ""))
    out.append("")
    if loopback:
        out.append(
            f"Network: a {loopback['size']} B round trip between two processes over TCP on "
            f"127.0.0.1 takes p50 {loopback['p50_us'] / 1000:.3f} ms, p99 "
            f"{loopback['p99_us'] / 1000:.3f} ms ({loopback['count']} round trips, same run).")
        out.append("")
    out.append("Medians over the runs; ratio = quokka / etcd (throughput: higher is "
               "better for quokka; p99: lower is better for quokka).")
    out.append("")
    out.append("| workload | clients | etcd ops/s | quokka ops/s | ratio | etcd p50 ms | "
               "quokka p50 ms | etcd p99 ms | quokka p99 ms | p99 ratio | errors (etcd / quokka) |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")

    summaries = {}
    order = list(WORKLOAD_NAMES)
    for key in sorted(cells, key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1])):
        etcd = summarize(cells[key].get("etcd", []))
        quokka = summarize(cells[key].get("quokka", []))
        summaries[key] = (etcd, quokka)

        def errors_text(s):
            text = ", ".join(f"{code} {count}" for code, count in sorted(s["errors"].items()))
            if s["failed_runs"]:
                text += (", " if text else "") + f"{s['failed_runs']} runs failed"
            return text or "none"

        out.append(
            f"| {WORKLOAD_NAMES.get(key[0], key[0])} | {key[1]} | "
            f"{fmt_number(etcd['throughput'])} | {fmt_number(quokka['throughput'])} | "
            f"{fmt_ratio(quokka['throughput'], etcd['throughput'])} | "
            f"{fmt_number(etcd['p50_ms'], 2)} | {fmt_number(quokka['p50_ms'], 2)} | "
            f"{fmt_number(etcd['p99_ms'], 2)} | {fmt_number(quokka['p99_ms'], 2)} | "
            f"{fmt_ratio(quokka['p99_ms'], etcd['p99_ms'])} | "
            f"{errors_text(etcd)} / {errors_text(quokka)} |")

    out.append("")
    out.append("## CPU per request")
    out.append("")
    out.append(f"User + system CPU of the three members over each cell, per request (an "
               f"estimate: the cell's CPU over the requests of its warmup and window), and "
               f"the generator's own; medians over the runs. The machine has "
               f"{machine['cores']} cores for all of it.")
    out.append("")
    out.append("| workload | clients | etcd members us | quokka members us | ratio | "
               "generator us (etcd / quokka) |")
    out.append("|---|---:|---:|---:|---:|---|")
    for key, (etcd, quokka) in summaries.items():
        out.append(
            f"| {WORKLOAD_NAMES.get(key[0], key[0])} | {key[1]} | "
            f"{fmt_number(etcd['members_cpu_us'])} | {fmt_number(quokka['members_cpu_us'])} | "
            f"{fmt_ratio(quokka['members_cpu_us'], etcd['members_cpu_us'])} | "
            f"{fmt_number(etcd['generator_cpu_us'])} / {fmt_number(quokka['generator_cpu_us'])} |")

    out.append("")
    out.append("## Targets")
    out.append("")
    out.append("The bound is what this machine allows, from this run's figures: the disk's "
               "and the network's own floors from the probes, whatever the software; the "
               "cores' ceiling at the CPU per request measured here (the three members "
               "and the generator share them).")
    out.append("")
    out.append("| target | measured | holds | bound on this machine |")
    out.append("|---|---|---|---|")

    def cell(workload, clients):
        return summaries.get((workload, clients))

    def verdict(ok):
        return "yes" if ok else "**no**"

    def cpu_bound(c, factor, cores):
        """Requests per second the cores allow at quokka's CPU per request."""
        etcd, quokka = c
        if not (etcd["throughput"] and quokka["members_cpu_us"] and quokka["generator_cpu_us"]):
            return "-"
        needed = factor * etcd["throughput"]
        per_request = quokka["members_cpu_us"] + quokka["generator_cpu_us"]
        ceiling = cores * 1e6 / per_request
        return (f"{factor}x etcd is {needed:,.0f}/s: {cores} cores allow {cores * 1e6 / needed:,.0f} us "
                f"of CPU per request in all; quokka's members spend "
                f"{quokka['members_cpu_us']:,.0f} and the generator "
                f"{quokka['generator_cpu_us']:,.0f}, so at most {ceiling:,.0f}/s "
                f"({ceiling / etcd['throughput']:.2f}x etcd) at that cost")

    def latency_bound(target_ms):
        """A put crosses two round trips (client and leader, leader and
        follower) and waits for a follower's sync taken beside the two
        other nodes' syncs."""
        if not (loopback and probe_three):
            return "-"
        floor = 2 * loopback["p50_us"] / 1000 + probe_three["p50_us"] / 1000
        return (f"two loopback round trips and three syncs at once: p50 {floor:.3f} ms "
                f"before any work ({floor / target_ms:.2f}x the target's {target_ms:.3f} ms)")

    def bandwidth_bound(c, factor, value_bytes):
        """Every node writes each value once: three copies per put."""
        etcd = c[0]
        if not (bandwidth and etcd["throughput"]):
            return "-"
        ceiling = bandwidth["bytes_per_s"] / (3 * value_bytes)
        needed = factor * etcd["throughput"]
        return (f"disk: {bandwidth['bytes_per_s'] / 1e6:.0f} MB/s over three copies of each "
                f"{value_bytes >> 20} MiB value, at most {ceiling:,.0f} puts/s against "
                f"{factor}x etcd's {needed:,.0f}/s")

    c = cell("put-256", 256)
    if c and c[0]["throughput"] and c[1]["throughput"] and c[0]["p99_ms"] and c[1]["p99_ms"]:
        thr = c[1]["throughput"] / c[0]["throughput"]
        p99 = c[1]["p99_ms"] / c[0]["p99_ms"]
        out.append(f"| put 256 B, 256 clients: >= 5x etcd's throughput, p99 <= 1/2 of etcd's "
                   f"| {thr:.2f}x throughput, p99 {p99:.2f}x | {verdict(thr >= 5 and p99 <= 0.5)} "
                   f"| {cpu_bound(c, 5, machine['cores'])} |")
    c = cell("put-256", 1)
    if c and c[1]["p50_ms"]:
        floor = probe["p50_us"] / 1000
        out.append(f"| put 256 B, 1 client: p50 <= 2x the disk's fdatasync p50 "
                   f"| p50 {c[1]['p50_ms']:.3f} ms = {c[1]['p50_ms'] / floor:.2f}x "
                   f"{floor:.3f} ms"
                   + (f" (three syncs at once: p50 {probe_three['p50_us'] / 1000:.3f} ms)"
                      if probe_three else "")
                   + f" | {verdict(c[1]['p50_ms'] <= 2 * floor)} | {latency_bound(2 * floor)} |")
    c = cell("get-lin-256", 64)
    if c and c[0]["throughput"] and c[1]["throughput"]:
        thr = c[1]["throughput"] / c[0]["throughput"]
        out.append(f"| linearizable get, 64 clients: >= 4x etcd's throughput "
                   f"| {thr:.2f}x | {verdict(thr >= 4)} | {cpu_bound(c, 4, machine['cores'])} |")
    c = cell("put-1m", 16)
    if c and c[0]["throughput"] and c[1]["throughput"]:
        thr = c[1]["throughput"] / c[0]["throughput"]
        out.append(f"| put 1 MiB, 16 clients: >= 4x etcd's throughput "
                   f"| {thr:.2f}x | {verdict(thr >= 4)} | {bandwidth_bound(c, 4, 1 << 20)}; "
                   f"CPU: {cpu_bound(c, 4, machine['cores'])} |")
    if memory is not None:
        result = memory["result"]
        rss_mib = [kib / 1024 for kib in memory["rss_max_kib"]]
        if result is None:
            out.append(f"| memory, {memory['clients']} clients of 1 MiB puts | the generator "
                       f"failed | **no** | - |")
        else:
            others = {code: n for code, n in result["errors"].items() if code != "OVERLOADED"}
            lost_ok = result["abandoned"] == 0 and not others
            rss_ok = bool(rss_mib) and max(rss_mib) <= MEMORY_BOUND_MIB
            out.append(
                f"| memory, {memory['clients']} clients of 1 MiB puts: every node's RSS "
                f"<= {MEMORY_BOUND_MIB} MiB; every request answered, ok or OVERLOADED "
                f"| RSS max {', '.join(f'{m:.0f}' for m in rss_mib)} MiB; {result['ok']} ok, "
                f"{result['errors'].get('OVERLOADED', 0)} OVERLOADED, other errors "
                f"{others or 'none'}, {result['abandoned']} unanswered "
                f"| {verdict(lost_ok and rss_ok)} | - |")
    out.append("")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
