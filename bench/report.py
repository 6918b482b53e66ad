#!/usr/bin/env python3
"""Turn the output of bench/run into a Markdown report.

Reads, from the folder given with --work: results.tsv (one line per pgbench
run), runs/N/txn* (pgbench per-transaction logs, whose third column is the
latency in microseconds), lock_samples.tsv, memory.tsv and meta.txt.  Prints
the report and writes it to --output.
"""

import argparse
import glob
import os
import sys

IMPL_NAMES = {
    "floor": "floor",
    "loop_tokens": "loop_tokens",
    "naive": "naive baseline",
    "careful": "careful baseline",
}

# Targets loop_tokens aims for.  The report marks each as met or missed and asserts nothing.
VERIFY_VS_FLOOR = 0.9
INSERVER_VS_CAREFUL = 2.5
HOT_TRIGGER_VS_NAIVE = 3.0
HOT_TRIGGER_VS_CAREFUL = 1.2
LARGE_VS_SMALL = 0.9
MEMORY_GROWTH_LIMIT_KIB = 1024


def read_meta(path):
    meta = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-fraction * len(sorted_values) // 1)))
    return sorted_values[rank - 1]


def read_latencies_us(run_dir):
    latencies = []
    for path in glob.glob(os.path.join(run_dir, "txn*")):
        with open(path) as f:
            for line in f:
                fields = line.split()
                if len(fields) >= 3:
                    latencies.append(int(fields[2]))
    latencies.sort()
    return latencies


def read_runs(work):
    runs = []
    with open(os.path.join(work, "results.tsv")) as f:
        for line in f:
            run, tokens, operation, impl, distribution, clients, tps, round_no = \
                line.rstrip("\n").split("\t")
            latencies = read_latencies_us(os.path.join(work, "runs", run))
            runs.append({
                "run": int(run),
                "tokens": int(tokens),
                "operation": operation,
                "impl": impl,
                "distribution": distribution,
                "clients": int(clients),
                "tps": float(tps),
                "round": int(round_no),
                "median_us": percentile(latencies, 0.5),
                "p99_us": percentile(latencies, 0.99),
                "transactions": len(latencies),
            })
    return runs


def read_lock_samples(work):
    samples = {}
    path = os.path.join(work, "lock_samples.tsv")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                run, total, waiting, waiters, events = line.rstrip("\n").split("\t")
                samples[int(run)] = {
                    "total": int(total),
                    "waiting": int(waiting),
                    "waiters": int(waiters),
                    "events": events,
                }
    return samples


def read_memory(work):
    memory = {}
    with open(os.path.join(work, "memory.tsv")) as f:
        for line in f:
            if not line.strip():
                continue
            stage, calls, rss, anon, hwm, contexts = line.rstrip("\n").split("\t")
            memory[stage] = {
                "calls": int(calls),
                "rss": int(rss),
                "anon": int(anon),
                "hwm": int(hwm),
                "contexts": int(contexts),
            }
    return memory


def find(runs, **match):
    """First-round run that matches every given field, or None."""
    for r in runs:
        if r["round"] == 1 and all(r[k] == v for k, v in match.items()):
            return r
    return None


def median_tps(runs, **match):
    """Median TPS over all rounds of the matching runs, and how many there were."""
    values = sorted(r["tps"] for r in runs if all(r[k] == v for k, v in match.items()))
    if not values:
        return None, 0
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle], len(values)
    return (values[middle - 1] + values[middle]) / 2, len(values)


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fmt_ratio(value):
    return "–" if value is None else f"{value:.2f}x"


def fmt_ms(us):
    return f"{us / 1000:.3f}"


def lock_cell(samples, run):
    s = samples.get(run["run"])
    if s is None:
        return ""
    cell = f"{s['waiting']}/{s['total']}"
    if s["events"]:
        cell += f" ({s['events']})"
    return cell


