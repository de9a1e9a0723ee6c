#!/usr/bin/env python3
"""Session benchmarks of design/performance.md (P1 P2 P3 P4 P7 P8), side by side with raw runc
and podman on the same root filesystem. Writes one Markdown section per benchmark into
--out-dir (P1.md, ...); bench/run composes them with P5 into BENCHMARKS.md.

No assertions: every figure is printed as measured, and a missed target is said plainly.
Everything this script creates (servers, sessions, mounts, runc containers, podman containers
and images, temporary directories) is removed at the end, also on failure or SIGTERM.
Python 3 standard library only."""
import random
import argparse, datetime, http.client, json, math, os, platform, shutil, signal, socket
import statistics, subprocess, sys, threading, time

PACKAGES = {"apt": ["jq"], "pip": ["six==1.16.0"]}
ENV_NAME = "bench-pkgs"
HAND_COMMAND = ("apt-get update && apt-get install -y --no-install-recommends jq"
                " && PIP_BREAK_SYSTEM_PACKAGES=1 pip install six==1.16.0")
# Docker's and podman's default capability set: what a container run "by hand" gets.
DEFAULT_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
                "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
ALL_PARTS = ["P1", "P2", "P3", "P4", "P7", "P8"]


def log(msg):
    print(f"[sessions {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(argv, check=True, **kw):
    """Runs argv (no shell), returning the CompletedProcess; output captured as text."""
    kw.setdefault("capture_output", True)
    proc = subprocess.run(argv, text=True, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {(proc.stderr or '')[-800:]}")
    return proc


def timed(argv, **kw):
    """Wall time in seconds of running argv to completion; raises when it fails."""
    t0 = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kw)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr[-800:]}")
    return elapsed


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def ms(seconds):
    return f"{seconds * 1000:,.1f} ms"


def rounds_text(n):
    return f"{n} round" if n == 1 else f"{n} rounds"


def met(ok):
    return "met" if ok else "**not met**"


# --- cleanup --------------------------------------------------------------------------------

class Cleanup:
    """A stack of undo actions, run newest first; a failing action is logged, not fatal."""

    def __init__(self):
        self.actions = []

    def push(self, description, fn):
        self.actions.append((description, fn))
        return len(self.actions) - 1

    def run_one(self, token):
        description, fn = self.actions[token]
        self.actions[token] = (description, None)
        if fn is not None:
            self._call(description, fn)

    def run_all(self):
        while self.actions:
            description, fn = self.actions.pop()
            if fn is not None:
                self._call(description, fn)

    @staticmethod
    def _call(description, fn):
        try:
            fn()
        except Exception as e:  # keep cleaning up
            log(f"cleanup: {description} failed: {e}")


def mounts_under(prefix):
    """Mount points at or below prefix, deepest first."""
    points = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            point = line.split()[4].replace("\\040", " ")
            if point == prefix or point.startswith(prefix.rstrip("/") + "/"):
                points.append(point)
    return sorted(set(points), key=lambda p: p.count("/"), reverse=True)


def unmount_all(prefix):
    for point in mounts_under(prefix):
        if run(["umount", point], check=False).returncode != 0:
            run(["umount", "-l", point], check=False)


def overlay_lowerdir(mount_point):
    """The lowerdir option of the overlay mounted at mount_point."""
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4] == mount_point:
                sep = fields.index("-")
                for option in fields[sep + 3].split(","):
                    if option.startswith("lowerdir="):
                        return option[len("lowerdir="):]
    raise RuntimeError(f"no overlay mounted at {mount_point}")


def runc_ids(root):
    if not os.path.isdir(root):
        return []
    out = run(["runc", "--root", root, "list", "-q"], check=False).stdout
    return [line for line in out.split() if line]


def remove_runc_containers(root):
    for cid in runc_ids(root):
        run(["runc", "--root", root, "kill", cid, "KILL"], check=False)
        time.sleep(0.2)
        run(["runc", "--root", root, "delete", "-f", cid], check=False)


# --- machine --------------------------------------------------------------------------------

def machine_line():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    runc_v = run(["runc", "--version"], check=False).stdout.split("\n")[0]
    podman_v = run(["podman", "--version"], check=False).stdout.strip()
    commit = run(["git", "rev-parse", "--short", "HEAD"], check=False).stdout.strip()
    dirty = " (with uncommitted changes)" if run(["git", "status", "--porcelain", "--untracked-files=no"], check=False).stdout.strip() else ""
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB, {platform.system()} {platform.release()}; "
            f"{runc_v}, {podman_v}. Run: {date}, commit {commit}{dirty}; load average {load_average()} when it started "
            f"(the machine is shared).")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def meminfo():
    """/proc/meminfo in bytes, each field the median of three reads a second apart."""
    reads = []
    for i in range(3):
        if i:
            time.sleep(1)
        with open("/proc/meminfo") as f:
            reads.append({l.split(":")[0]: int(l.split()[1]) * 1024 for l in f if l.split()[1:]})
    return {k: statistics.median(r[k] for r in reads) for k in reads[0]}


def all_pss():
    """PSS in bytes of every process on the host, by pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            found[int(entry)] = proc_memory(int(entry))[1]
    return found


def host_snapshot():
    """(meminfo, PSS by pid), taken together: the PSS lets the other processes' growth be subtracted."""
    info = meminfo()
    return info, all_pss()


def cgroup_memory(session_id):
    try:
        with open(f"/sys/fs/cgroup/memory/paddock/{session_id}/memory.usage_in_bytes") as f:
            return int(f.read())
    except OSError:
        return 0


