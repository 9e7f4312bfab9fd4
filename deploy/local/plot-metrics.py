#!/usr/bin/python3
"""Plots a quokka cluster's Apdex and latency quantiles from a running
Prometheus (its HTTP API, query_range) into a PNG.

    deploy/local/plot-metrics.py [--prometheus http://127.0.0.1:9090]
                                 [--minutes 5] [--output docs/metrics.png]

Reads the recording rules of deploy/prometheus/recording.rules.yml
(cluster_op:quokka_apdex:ratio_rate1m and
cluster_op:quokka_request_duration_seconds:quantile_rate1m) and each node's
exact maximum (quantile 1 of quokka_request_latency_seconds). Needs
matplotlib (Debian: python3-matplotlib, for the system's /usr/bin/python3);
installs it with apt-get when it is missing and this runs as root, else says
how.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request

# Bounds: one query answer, and the points per series Prometheus may return.
HTTP_TIMEOUT_SECONDS = 10
POINTS_MAX = 600


def import_pyplot():
    try:
        import matplotlib
    except ImportError:
        if os.geteuid() != 0:
            sys.exit("plot-metrics: matplotlib is missing; run "
                     "`sudo apt-get install python3-matplotlib`")
        print("plot-metrics: installing python3-matplotlib", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "python3-matplotlib"], check=True,
                       stdout=subprocess.DEVNULL)
        import matplotlib
    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as pyplot
    return pyplot


def query_range(base, expression, start, end, step):
    """[(labels, [(t, value)])] for a range query; NaN samples dropped."""
    url = base.rstrip("/") + "/api/v1/query_range?" + urllib.parse.urlencode(
        {"query": expression, "start": start, "end": end, "step": step})
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as response:
        answer = json.load(response)
    if answer.get("status") != "success":
        sys.exit(f"plot-metrics: {expression}: {answer.get('error', answer)}")
    series = []
    for result in answer["data"]["result"]:
        points = [(float(t) - start, float(v)) for t, v in result["values"]
                  if v not in ("NaN", "+Inf", "-Inf")]
        if points:
            series.append((result["metric"], points))
    return sorted(series, key=lambda s: sorted(s[0].items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--minutes", type=float, default=5, help="how far back (default 5)")
    parser.add_argument("--output", default="docs/metrics.png")
    parser.add_argument("--ops", default="put,get", help="operations to plot (default put,get)")
    args = parser.parse_args()
    pyplot = import_pyplot()

    end = time.time()
    start = end - args.minutes * 60
    step = max(1.0, (end - start) / POINTS_MAX)
    ops = "|".join(args.ops.split(","))

    apdex = query_range(args.prometheus,
                        f'cluster_op:quokka_apdex:ratio_rate1m{{op=~"{ops}"}}', start, end, step)
    quantiles = query_range(
        args.prometheus,
        f'cluster_op:quokka_request_duration_seconds:quantile_rate1m{{op=~"{ops}"}}',
        start, end, step)
    maxima = query_range(
        args.prometheus,
        f'max by (op) (quokka_request_latency_seconds{{op=~"{ops}", quantile="1"}})',
        start, end, step)
    if not apdex and not quantiles:
        sys.exit("plot-metrics: no data; is the cluster under load and Prometheus evaluating "
                 "deploy/prometheus/recording.rules.yml?")

    figure, (top, bottom) = pyplot.subplots(2, 1, figsize=(9, 6.5), sharex=True,
                                            gridspec_kw={"height_ratios": [1, 1.6]})
    for labels, points in apdex:
        top.plot(*zip(*points), label=labels.get("op", "?"), linewidth=1.5)
    top.set_ylabel("Apdex (cluster, 1 min)")
    top.set_ylim(0, 1.05)
    top.grid(alpha=0.3)
    top.legend(loc="lower right", fontsize="small")
    top.set_title("quokka: Apdex and latency quantiles per operation")

    colors = {}
    for labels, points in quantiles + maxima:
        op = labels.get("op", "?")
        color = colors.setdefault(op, f"C{len(colors)}")
        quantile = labels.get("quantile", "max")
        style = {"0.5": ":", "0.95": "-.", "0.99": "-", "max": "--"}.get(quantile, "-")
        name = f"{op} p{float(quantile) * 100:g}" if quantile != "max" else f"{op} max (node)"
        bottom.plot([t for t, _ in points], [v * 1000 for _, v in points], style, color=color,
                    label=name, linewidth=1.2)
    bottom.set_yscale("log")
    bottom.set_ylabel("latency (ms)")
    bottom.set_xlabel(f"seconds since {time.strftime('%H:%M:%S', time.localtime(start))}")
    bottom.grid(alpha=0.3, which="both")
    bottom.legend(loc="upper left", fontsize="small", ncol=2)
    figure.tight_layout()
    figure.savefig(args.output, dpi=72)
    print(f"plot-metrics: wrote {args.output} ({os.path.getsize(args.output)} bytes)")


if __name__ == "__main__":
    main()