def load_table(runs, samples):
    lines = [
        "| tokens | operation | implementation | token use | clients | TPS | median ms | p99 ms "
        "| vs floor | vs naive | vs careful | lock-wait samples |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    order = {"floor": 0, "verify": 1, "trigger": 2, "mint": 3}
    impl_order = {"floor": 0, "loop_tokens": 1, "naive": 2, "careful": 3}
    selected = [r for r in runs if r["operation"] in order and r["round"] == 1]
    selected.sort(key=lambda r: (r["tokens"] == 0, r["tokens"], order[r["operation"]],
                                 r["distribution"], r["clients"], impl_order[r["impl"]]))
    for r in selected:
        # A loop_tokens variant ("random, 60 s resolution") is compared with
        # the baselines' plain runs of the same token use.
        peers = dict(tokens=r["tokens"], operation=r["operation"],
                     distribution=r["distribution"].split(",")[0], clients=r["clients"])
        floor = find(runs, tokens=r["tokens"], operation="floor", clients=r["clients"])
        naive = find(runs, impl="naive", **peers)
        careful = find(runs, impl="careful", **peers)
        vs_floor = ratio(r["tps"], floor["tps"]) if floor and r["operation"] != "mint" else None
        vs_naive = ratio(r["tps"], naive["tps"]) if naive and r["impl"] != "naive" else None
        vs_careful = ratio(r["tps"], careful["tps"]) if careful and r["impl"] != "careful" else None
        lines.append(
            f"| {r['tokens'] or '–'} | {r['operation']} | {IMPL_NAMES[r['impl']]} "
            f"| {r['distribution']} | {r['clients']} | {r['tps']:.0f} "
            f"| {fmt_ms(r['median_us'])} | {fmt_ms(r['p99_us'])} "
            f"| {fmt_ratio(vs_floor)} | {fmt_ratio(vs_naive)} | {fmt_ratio(vs_careful)} "
            f"| {lock_cell(samples, r)} |")
    return lines


def read_inserver(work):
    """Median CPU and wall-clock nanoseconds per call of each in-server statement."""
    passes = {}
    with open(os.path.join(work, "inserver.tsv")) as f:
        for line in f:
            if not line.strip():
                continue
            impl, _, calls, cpu_ns, wall_ns = line.rstrip("\n").split("\t")
            passes.setdefault(impl, []).append((int(cpu_ns) / int(calls), int(wall_ns) / int(calls)))
    result = {}
    for impl, values in passes.items():
        cpu = sorted(v[0] for v in values)
        wall = sorted(v[1] for v in values)
        result[impl] = {"cpu_ns": percentile(cpu, 0.5), "wall_ns": percentile(wall, 0.5),
                        "passes": len(values)}
    return result


def inserver_table(inserver):
    lines = [
        "| implementation | CPU µs per call | wall-clock µs per call | CPU vs floor "
        "| careful's CPU / this |",
        "|---|---:|---:|---:|---:|",
    ]
    floor = inserver.get("floor")
    careful = inserver.get("careful")
    for impl in ("floor", "loop_tokens", "careful", "naive"):
        r = inserver.get(impl)
        if r is None:
            continue
        vs_floor = ratio(r["cpu_ns"], floor["cpu_ns"]) if floor else None
        speedup = ratio(careful["cpu_ns"], r["cpu_ns"]) if careful else None
        lines.append(f"| {IMPL_NAMES[impl]} | {r['cpu_ns'] / 1000:.2f} | {r['wall_ns'] / 1000:.2f} "
                     f"| {fmt_ratio(vs_floor)} | {fmt_ratio(speedup)} |")
    return lines


def check(met):
    return "met" if met else "**missed**"


def targets(runs, samples, memory, inserver, meta):
    small = int(meta["small_set"])
    large = int(meta["large_set"])
    rows = ["| target | measured | result |", "|---|---|---|"]

    floor1, rounds = median_tps(runs, tokens=small, operation="floor", clients=1)
    for distribution in ("random", "hot", "read-only", "random, 60 s resolution"):
        verify1, _ = median_tps(runs, tokens=small, operation="verify", impl="loop_tokens",
                                distribution=distribution, clients=1)
        value = ratio(verify1, floor1)
        if value is not None:
            rows.append(f"| verify ({distribution}) at 1 client ≥ {VERIFY_VS_FLOOR}x the "
                        f"floor's TPS | {value:.2f}x (medians of {rounds} runs each) "
                        f"| {check(value >= VERIFY_VS_FLOOR)} |")

    if "loop_tokens" in inserver and "careful" in inserver:
        value = inserver["careful"]["cpu_ns"] / inserver["loop_tokens"]["cpu_ns"]
        rows.append(f"| one verify inside the server ≥ {INSERVER_VS_CAREFUL}x faster than "
                    f"the careful baseline's | {value:.2f}x | {check(value >= INSERVER_VS_CAREFUL)} |")

    max_clients = max(r["clients"] for r in runs if r["operation"] == "trigger")
    hot = dict(tokens=small, operation="trigger", distribution="hot", clients=max_clients)
    lt = find(runs, impl="loop_tokens", **hot)
    if lt:
        s = samples.get(lt["run"], {"waiting": 0, "total": 0, "events": ""})
        detail = f" ({s['events']})" if s["events"] else ""
        rows.append(f"| trigger, one hot token, {max_clients} clients: zero lock-wait samples "
                    f"| {s['waiting']} of {s['total']}{detail} | {check(s['waiting'] == 0)} |")
        for impl, limit in (("naive", HOT_TRIGGER_VS_NAIVE), ("careful", HOT_TRIGGER_VS_CAREFUL)):
            peer = find(runs, impl=impl, **hot)
            value = ratio(lt["tps"], peer and peer["tps"])
            if value is not None:
                rows.append(f"| trigger, one hot token, {max_clients} clients ≥ {limit}x "
                            f"the {impl} baseline | {value:.2f}x | {check(value >= limit)} |")

    for r in runs:
        if (r["tokens"] == large and r["operation"] == "verify" and r["impl"] == "loop_tokens"
                and r["round"] == 1):
            peer, _ = median_tps(runs, tokens=small, operation="verify", impl="loop_tokens",
                                 distribution="random", clients=r["clients"])
            floor_large = find(runs, tokens=large, operation="floor", clients=r["clients"])
            floor_small, _ = median_tps(runs, tokens=small, operation="floor",
                                        clients=r["clients"])
            value = ratio(r["tps"], peer)
            floor_drop = ratio(floor_large and floor_large["tps"], floor_small)
            if value is not None:
                context = "" if floor_drop is None else f" (the floor's own: {floor_drop:.2f}x)"
                rows.append(f"| verify with {large} tokens ≥ {LARGE_VS_SMALL}x verify with "
                            f"{small}, {r['clients']} clients | {value:.2f}x{context} "
                            f"| {check(value >= LARGE_VS_SMALL)} |")

    for r in runs:
        if r["operation"] == "mint" and r["impl"] == "loop_tokens":
            peers = [find(runs, operation="mint", impl=i, clients=r["clients"])
                     for i in ("naive", "careful")]
            best = max(p["tps"] for p in peers if p)
            value = r["tps"] / best
            rows.append(f"| mint at {r['clients']} clients ≥ the baselines' rate "
                        f"| {value:.2f}x the faster baseline | {check(value >= 1.0)} |")

    if "before" in memory and "after" in memory:
        growth = memory["after"]["anon"] - memory["before"]["anon"]
        rss_growth = memory["after"]["rss"] - memory["before"]["rss"]
        rows.append(f"| memory growth over {memory['after']['calls']} verify calls < 1 MiB "
                    f"| {growth} KiB private (RssAnon), {rss_growth} KiB resident (VmRSS) "
                    f"| {check(growth < MEMORY_GROWTH_LIMIT_KIB)} |")
    return rows


def memory_table(memory):
    lines = [
        "| reading | verify calls | VmRSS KiB | RssAnon KiB | VmHWM KiB | memory contexts bytes |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for stage in ("before", "after"):
        m = memory.get(stage)
        if m:
            lines.append(f"| {stage} | {m['calls']} | {m['rss']} | {m['anon']} | {m['hwm']} "
                         f"| {m['contexts']} |")
    return lines


def build_report(work, notes_path):
    meta = read_meta(os.path.join(work, "meta.txt"))
    runs = read_runs(work)
    samples = read_lock_samples(work)
    memory = read_memory(work)
    inserver = read_inserver(work)
    calls = int(meta["inserver_calls"])

    out = [
        "# Benchmarks",
        "",
        "Written by `bench/run`; `bench/README.md` says what each row measures. "
        "Each ratio compares transactions per second with the row of the same "
        "token count, operation, token use and client count.",
        "",
        f"- command: `{meta['command']}`",
        f"- date: {meta['date']}, commit {meta['commit']}",
        f"- machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory']}, {meta['kernel']}; "
        f"load average (1, 5, 15 min) {meta['load']}",
        f"- loop_tokens.so built from that commit, SHA-256 {meta['library']}…",
        f"- PostgreSQL {meta['postgres']}, pgbench over the Unix socket, "
        f"{meta['duration']} s per run ({meta['mint_duration']} s for mint), fsync off",
        f"- whole run: {meta['elapsed']} s before this report",
        "",
        "## Targets",
        "",
        *targets(runs, samples, memory, inserver, meta),
        "",
        "## Throughput and latency",
        "",
        "Token use: `random` picks any of the loaded tokens for each call, `hot` "
        "uses token 1 for every call. Lock-wait samples: samples of "
        "`pg_stat_activity`, taken every 20 ms during hot-token runs, in which "
        "at least one backend had `wait_event_type = 'Lock'`, out of all "
        "samples, with the wait events seen. The 1-client floor and loop_tokens verify "
        f"runs were repeated {meta['repeat_rounds']} more times, alternating; the table "
        "shows the first round and the targets use the medians.",
        "",
        *load_table(runs, samples),
        "",
        f"## One call inside the server",
        "",
        f"`SELECT count(f(...)) FROM` {calls} rows of `bench.plain`, so no client "
        f"round trip separates the calls: the median of {meta['inserver_passes']} timed "
        f"passes on one connection per implementation, after one untimed pass. CPU time "
        f"is the backend's own (`/proc/self/schedstat`), so other load on the machine "
        f"does not inflate it; the target uses it.",
        "",
        *inserver_table(inserver),
        "",
        "## Backend memory",
        "",
        f"One connection runs `loop_tokens.verify` over {calls} tokens once, reads "
        f"`/proc/self/status` and `pg_backend_memory_contexts`, runs the same "
        f"statement until the count below is reached, and reads them again.",
        "",
        *memory_table(memory),
        "",
    ]
    if notes_path and os.path.exists(notes_path):
        with open(notes_path) as f:
            out.append(f.read().rstrip("\n"))
            out.append("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True, help="folder written by bench/run")
    parser.add_argument("--notes", help="Markdown file appended to the report")
    parser.add_argument("--output", required=True, help="Markdown file to write")
    args = parser.parse_args()

    report = build_report(args.work, args.notes)
    with open(args.output, "w") as f:
        f.write(report)
    sys.stdout.write(report)


if __name__ == "__main__":
    main()