def proc_memory(pid):
    """(RSS, PSS) of a process in bytes, (0, 0) when it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


def cgroup_pids(session_id):
    for controller in ("pids", "memory", "cpu", "unified"):
        path = f"/sys/fs/cgroup/{controller}/paddock/{session_id}/cgroup.procs"
        if os.path.exists(path):
            with open(path) as f:
                return [int(x) for x in f.read().split()]
    return []


# --- the server and its API ------------------------------------------------------------------

class ApiError(Exception):
    def __init__(self, method, path, status, payload):
        super().__init__(f"{method} {path} → HTTP {status}: {json.dumps(payload)[:600]}")
        self.status = status
        self.payload = payload


class Api:
    """JSON calls over one keep-alive HTTP connection per thread (http.client)."""

    def __init__(self, port, key):
        self.port, self.key = port, key
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
            conn.connect()
            self.local.conn = conn
        return conn

    def drop_connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
            self.local.conn = None

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"authorization": f"Bearer {self.key}"}
        if data is not None:
            headers["content-type"] = "application/json"
        for attempt in (0, 1):
            conn = self.connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest, ConnectionResetError, BrokenPipeError):
                self.drop_connection()  # a stale keep-alive connection: one retry on a new one
                if attempt:
                    raise
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode(errors="replace")
        if response.status >= 400:
            raise ApiError(method, path, response.status, payload)
        return payload

    def text(self, path):
        conn = self.connection()
        conn.request("GET", path, headers={"authorization": f"Bearer {self.key}"})
        response = conn.getresponse()
        return response.read().decode(errors="replace")

    def create_session(self, environment):
        return self.call("POST", "/v1/sessions", {"environment": environment, "wait": True})

    def exec_true(self, session_id):
        result = self.call("POST", f"/v1/sessions/{session_id}/exec", {"command": ["true"]})
        if result.get("exit_code") != 0:
            raise RuntimeError(f"exec of true in {session_id} returned {result}")
        return result

    def delete_session(self, session_id):
        return self.call("DELETE", f"/v1/sessions/{session_id}")

    def sessions(self):
        found, after = [], None
        while True:
            page = self.call("GET", "/v1/sessions?limit=100" + (f"&after_id={after}" if after else ""))
            found += page["data"]
            if not page.get("has_more") or not page["data"]:
                return found
            after = page["last_id"]


class Server:
    """A `paddock serve` on a free loopback port with its own data directory."""

    count = random.randrange(26 * 26)  # two benchmark runs at once get different names

    def __init__(self, ctx, name):
        self.ctx = ctx
        self.name = name
        self.data = os.path.join(ctx.work, name, "data")
        os.makedirs(os.path.dirname(self.data), exist_ok=True)
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        # A network of its own (table paddock_b.., veths pdb..-, a /16 in 10.204-10.212 — room for
        # P7's hundreds of sessions), removed by stop(): the benchmark never touches a `make run`
        # server's (10.203/16) or a test run's (10.213/16, 10.214/16) network.
        Server.count += 1
        self.tag = "b" + "abcdefghijklmnopqrstuvwxyz"[Server.count // 26 % 26] + "abcdefghijklmnopqrstuvwxyz"[Server.count % 26]
        self.argv = [ctx.args.bin, "serve", "--listen", f"127.0.0.1:{self.port}", "--data", self.data,
                     "--images", ctx.args.images, "--quiet", "--network-tag", self.tag,
                     "--session-pool", f"10.{204 + Server.count % 9}.0.0/16"]
        self.log_path = os.path.join(ctx.work, name, "server.log")
        self.log_file = open(self.log_path, "w")
        # Own session: a ^C on the terminal must not stop the server before its sessions are deleted.
        self.proc = subprocess.Popen(self.argv, stdout=self.log_file, stderr=self.log_file, start_new_session=True)
        self.stopped = False
        ctx.cleanup.push(f"server {name}", self.stop)
        for _ in range(300):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server {name} exited {self.proc.returncode}: {self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                if os.path.exists(os.path.join(self.data, "admin.key")):
                    break
            except OSError:
                pass
            time.sleep(0.05)
        with open(os.path.join(self.data, "admin.key")) as f:
            self.api = Api(self.port, f.read().strip())
        self.api.call("GET", "/healthz")
        log(f"server {name} listening on 127.0.0.1:{self.port} (data {self.data})")

    def command_line(self):
        return " ".join([self.ctx.args.bin_shown] + self.argv[1:]).replace(self.ctx.work, "$WORK").replace(f":{self.port}", ":$PORT")

    def log_tail(self, n=15):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def environment(self, name, packages):
        return self.api.call("POST", "/v1/environments", {"name": name, "config": {"type": "cloud", "packages": packages}})

    def check_alive(self, part):
        if self.proc.poll() is not None:
            self.ctx.problem(part, f"server {self.name} died (exit {self.proc.returncode}); log tail:\n```\n{self.log_tail()}```")
            return False
        return True

    def audit(self, part):
        """After every session was deleted: no runc container and no session mount may remain."""
        if not self.check_alive(part):
            return
        live = {s["id"] for s in self.api.sessions() if s["status"] not in ("terminated", "failed")}
        left = [cid for cid in runc_ids(os.path.join(self.data, "runc")) if cid not in live]
        if left:
            self.ctx.problem(part, f"{len(left)} runc container(s) still exist after their sessions were deleted: {', '.join(left[:5])}")
        stray = [p for p in mounts_under(os.path.join(self.data, "sessions")) if not any(sid in p for sid in live)]
        if stray:
            self.ctx.problem(part, f"{len(stray)} mount(s) left after the sessions were deleted, e.g. {stray[0]}")
        builds = runc_ids(os.path.join(self.data, "runc-build"))
        if builds:
            self.ctx.problem(part, f"{len(builds)} build container(s) left: {', '.join(builds[:5])}")

    def delete_all_sessions(self):
        try:
            for s in self.api.sessions():
                if s["status"] not in ("terminated", "failed"):
                    try:
                        self.api.delete_session(s["id"])
                    except Exception as e:
                        log(f"delete of {s['id']} failed: {e}")
        except Exception as e:
            log(f"could not list the sessions of server {self.name}: {e}")

    def stop(self):
        """Deletes every session, stops the server, removes what it left behind (and says so)."""
        if self.stopped:
            return
        self.stopped = True
        if self.proc.poll() is None:
            self.delete_all_sessions()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.ctx.problem(self.ctx.current, f"server {self.name} did not stop within 20 s of SIGTERM; killed")
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        subprocess.run(["nft", "delete", "table", "inet", f"paddock_{self.tag}"], stderr=subprocess.DEVNULL)
        for root in ("runc", "runc-build"):
            left = runc_ids(os.path.join(self.data, root))
            if left:
                self.ctx.problem(self.ctx.current, f"server {self.name} left {len(left)} container(s) in {root} after its sessions were deleted and it stopped; removed")
                remove_runc_containers(os.path.join(self.data, root))
        left = mounts_under(self.data)
        if left:
            self.ctx.problem(self.ctx.current, f"server {self.name} left {len(left)} mount(s) under its data directory after it stopped, e.g. {left[0]}; unmounted")
            unmount_all(self.data)
        sessions_dir = os.path.join(self.data, "sessions")
        for sid in (os.listdir(sessions_dir) if os.path.isdir(sessions_dir) else []):
            for d in (f"/sys/fs/cgroup/{c}/paddock/{sid}" for c in os.listdir("/sys/fs/cgroup")):
                if os.path.isdir(d):
                    self.ctx.problem(self.ctx.current, f"cgroup {d} left after the session was deleted; removed")
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
        shutil.rmtree(os.path.dirname(self.data), ignore_errors=True)


# --- the peers: raw runc and podman on the same rootfs ----------------------------------------

class Podman:
    """podman with its own storage below $WORK (removed at the end) and this host's quirks."""

    def __init__(self, ctx):
        self.ctx = ctx
        base = os.path.join(ctx.work, "podman")
        self.base = base
        self.global_args = ["podman", "--root", f"{base}/root", "--runroot", f"{base}/run", "--tmpdir", f"{base}/tmp",
                            "--runtime", "runc", "--cgroup-manager=cgroupfs", "--events-backend=file"]
        self.run_args = ["--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
        self.image = "paddock-bench"
        # In cgroupfs mode podman leaves an empty libpod_parent/conmon cgroup behind: remove it if it is ours.
        self.cgroup_was_there = any(os.path.isdir(f"/sys/fs/cgroup/{c}/libpod_parent") for c in os.listdir("/sys/fs/cgroup"))
        ctx.cleanup.push("podman storage", self.remove_everything)

    def argv(self, *args):
        return self.global_args + list(args)

    def shown(self, *args):
        return " ".join(self.argv(*args)).replace(self.ctx.work, "$WORK")

    def import_rootfs(self, rootfs):
        log(f"podman: importing {rootfs} as {self.image} (once)")
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        imp = subprocess.run(self.argv("import", "-", self.image), stdin=tar.stdout, capture_output=True, text=True)
        tar.stdout.close()
        tar.wait()
        if imp.returncode != 0 or tar.returncode != 0:
            raise RuntimeError(f"podman import failed: {imp.stderr[-800:]}")

    def remove_everything(self):
        run(self.argv("rm", "-af", "-t", "0"), check=False)
        run(self.argv("rmi", "-af"), check=False)
        unmount_all(self.base)
        shutil.rmtree(self.base, ignore_errors=True)
        if not self.cgroup_was_there:
            for c in os.listdir("/sys/fs/cgroup"):
                for d in (f"/sys/fs/cgroup/{c}/libpod_parent/conmon", f"/sys/fs/cgroup/{c}/libpod_parent"):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass


def runc_spec(bundle):
    os.makedirs(bundle, exist_ok=True)
    path = os.path.join(bundle, "config.json")
    if os.path.exists(path):
        os.remove(path)
    run(["runc", "spec"], cwd=bundle)
    with open(path) as f:
        return json.load(f)


def write_spec(bundle, spec):
    with open(os.path.join(bundle, "config.json"), "w") as f:
        json.dump(spec, f, indent=1)


# --- the shared context ----------------------------------------------------------------------

class Context:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.cleanup = Cleanup()
        self.problems = {}
        self.current = "setup"
        self._warm = None
        self._raw = None
        self._raw_bundle = None
        self._podman = None

    @property
    def machine(self):
        """The machine line, evaluated when a section starts (date and load of that moment)."""
        if getattr(self, "_machine_part", None) != self.current:
            self._machine_part, self._machine = self.current, machine_line()
        return self._machine

    def problem(self, part, text):
        log(f"PROBLEM ({part}): {text}")
        self.problems.setdefault(part, []).append(text)

    def problems_md(self, part):
        items = self.problems.get(part, [])
        if not items:
            return "\nServer problems seen during this benchmark: none (no errors, crashes, or leftover containers or mounts after the deletes).\n"
        return "\nServer problems seen during this benchmark:\n\n" + "\n".join(f"- {t}" for t in items) + "\n"

    def warm(self):
        """A server whose `bench-pkgs` environment (apt jq, pip six) is built and cached."""
        if self._warm is None:
            server = Server(self, "warm")
            server.environment(ENV_NAME, PACKAGES)
            log(f"warming {ENV_NAME} (first session builds its layers)")
            first = server.api.create_session(ENV_NAME)
            if first["status"] != "running":
                raise RuntimeError(f"warm-up session did not reach running: {json.dumps(first)[:800]}")
            self.lowerdir = overlay_lowerdir(os.path.join(server.data, "sessions", first["id"], "rootfs"))
            server.api.delete_session(first["id"])
            self.warm_steps = first["provisioning"]["steps"]
            envs = server.api.call("GET", "/v1/environments?name=default")["data"]
            if envs:
                self.default_env = envs[0]
            else:
                self.default_env = server.environment("bench-default", {})
                self.problem("P7", "the admin account has no environment named `default`; used an environment without packages")
            self._warm = server
        return self._warm

    def raw_rootfs(self):
        """The cached layers + base image, as a read-only overlay (the same lower dirs as the sessions)."""
        if self._raw is None:
            self.warm()
            merged = os.path.join(self.work, "raw", "rootfs")
            os.makedirs(merged)
            run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={self.lowerdir}", merged])
            self.cleanup.push("raw rootfs overlay", lambda: unmount_all(merged))
            self._raw = merged
        return self._raw

    def raw_true(self, name):
        """Seconds of one `runc run` of `true` over the read-only overlay of the cached layers."""
        if self._raw_bundle is None:
            rootfs = self.raw_rootfs()
            bundle = os.path.join(self.work, "raw", "p1-bundle")
            spec = runc_spec(bundle)
            spec["process"]["args"] = ["true"]
            spec["process"]["terminal"] = False
            spec["root"] = {"path": rootfs, "readonly": True}
            write_spec(bundle, spec)
            runc_root = os.path.join(self.work, "raw", "runc")
            self.cleanup.push("raw runc containers", lambda: remove_runc_containers(runc_root))
            self._raw_bundle = (runc_root, bundle)
        runc_root, bundle = self._raw_bundle
        return timed(["runc", "--root", runc_root, "run", "--bundle", bundle, f"pb{os.getpid()}-{name}"])

    def podman(self):
        if self._podman is None:
            podman = Podman(self)
            podman.import_rootfs(self.raw_rootfs())
            self._podman = podman
        return self._podman


# --- P1 --------------------------------------------------------------------------------------

def paddock_start(api, environment):
    """Seconds from POST /v1/sessions (wait) to the first exec of `true` returning, plus the session."""
    t0 = time.perf_counter()
    session = api.create_session(environment)
    if session["status"] != "running":
        raise RuntimeError(f"session did not reach running: {json.dumps(session)[:800]}")
    api.exec_true(session["id"])
    elapsed = time.perf_counter() - t0
    t1 = time.perf_counter()
    api.delete_session(session["id"])
    return elapsed, session, time.perf_counter() - t1


def bench_p1(ctx):
    server = ctx.warm()
    rootfs = ctx.raw_rootfs()
    podman = ctx.podman()
    api = server.api
    tag = f"pb{os.getpid()}"
    raw = ctx.raw_true

    def pod():
        return timed(podman.argv("run", "--rm", *podman.run_args, podman.image, "true"))

    default_name = ctx.default_env["name"]
    log("P1 warm-up round")
    paddock_start(api, ENV_NAME), raw("p1-warm"), pod(), paddock_start(api, default_name)
    n = ctx.args.p1_rounds
    samples = {"paddock": [], "runc": [], "podman": [], "default": []}
    container_ms, delete_s = [], []
    for i in range(n):
        log(f"P1 round {i + 1}/{n}: Paddock, raw runc, podman, Paddock (default environment)")
        elapsed, session, deleted = paddock_start(api, ENV_NAME)
        samples["paddock"].append(elapsed)
        delete_s.append(deleted)
        container_ms += [s["duration_ms"] for s in session["provisioning"]["steps"] if s["name"] == "container"]
        if any(s["status"] != "cached" for s in session["provisioning"]["steps"] if s["name"] != "container"):
            ctx.problem("P1", f"a session of the cached environment rebuilt a layer: {session['provisioning']['steps']}")
        samples["runc"].append(raw(f"p1-{i}"))
        samples["podman"].append(pod())
        samples["default"].append(paddock_start(api, default_name)[0])
    server.audit("P1")

    p = {k: (statistics.median(v), pct(v, 95), min(v), max(v)) for k, v in samples.items()}
    vs_runc = p["paddock"][0] / p["runc"][0]
    vs_podman = p["podman"][0] / p["paddock"][0]
    rows = [("Paddock: create (wait) → running → first exec of `true`, `bench-pkgs` (apt jq + pip six, cached)", "paddock"),
            (f"Paddock: the same, `{default_name}` environment (no packages)", "default"),
            ("raw `runc run` of the same layers (read-only overlay), `true`", "runc"),
            ("`podman run --rm` of the same rootfs imported as an image, `true`", "podman")]
    table = "\n".join(f"| {label} | {ms(p[k][0])} | {ms(p[k][1])} | {ms(p[k][2])} | {ms(p[k][3])} | {len(samples[k])} |" for label, k in rows)
    per_round = ", ".join(f"{a / b:.2f}×" for a, b in zip(samples["paddock"], samples["runc"]))
    return f"""## P1 — session create → first exec, environment already cached

{ctx.machine}
{rounds_text(n)} after one warm-up round; each round runs, in this order, Paddock, raw runc, podman and
Paddock on the default environment (A B C D A B C D …). p95 is the nearest-rank percentile.

| what (one start each) | p50 | p95 | min | max | n |
| --- | ---: | ---: | ---: | ---: | ---: |
{table}

| target | measured | |
| --- | --- | --- |
| p50 ≤ 100 ms | {ms(p['paddock'][0])} | {met(p['paddock'][0] <= 0.1)} |
| p95 ≤ 200 ms | {ms(p['paddock'][1])} | {met(p['paddock'][1] <= 0.2)} |
| ≤ 1.5× raw runc (p50 / p50) | {vs_runc:.2f}× | {met(vs_runc <= 1.5)} |
| ≥ 5× faster than podman (podman p50 / Paddock p50) | {vs_podman:.2f}× | {met(vs_podman >= 5)} |
| start does not grow with the packages once cached (p50 with jq+six / p50 with none) | {p['paddock'][0] / p['default'][0]:.2f}× | {met(p['paddock'][0] / p['default'][0] <= 1.1)} |

Per-round Paddock / raw runc: {per_round}.
Paddock's sessions are `unrestricted` (both environments' default), so each start also makes the session's network: a namespace, a veth pair, its nftables chain (applied and read back) and the egress gateway's listeners; raw runc and podman get no network at all (`--network none`).
Inside Paddock's time, the `container` step the server reports (mount the overlay, attach the network, write the bundle, `runc create`/`start`, agent ready) has a median of {statistics.median(container_ms):.0f} ms;
the untimed `DELETE` after each start took {ms(statistics.median(delete_s))} (median), {ms(max(delete_s))} at most.

What is timed:
- Paddock: `POST /v1/sessions {{"environment":"{ENV_NAME}","wait":true}}` until its response, then `POST /v1/sessions/{{id}}/exec {{"command":["true"]}}` until its response (Python `http.client`, one keep-alive connection; the `DELETE /v1/sessions/{{id}}` afterwards is not timed). Server: `{server.command_line()}`.
- raw runc (wall time of the process, from fork to exit, which includes create, start, `true` and delete): `runc --root $WORK/raw/runc run --bundle $WORK/raw/p1-bundle {tag}-p1-N`; `config.json` is `runc spec` with `args ["true"]`, `terminal false`, root `$WORK/raw/rootfs` read-only — `mount -t overlay overlay -o lowerdir=<the lower dirs of a Paddock session of bench-pkgs: its two layers + the base image> $WORK/raw/rootfs`.
- podman (wall time of the process): `{podman.shown('run', '--rm', *podman.run_args, podman.image, 'true')}`; the image was made once with `tar -C $WORK/raw/rootfs -c . | {podman.shown('import', '-', podman.image)}`.
{ctx.problems_md('P1')}"""


# --- P2 --------------------------------------------------------------------------------------

def bench_p2(ctx):
    server = ctx.warm()
    podman = ctx.podman()
    api = server.api
    session = api.create_session(ENV_NAME)
    if session["status"] != "running":
        raise RuntimeError(f"session did not reach running: {json.dumps(session)[:800]}")
    sid = session["id"]
    name = f"pb{os.getpid()}-p2"
    run(podman.argv("run", "-d", "--name", name, *podman.run_args, podman.image, "sleep", "infinity"))
    token = ctx.cleanup.push("podman exec container", lambda: run(podman.argv("rm", "-f", "-t", "0", name), check=False))
    runc_argv = ["runc", "--root", os.path.join(server.data, "runc"), "exec", sid, "true"]
    podman_argv = podman.argv("exec", name, "true")
    per_round = ctx.args.p2_api_per_round
    n = ctx.args.p2_rounds

    def api_exec():
        t0 = time.perf_counter()
        result = api.exec_true(sid)
        return time.perf_counter() - t0, result.get("duration_ms")

    log("P2 warm-up")
    for _ in range(5):
        api_exec()
    timed(runc_argv), timed(podman_argv)
    samples = {"api": [], "runc": [], "podman": []}
    server_ms = []
    for i in range(n):
        if i % 10 == 0:
            log(f"P2 round {i + 1}/{n}: {per_round}× API exec, runc exec, podman exec")
        for _ in range(per_round):
            elapsed, duration = api_exec()
            samples["api"].append(elapsed)
            if duration is not None:
                server_ms.append(duration)
        samples["runc"].append(timed(runc_argv))
        samples["podman"].append(timed(podman_argv))
    api.delete_session(sid)
    ctx.cleanup.run_one(token)
    server.audit("P2")

    p = {k: (statistics.median(v), pct(v, 95), pct(v, 99), min(v), max(v)) for k, v in samples.items()}
    vs_runc = p["runc"][0] / p["api"][0]
    vs_podman = p["podman"][0] / p["api"][0]
    rows = [("Paddock `POST /v1/sessions/{id}/exec {\"command\":[\"true\"]}`, keep-alive connection", "api"),
            ("`runc exec` of the same container", "runc"),
            ("`podman exec` of a running podman container of the same rootfs", "podman")]
    table = "\n".join(f"| {label} | {ms(p[k][0])} | {ms(p[k][1])} | {ms(p[k][2])} | {ms(p[k][3])} | {len(samples[k])} |" for label, k in rows)
    return f"""## P2 — exec round trip of `true` in a running session

{ctx.machine}
{rounds_text(n)} after a warm-up; each round runs {per_round} API execs, one `runc exec` and one `podman exec`
(A… B C A… B C …), so the API has {n * per_round} samples and the others {n}.

| what | p50 | p95 | p99 | min | n |
| --- | ---: | ---: | ---: | ---: | ---: |
{table}

| target | measured | |
| --- | --- | --- |
| p50 ≤ 5 ms | {ms(p['api'][0])} | {met(p['api'][0] <= 0.005)} |
| ≥ 10× faster than `runc exec` (runc p50 / API p50) | {vs_runc:.1f}× | {met(vs_runc >= 10)} |
| (no target) faster than `podman exec` (podman p50 / API p50) | {vs_podman:.1f}× | |

The server's own `duration_ms` of these execs: median {statistics.median(server_ms) if server_ms else float('nan'):.0f} ms.

What is timed:
- Paddock: one `POST /v1/sessions/{{id}}/exec` request to its response over a kept-alive `http.client` connection; the session is of `{ENV_NAME}` on `{server.command_line()}`.
- runc (process wall time): `runc --root $WORK/warm/data/runc exec <session id> true` — the same container the API execs into.
- podman (process wall time): `{podman.shown('exec', name, 'true')}` in a container started with `{podman.shown('run', '-d', '--name', name, *podman.run_args, podman.image, 'sleep', 'infinity')}`.
{ctx.problems_md('P2')}"""


# --- P3 and P4 -------------------------------------------------------------------------------

def by_hand(ctx, i):
    """apt-get + pip by hand in a fresh runc container over the base image; seconds of `runc run`."""
    base = os.path.join(ctx.work, f"hand-{i}")
    upper, work, merged = (os.path.join(base, d) for d in ("upper", "work", "rootfs"))
    for d in (upper, work, merged):
        os.makedirs(d)
    undo = ctx.cleanup.push(f"by-hand container {i}", lambda: (remove_runc_containers(os.path.join(base, "runc")),
                                                                unmount_all(base), shutil.rmtree(base, ignore_errors=True)))
    run(["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={ctx.base_rootfs},upperdir={upper},workdir={work}", merged])
    bundle = os.path.join(base, "bundle")
    spec = runc_spec(bundle)
    spec["process"]["args"] = ["/bin/sh", "-c", HAND_COMMAND]
    spec["process"]["terminal"] = False
    spec["process"]["env"] += ["DEBIAN_FRONTEND=noninteractive", "HOME=/root"]
    for kind in ("bounding", "effective", "permitted"):
        spec["process"]["capabilities"][kind] = DEFAULT_CAPS
    spec["process"]["capabilities"].pop("inheritable", None)
    spec["process"]["capabilities"].pop("ambient", None)
    spec["root"] = {"path": merged, "readonly": False}
    spec["hostname"] = "by-hand"
    spec["linux"]["namespaces"] = [ns for ns in spec["linux"]["namespaces"] if ns["type"] != "network"]
    spec["mounts"].append({"destination": "/etc/resolv.conf", "type": "bind", "source": "/etc/resolv.conf", "options": ["rbind", "ro"]})
    write_spec(bundle, spec)
    output = os.path.join(ctx.work, f"hand-{i}.log")
    with open(output, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.run(["runc", "--root", os.path.join(base, "runc"), "run", "--bundle", bundle, f"pb{os.getpid()}-hand-{i}"],
                              stdout=out, stderr=subprocess.STDOUT)
        elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        with open(output) as f:
            raise RuntimeError(f"the by-hand install exited {proc.returncode}: {f.read()[-1500:]}")
    ctx.cleanup.run_one(undo)
    return elapsed


def cold_session(ctx, name):
    """A fresh server (empty layer cache, shared base image) and its first session of bench-pkgs."""
    server = Server(ctx, name)
    server.environment(ENV_NAME, PACKAGES)
    t0 = time.perf_counter()
    session = server.api.create_session(ENV_NAME)
    elapsed = time.perf_counter() - t0
    if session["status"] != "running":
        raise RuntimeError(f"the first session did not reach running: {json.dumps(session)[:1200]}")
    # The last lower dir of a session's root is the base image: the by-hand peer starts from it.
    ctx.base_rootfs = overlay_lowerdir(os.path.join(server.data, "sessions", session["id"], "rootfs")).split(":")[-1]
    return server, session, elapsed


def steps_text(steps):
    return ", ".join(f"{s['name']} {s['status']} {s['duration_ms']} ms" for s in steps)


def bench_p3(ctx):
    n = ctx.args.p3_rounds
    rows, paddock, hand, step_sums = [], [], [], []
    for i in range(n):
        log(f"P3 round {i + 1}/{n}: Paddock first session on a fresh data directory")
        server, session, elapsed = cold_session(ctx, f"p3-{i}")
        serve_cmd = server.command_line()
        server.api.delete_session(session["id"])
        server.audit("P3")
        server.stop()
        steps = session["provisioning"]["steps"]
        log(f"P3 round {i + 1}/{n}: Paddock {elapsed:.2f} s ({steps_text(steps)}); now by hand")
        h = by_hand(ctx, i)
        log(f"P3 round {i + 1}/{n}: by hand {h:.2f} s")
        paddock.append(elapsed)
        hand.append(h)
        step_sums.append(sum(s["duration_ms"] for s in steps) / 1000)
        by = {s["name"]: s for s in steps}
        cell = lambda k: f"{by[k]['duration_ms'] / 1000:.2f} s ({by[k]['status']})" if k in by else "—"
        rows.append(f"| {i + 1} | {elapsed:.2f} s | {cell('apt')} | {cell('pip')} | {cell('container')} | {h:.2f} s | {elapsed / h:.2f}× |")
    ratio = statistics.median(paddock) / statistics.median(hand)
    return f"""## P3 — first session ever of the environment (cold layer cache)

{ctx.machine}
{rounds_text(n)}, each: Paddock's first session of `{ENV_NAME}` (apt `jq`, pip `six==1.16.0`) on a
fresh server data directory (empty layer cache; the base image is shared), then the same install
by hand in a fresh container (A B A B …). Both download from the network (Debian's mirror, PyPI),
which dominates and is noisy.

| round | Paddock: POST (wait) → running | apt layer | pip layer | container | by hand | Paddock / by hand |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}
| **median** | **{statistics.median(paddock):.2f} s** | | | | **{statistics.median(hand):.2f} s** | **{ratio:.2f}×** |

Sum of the provisioning steps' `duration_ms` (median): {statistics.median(step_sums):.2f} s.

| target | measured | |
| --- | --- | --- |
| ≤ 1.15× the by-hand time (median / median) | {ratio:.2f}× | {met(ratio <= 1.15)} |

What is timed:
- Paddock: `POST /v1/environments {{"name":"{ENV_NAME}","config":{{"type":"cloud","packages":{json.dumps(PACKAGES)}}}}}` (not timed), then `POST /v1/sessions {{"environment":"{ENV_NAME}","wait":true}}` until its response; the server is `{serve_cmd}` with a new `$WORK/p3-N/data` each round. Its layers run `apt-get update`, `apt-get install -y --no-install-recommends -- jq`, `apt-get clean`, removal of the lists, then `python3 -m pip install --no-cache-dir --index-url https://pypi.org/simple -- six==1.16.0`, each layer committed to the cache.
- by hand (wall time of `runc run`): `runc run --bundle $WORK/hand-N/bundle …` where the root is `mount -t overlay overlay -o lowerdir={ctx.base_rootfs},upperdir=$WORK/hand-N/upper,workdir=$WORK/hand-N/work $WORK/hand-N/rootfs`, and `config.json` is `runc spec` with `args ["/bin/sh","-c","{HAND_COMMAND}"]`, `DEBIAN_FRONTEND=noninteractive`, Docker's default capabilities, no network namespace (the host's network) and `/etc/resolv.conf` bound read-only.
{ctx.problems_md('P3')}"""


def bench_p4(ctx):
    log("P4: fresh server, first session (cold), then a second one and one of a different environment")
    server, first, first_s = cold_session(ctx, "p4")
    api = server.api
    api.delete_session(first["id"])
    other = "bench-pkgs-copy"
    server.environment(other, PACKAGES)
    results = [("first session of `bench-pkgs` (cold cache, as P3)", first, first_s, None)]
    for label, env in ((f"second session of `{ENV_NAME}`", ENV_NAME),
                       (f"first session of `{other}` (a different environment, same packages)", other)):
        t0 = time.perf_counter()
        session = api.create_session(env)
        elapsed = time.perf_counter() - t0
        check = api.call("POST", f"/v1/sessions/{session['id']}/exec",
                         {"command": ["/bin/sh", "-c", "jq --version && python3 -c 'import six; print(\"six\", six.__version__)'"]})
        provisioning_log = api.text(f"/v1/sessions/{session['id']}/logs")
        api.delete_session(session["id"])
        results.append((label, session, elapsed, (check, provisioning_log)))
    server.audit("P4")
    server.stop()
    rows, all_cached, logs = [], True, []
    for label, session, elapsed, extra in results:
        steps = session["provisioning"]["steps"]
        layer_steps = [s for s in steps if s["name"] != "container"]
        if extra is not None:
            all_cached &= all(s["status"] == "cached" for s in layer_steps)
            check, plog = extra
            logs.append(f"{label}:\n\n```\n{plog.strip()}\n```\n\nexec `jq --version; python3 -c 'import six…'` → exit {check['exit_code']}: `{check['stdout'].strip().replace(chr(10), '; ')}`")
        rows.append(f"| {label} | {session['status']} | {elapsed * 1000:,.0f} ms | {steps_text(steps)} |")
    return f"""## P4 — second session, and a different environment with the same packages

{ctx.machine}
One fresh server data directory: the first session builds the layers, then a second session of
the same environment and a session of another environment with the same packages.

| session | status | POST (wait) → response | provisioning steps (name status duration) |
| --- | --- | ---: | --- |
{chr(10).join(rows)}

| target | measured | |
| --- | --- | --- |
| no package manager runs at all: every layer `cached` | {'every layer step cached' if all_cached else 'a layer step was built'} | {met(all_cached)} |

The `container` step (mount, bundle, `runc create`/`start`) is the only work of a cached start.
Provisioning logs (`GET /v1/sessions/{{id}}/logs`):

{chr(10).join(logs)}

Server: `{server.command_line()}`; sessions are `POST /v1/sessions {{"environment":NAME,"wait":true}}`.
{ctx.problems_md('P4')}"""


# --- P7 --------------------------------------------------------------------------------------

def get_latencies(api, path, n):
    for _ in range(20):
        api.call("GET", path)
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        api.call("GET", path)
        out.append(time.perf_counter() - t0)
    return out


def server_memory(server):
    return proc_memory(server.proc.pid)


def bench_p7(ctx):
    server = ctx.warm()
    api = server.api
    target = ctx.args.p7_sessions
    env = ctx.default_env
    path = f"/v1/environments/{env['id']}"
    log(f"P7: GET latency and raw runc before, then {target} idle sessions of `{env['name']}`")
    before_get = get_latencies(api, path, ctx.args.p7_requests)
    raw_before = [ctx.raw_true(f"p7-before-{i}") for i in range(ctx.args.p7_raw_runs)]
    before, before_pss = host_snapshot()
    before_server = server_memory(server)
    ids, create_s, failure = [], [], None
    curve = [(0, before["MemAvailable"])]
    for i in range(target):
        t0 = time.perf_counter()
        try:
            s = api.create_session(env["name"])
        except Exception as e:
            failure = f"create {i + 1} failed: {e}"
            break
        create_s.append(time.perf_counter() - t0)
        ids.append(s["id"])
        if s["status"] != "running":
            failure = f"session {i + 1} ended {s['status']}: {json.dumps(s.get('error'))}"
            break
        if (i + 1) % 20 == 0:
            with open("/proc/meminfo") as f:
                curve.append((i + 1, next(int(l.split()[1]) * 1024 for l in f if l.startswith("MemAvailable:"))))
        if (i + 1) % 25 == 0:
            log(f"P7: {i + 1} sessions running")
    if failure:
        ctx.problem("P7", f"stopped at {len(ids)} sessions: {failure}")
    mine = set(ids)
    running = [s for s in api.sessions() if s["status"] == "running" and s["id"] in mine]
    time.sleep(3)
    after, after_pss = host_snapshot()
    after_server = server_memory(server)
    rss = pss = procs = cgroups = 0
    session_pids = set()
    for sid in ids:
        cgroups += cgroup_memory(sid)
        for pid in cgroup_pids(sid):
            r, p = proc_memory(pid)
            rss, pss, procs = rss + r, pss + p, procs + 1
            session_pids.add(pid)
    # What every other process (not the sessions', not the server) grew by meanwhile: the machine is shared.
    others = (sum(v for k, v in after_pss.items() if k not in session_pids and k != server.proc.pid)
              - sum(v for k, v in before_pss.items() if k != server.proc.pid))
    log(f"P7: {len(running)} running; GET latency and raw runc while they run")
    while_get = get_latencies(api, path, ctx.args.p7_requests)
    raw_while = [ctx.raw_true(f"p7-while-{i}") for i in range(ctx.args.p7_raw_runs)]
    log(f"P7: deleting {len(ids)} sessions")
    t0 = time.perf_counter()
    for sid in ids:
        api.delete_session(sid)
    delete_total = time.perf_counter() - t0
    server.audit("P7")
    time.sleep(3)
    end, end_pss = host_snapshot()
    end_server = server_memory(server)
    others_end = (sum(v for k, v in end_pss.items() if k != server.proc.pid)
                  - sum(v for k, v in before_pss.items() if k != server.proc.pid))

    n = max(1, len(ids))
    mib = 2**20
    host_per = (before["MemAvailable"] - after["MemAvailable"]) / n
    server_per = (after_server[0] - before_server[0]) / n
    attributable = (before["MemAvailable"] - after["MemAvailable"] - others) / n
    beyond = attributable - pss / n
    slope = -statistics.linear_regression([c for c, _ in curve], [m for _, m in curve]).slope if len(curve) > 2 else float("nan")
    kernel = sum(after.get(k, 0) - before.get(k, 0) for k in ("Slab", "KernelStack", "PageTables", "Shmem")) / n
    delta = lambda k: f"{(after.get(k, 0) - before.get(k, 0)) / n / mib:+.2f}"
    g = lambda xs: (statistics.median(xs), pct(xs, 99))
    b50, b99 = g(before_get)
    w50, w99 = g(while_get)
    latency_ok = w50 <= b50 + 0.0005 and w99 <= 0.010
    first, last = create_s[:10], create_s[-10:]
    return f"""## P7 — density: idle sessions

{ctx.machine}
{target} sessions of the `{env['name']}` environment (no packages) created one after another
(`POST /v1/sessions {{"environment":"{env['name']}","wait":true}}`), left idle, then deleted.
{len(running)} of {target} were `running` at once{'' if not failure else f' — stopped: {failure}'}.

| memory | value |
| --- | ---: |
| host `MemAvailable` before → with the sessions | {before['MemAvailable'] / mib:,.0f} MiB → {after['MemAvailable'] / mib:,.0f} MiB |
| host memory per idle session (drop of `MemAvailable` / {len(ids)}) | {host_per / mib:.2f} MiB |
| the other processes of the machine (not the sessions', not the server) meanwhile: change of their summed PSS | {others / mib:+,.0f} MiB |
| host memory per idle session, net of those other processes ((drop of `MemAvailable` − their growth) / {len(ids)}) | {attributable / mib:.2f} MiB |
| its processes per session: RSS / PSS (every process in the sessions' cgroups, {procs} processes) | {rss / n / mib:.2f} MiB / {pss / n / mib:.2f} MiB |
| its memory cgroup per session (`memory.usage_in_bytes`: its pages, page cache and kernel memory charged to it) | {cgroups / n / mib:.2f} MiB |
| the server's own RSS before → with the sessions (per session) | {before_server[0] / mib:.1f} → {after_server[0] / mib:.1f} MiB ({server_per / mib:+.3f} MiB) |
| `/proc/meminfo` change per session: Slab / KernelStack / PageTables / Shmem / AnonPages / Cached | {delta('Slab')} / {delta('KernelStack')} / {delta('PageTables')} / {delta('Shmem')} / {delta('AnonPages')} / {delta('Cached')} MiB |
| kernel memory per session (the change of Slab + KernelStack + PageTables + Shmem) | {kernel / mib:.2f} MiB |
| **beyond what its processes use** (net per-session host memory − per-session PSS; the server's growth counts as overhead) | **{beyond / mib:.2f} MiB** |
| uncorrected: per-session drop of `MemAvailable` − PSS; from the slope of `MemAvailable` over the creates (read every 20, least squares) − PSS | {(host_per - pss / n) / mib:.2f} MiB; {(slope - pss / n) / mib:.2f} MiB |
| after deleting them all: `MemAvailable` below before, net of the other processes' growth ({others_end / mib:+,.0f} MiB) | {(before['MemAvailable'] - end['MemAvailable'] - others_end) / mib:+,.0f} MiB; the server's RSS {end_server[0] / mib:.1f} MiB |

| `GET /v1/environments/{{id}}`, {ctx.args.p7_requests} sequential requests on one keep-alive connection | p50 | p99 |
| --- | ---: | ---: |
| before the sessions | {ms(b50)} | {ms(b99)} |
| while {len(running)} sessions run | {ms(w50)} | {ms(w99)} |

| raw `runc run` of `true` ({ctx.args.p7_raw_runs} runs, the P1 bundle), for comparison | p50 | p95 |
| --- | ---: | ---: |
| before the sessions | {ms(statistics.median(raw_before))} | {ms(pct(raw_before, 95))} |
| while {len(running)} sessions run | {ms(statistics.median(raw_while))} | {ms(pct(raw_while, 95))} |

Creating them: median {ms(statistics.median(create_s)) if create_s else '—'} per session; the first 10 {ms(statistics.median(first)) if first else '—'}, the last 10 {ms(statistics.median(last)) if last else '—'} (start cost against the number already running; the raw runc row above shows how much of a growth is runc's and the kernel's own). Deleting all {len(ids)} one by one: {delete_total:.1f} s.

| target | measured | |
| --- | --- | --- |
| 200 idle sessions | {len(running)} | {met(len(running) >= 200)} |
| host memory per idle session ≤ 8 MB beyond what its processes use | {beyond / 1e6:.2f} MB | {met(beyond <= 8e6)} |
| API latency unchanged while they run | p50 {ms(b50)} → {ms(w50)}, p99 {ms(b99)} → {ms(w99)} | {met(latency_ok)} |

"Unchanged" is read as: p50 at most 0.5 ms above the one before, and p99 within P5's bound of 10 ms.
`/proc/meminfo` figures are the median of three reads a second apart, taken before the first create and 3 s after the last;
the drop of `MemAvailable` includes the kernel's memory for the mounts, namespaces, cgroups and the sessions' tmpfs, and
the page cache they pin — and whatever else the (shared, busy) machine did meanwhile, which is why the growth of every
other process's PSS is subtracted; the page cache and kernel memory of other work cannot be, so the figures stay noisy.
Server: `{server.command_line()}`.
{ctx.problems_md('P7')}"""


# --- P8 --------------------------------------------------------------------------------------

def concurrent_creates(server, n):
    """n sessions created at once (n threads, one connection each): (total seconds, sessions, errors)."""
    barrier = threading.Barrier(n + 1, timeout=120)
    results, errors, ends = [None] * n, [], [0.0] * n

    def worker(k):
        api = Api(server.api.port, server.api.key)
        try:
            api.connection()
        except OSError as e:
            errors.append(f"connect: {e}")
        barrier.wait()
        try:
            results[k] = api.create_session(ENV_NAME)
        except Exception as e:
            errors.append(str(e))
        ends[k] = time.perf_counter()
        api.drop_connection()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(n)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join(timeout=900)
    return max(ends) - t0, [r for r in results if r], errors, [e - t0 for e in ends]


def sequential_creates(server, n):
    results, errors = [], []
    t0 = time.perf_counter()
    for _ in range(n):
        try:
            results.append(server.api.create_session(ENV_NAME))
        except Exception as e:
            errors.append(str(e))
    return time.perf_counter() - t0, results, errors


def bench_p8(ctx):
    server = ctx.warm()
    n = ctx.args.p8_sessions
    rounds = ctx.args.p8_rounds
    rows, conc, seq, lat = [], [], [], []
    all_running = True
    for i in range(rounds):
        log(f"P8 round {i + 1}/{rounds}: {n} at once")
        total, sessions, errors, ends = concurrent_creates(server, n)
        ok = sum(1 for s in sessions if s["status"] == "running")
        for s in sessions:
            server.api.delete_session(s["id"])
        if errors:
            ctx.problem("P8", f"{len(errors)} of {n} concurrent creates failed, e.g. {errors[0][:400]}")
        log(f"P8 round {i + 1}/{rounds}: {total:.2f} s, {ok} running; now {n} one after another")
        stotal, ssessions, serrors = sequential_creates(server, n)
        sok = sum(1 for s in ssessions if s["status"] == "running")
        for s in ssessions:
            server.api.delete_session(s["id"])
        if serrors:
            ctx.problem("P8", f"{len(serrors)} of {n} sequential creates failed, e.g. {serrors[0][:400]}")
        log(f"P8 round {i + 1}/{rounds}: sequential {stotal:.2f} s, {sok} running")
        all_running &= ok == n and sok == n
        conc.append(total)
        seq.append(stotal)
        lat += ends
        rows.append(f"| {i + 1} | {total:.2f} s | {ok}/{n} | {stotal:.2f} s | {sok}/{n} | {stotal / total:.2f}× |")
    server.audit("P8")
    c = statistics.median(conc)
    return f"""## P8 — {n} sessions created at once, cached environment

{ctx.machine}
{rounds_text(rounds)}, each: {n} creates at once ({n} threads, each with its own connection, released together by a barrier), all
deleted (not timed), then {n} creates one after another on one connection, all deleted (A B A B …). Every create is
`POST /v1/sessions {{"environment":"{ENV_NAME}","wait":true}}` on the cached environment.

| round | {n} at once: until the last response | running | {n} one after another | running | sequential / concurrent |
| --- | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}
| **median** | **{c:.2f} s** | | **{statistics.median(seq):.2f} s** | | **{statistics.median(seq) / c:.2f}×** |

Response times of the individual concurrent creates (from the release): p50 {ms(statistics.median(lat))}, max {ms(max(lat))}.

| target | measured | |
| --- | --- | --- |
| all running | {'all' if all_running else 'not all'} | {met(all_running)} |
| total ≤ 2 s | {c:.2f} s | {met(c <= 2)} |

Server: `{server.command_line()}`.
{ctx.problems_md('P8')}"""


BENCHES = {"P1": bench_p1, "P2": bench_p2, "P3": bench_p3, "P4": bench_p4, "P7": bench_p7, "P8": bench_p8}
TITLES = {"P1": "session create → first exec, environment already cached", "P2": "exec round trip of `true` in a running session",
          "P3": "first session ever of the environment (cold layer cache)", "P4": "second session, and a different environment with the same packages",
          "P7": "density: idle sessions", "P8": "sessions created at once, cached environment"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="the paddock binary (paddock-init next to it)")
    ap.add_argument("--images", required=True, help="the base image directory shared by every server")
    ap.add_argument("--out-dir", required=True, help="where P1.md … are written")
    ap.add_argument("--only", default=",".join(ALL_PARTS), help="comma-separated subset of " + ",".join(ALL_PARTS))
    ap.add_argument("--p1-rounds", type=int, default=int(os.environ.get("BENCH_P1_ROUNDS", 30)))
    ap.add_argument("--p2-rounds", type=int, default=int(os.environ.get("BENCH_P2_ROUNDS", 30)))
    ap.add_argument("--p2-api-per-round", type=int, default=5)
    ap.add_argument("--p3-rounds", type=int, default=int(os.environ.get("BENCH_P3_ROUNDS", 3)))
    ap.add_argument("--p7-sessions", type=int, default=int(os.environ.get("BENCH_P7_SESSIONS", 200)))
    ap.add_argument("--p7-requests", type=int, default=1000)
    ap.add_argument("--p7-raw-runs", type=int, default=10)
    ap.add_argument("--p8-sessions", type=int, default=20)
    ap.add_argument("--p8-rounds", type=int, default=int(os.environ.get("BENCH_P8_ROUNDS", 3)))
    args = ap.parse_args()
    parts = [p.strip().upper() for p in args.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in BENCHES]
    if unknown:
        ap.error(f"unknown benchmark(s) {unknown}; known: {ALL_PARTS}")
    args.bin_shown, args.bin = args.bin, os.path.abspath(args.bin)
    os.makedirs(args.images, exist_ok=True)  # the first server builds the base image there if it is missing
    args.work = os.path.realpath(os.environ.get("BENCH_WORK") or "/tmp") + f"/paddock-bench-sessions.{os.getpid()}"
    os.makedirs(args.work)
    os.makedirs(args.out_dir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    ctx = Context(args)
    ctx.cleanup.push("work directory", lambda: (unmount_all(args.work), shutil.rmtree(args.work, ignore_errors=True)))
    written = []
    try:
        for part in parts:
            ctx.current = part
            ctx.machine  # the date and load of the section's start
            log(f"=== {part} ===")
            try:
                section = BENCHES[part](ctx)
            except (KeyboardInterrupt, SystemExit):
                raise
            except Exception as e:
                log(f"{part} failed: {e}")
                ctx.problem(part, f"the benchmark could not complete: {e}")
                section = f"## {part} — {TITLES[part]}\n\n{ctx.machine}\n\n**Not measured in this run.**\n{ctx.problems_md(part)}"
            with open(os.path.join(args.out_dir, f"{part}.md"), "w") as f:
                f.write(section.rstrip() + "\n")
            written.append(part)
            log(f"{part} written")
    finally:
        ctx.current = "cleanup"
        ctx.cleanup.run_all()
        late = ctx.problems.get("cleanup")
        if late:  # seen when the shared server stopped: belongs to every section of this run
            for part in written:
                with open(os.path.join(args.out_dir, f"{part}.md"), "a") as f:
                    f.write("\nSeen when the server of this run was stopped at the end:\n\n" + "\n".join(f"- {t}" for t in late) + "\n")


if __name__ == "__main__":
    main()
