#!/usr/bin/env python3
"""Turns P5's benchmark rounds (JSON lines) into its BENCHMARKS.md section: medians and side-by-side ratios."""
import argparse, json, platform, statistics, subprocess, datetime, os

ap = argparse.ArgumentParser()
ap.add_argument("results")
ap.add_argument("--command", action="append", default=[])
ap.add_argument("--rounds", type=int)
args = ap.parse_args()

runs = {}
for line in open(args.results):
    row = json.loads(line)
    runs.setdefault(row["name"], []).append(row["r"])

def rps(r): return r["requests"] / (r["duration_us"] / 1e6)
def med(name, f): return statistics.median(f(r) for r in runs[name])

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

get_p, get_n = med("get_paddock", rps), med("get_nginx", rps)
ratio = get_p / get_n
p99 = med("get_paddock", lambda r: r["p99_us"]) / 1000
errors = sum(r["errors"] + r["non2xx"] for name in ("get_paddock", "post_paddock") for r in runs[name])

def ok(b): return "met" if b else "**not met**"

print(f"""## P5 — HTTP API against nginx serving the same bytes

Machine: {os.cpu_count()} cores ({cpu}), {mem} GiB, {platform.system()} {platform.release()}. Run: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, commit {commit}.
Every figure is the median of {args.rounds} rounds; the rounds alternate Paddock and nginx (A B A B …) in the same run.

| what | requests/s (median) | p50 latency | p99 latency | errors + non-2xx |
| --- | ---: | ---: | ---: | ---: |
| Paddock `GET /v1/environments/{{id}}` | {get_p:,.0f} | {med('get_paddock', lambda r: r['p50_us'])/1000:.2f} ms | {p99:.2f} ms | {sum(r['errors'] + r['non2xx'] for r in runs['get_paddock'])} |
| nginx, same JSON as a static file | {get_n:,.0f} | {med('get_nginx', lambda r: r['p50_us'])/1000:.2f} ms | {med('get_nginx', lambda r: r['p99_us'])/1000:.2f} ms | {sum(r['errors'] + r['non2xx'] for r in runs['get_nginx'])} |
| Paddock `POST /v1/environments` (each a new row, fsync'd) | {med('post_paddock', rps):,.0f} | {med('post_paddock', lambda r: r['p50_us'])/1000:.2f} ms | {med('post_paddock', lambda r: r['p99_us'])/1000:.2f} ms | {sum(r['errors'] + r['non2xx'] for r in runs['post_paddock'])} |

| target | measured | |
| --- | --- | --- |
| GET ≥ 40% of nginx's requests/s | {ratio:.0%} | {ok(ratio >= 0.4)} |
| GET p99 ≤ 10 ms | {p99:.2f} ms | {ok(p99 <= 10)} |
| no errors | {errors} | {ok(errors == 0)} |

Per-round ratios (Paddock GET / nginx GET): {", ".join(f"{rps(a)/rps(b):.0%}" for a, b in zip(runs['get_paddock'], runs['get_nginx']))}.

Command lines (`$KEY` is the admin key of the benchmark's fresh data directory):
""")
for c in args.command:
    name, cmd = c.split("=", 1)
    print(f"- {name}: `{cmd}`")
