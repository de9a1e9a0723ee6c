#!/usr/bin/env python3
"""P6 of design/performance.md: Paddock's egress proxy (the `EgressGateway`, run alone by
`paddock-proxy-bench`) against a direct loopback connection, tinyproxy and squid with an
equivalent allowlist. Writes P6.md into --out-dir; bench/run puts it into BENCHMARKS.md.

Everything runs on loopback: an upstream (this script with `upstream`, one selector loop,
payload sent with sendfile(2) from a page-cached file) that greets each connection with one
byte `+`, then reads a decimal count and a newline and sends that many bytes; the three proxies,
each allowing only CONNECT to the upstream's port on `127.0.0.1` and on the name
`upstream.p6.test` (which only they resolve: each runs in a mount namespace of its own where a
hosts file of this run is bound over /etc/hosts); for throughput only, a reference relay (this
script with `relay`: blocking splice(2), a thread per direction, no CONNECT) that shows what the
kernel allows a relay on these cores; and the clients, in this process.

Measured, alternating the targets in every round (A B C D (E) A B C D (E) …):
  - one 1 GiB download through one CONNECT tunnel (throughput, the proxy's CPU time, its RSS);
  - 200 connections opened at once, each CONNECT, greeting byte, a 64-byte exchange, close;
  - sequential connects: TCP connect → CONNECT's 200 → first upstream byte, minus the direct time.

No assertions: figures are printed as measured, and a missed target is said plainly. Every
process this script starts is stopped at the end (by its pid), also on failure or SIGTERM.
Python 3 standard library only."""
import argparse, datetime, os, platform, resource, selectors, shutil, signal, socket, statistics, subprocess, sys
import tempfile, time

MIB = 1 << 20
NAME = "upstream.p6.test"
TINYPROXY_FILTER = "^127\\.0\\.0\\.1$\n^upstream\\.p6\\.test$\n"
DATA_FILE_SIZE = 64 * MIB
EXCHANGE = 64
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[proxy {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def now():
    return time.perf_counter()


def pct(xs, p):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, -(-p * len(s) // 100) - 1)]


def met(ok):
    return "met" if ok else "**not met**"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the upstream (a process of its own) ---------------------------------------------------------

def serve_upstream(data_file):
    """Greets each connection with `+`, reads `COUNT\\n`, sends COUNT bytes of data_file (wrapping
    around) with sendfile, half-closes, and closes on the client's EOF. One selector loop."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    listener.setblocking(False)
    print(listener.getsockname()[1], flush=True)
    data = os.open(data_file, os.O_RDONLY)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)

    class Conn:
        __slots__ = ("sock", "line", "left", "offset", "phase")

    def close(c):
        sel.unregister(c.sock)
        c.sock.close()

    def pump(c):
        while c.left > 0:
            offset = c.offset % DATA_FILE_SIZE
            try:
                sent = os.sendfile(c.sock.fileno(), data, offset, min(c.left, DATA_FILE_SIZE - offset))
            except BlockingIOError:
                return
            c.left -= sent
            c.offset += sent
        c.sock.shutdown(socket.SHUT_WR)
        c.phase = "drain"
        sel.modify(c.sock, selectors.EVENT_READ, c)

    while True:
        for key, _ in sel.select():
            c = key.data
            if c is None:
                while True:
                    try:
                        sock, _ = listener.accept()
                    except BlockingIOError:
                        break
                    sock.setblocking(False)
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    c = Conn()
                    c.sock, c.line, c.left, c.offset, c.phase = sock, b"", 0, 0, "line"
                    try:
                        sock.send(b"+")
                    except OSError:
                        sock.close()
                        continue
                    sel.register(sock, selectors.EVENT_READ, c)
                continue
            try:
                if c.phase == "send":
                    pump(c)
                    continue
                chunk = c.sock.recv(65536)
                if not chunk:
                    close(c)
                elif c.phase == "line":
                    c.line += chunk
                    if b"\n" in c.line:
                        c.left = int(c.line.split(b"\n", 1)[0])
                        c.phase = "send"
                        sel.modify(c.sock, selectors.EVENT_WRITE, c)
                        pump(c)
            except BlockingIOError:
                pass
            except (OSError, ValueError):
                close(c)


def serve_relay(upstream_port, pipe_size):
    """The reference relay: forwards each connection to the upstream with splice(2) through a pipe
    per direction, one blocking thread per direction; no request parsing, no policy."""
    import fcntl, threading
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(4096)
    print(listener.getsockname()[1], flush=True)

    def pump(src, dst):
        r, w = os.pipe()
        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, pipe_size)
        try:
            while True:
                n = os.splice(src.fileno(), w, pipe_size)
                if n == 0:
                    break
                while n:
                    n -= os.splice(r, dst.fileno(), n)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        os.close(r)
        os.close(w)

    while True:
        client, _ = listener.accept()
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for src, dst in ((client, upstream), (upstream, client)):
            threading.Thread(target=pump, args=(src, dst), daemon=True).start()


# --- clients -------------------------------------------------------------------------------------

class Target:
    """Where a client connects: the upstream directly, or a proxy asked to CONNECT to it."""

    def __init__(self, name, label, proxy_port=None, pid=None, relay_port=None):
        self.name, self.label, self.proxy_port, self.pid = name, label, proxy_port, pid
        self.relay_port = relay_port  # a plain forwarder to the upstream (no CONNECT)
        self.command = ""

    def address(self, upstream_port):
        return ("127.0.0.1", self.proxy_port or self.relay_port or upstream_port)

    @property
    def is_proxy(self):
        return self.proxy_port is not None


def connect_request(host, port):
    return f"CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()


def open_tunnel(target, host, upstream_port, timeout=30):
    """Connects (through the proxy, if any) up to the upstream's greeting byte.
    Returns (socket, seconds to the TCP connect, to the 200 (or None), to the greeting)."""
    t0 = now()
    s = socket.socket()
    s.settimeout(timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        s.connect(target.address(upstream_port))
        t_tcp = now()
        buf, t_200 = b"", None
        if target.is_proxy:
            s.sendall(connect_request(host, upstream_port))
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    raise RuntimeError(f"{target.label} closed before answering CONNECT {host}:{upstream_port}")
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            status = head.split(b"\r\n", 1)[0].decode(errors="replace")
            if status.split()[1:2] != ["200"]:
                raise RuntimeError(f"{target.label} answered CONNECT {host}:{upstream_port} with {status!r}")
            t_200 = now()
        while not buf:
            buf = s.recv(4096)
            if not buf:
                raise RuntimeError(f"{target.label}: the tunnel closed before the upstream's greeting")
        if buf != b"+":
            raise RuntimeError(f"{target.label}: unexpected greeting {buf[:20]!r}")
        t_first = now()
        return s, t_tcp - t0, (t_200 - t0 if t_200 else None), t_first - t0
    except BaseException:
        s.close()
        raise


def connect_status(target, host, port):
    """The status line a proxy answers to CONNECT host:port (for the allowlist check)."""
    with socket.create_connection(("127.0.0.1", target.proxy_port), timeout=15) as s:
        s.sendall(connect_request(host, port))
        buf = b""
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                return "(closed without an answer)"
            buf += chunk
        return buf.split(b"\r\n", 1)[0].decode(errors="replace")


def download(target, host, upstream_port, nbytes):
    """One download of nbytes through a tunnel: (seconds from connect to the last byte, bytes)."""
    t0 = now()
    s, *_ = open_tunnel(target, host, upstream_port, timeout=120)
    with s:
        s.sendall(b"%d\n" % nbytes)
        buf = memoryview(bytearray(4 * MIB))
        got = 0
        while True:
            n = s.recv_into(buf)
            if n == 0:
                break
            got += n
        return now() - t0, got


def concurrent(target, host, upstream_port, count, timeout=60):
    """count connections opened at once (non-blocking, one selector), each: CONNECT (through a
    proxy), the greeting, `64\\n`, 64 bytes and EOF, close. Returns (seconds from the first
    connect to the last close, [seconds from each connect to its greeting], [errors])."""
    sel = selectors.DefaultSelector()
    request = connect_request(host, upstream_port) if target.is_proxy else None
    address = target.address(upstream_port)
    latencies, errors, pending = [], [], 0

    class Conn:
        pass

    def done(c, error=None):
        nonlocal pending
        pending -= 1
        sel.unregister(c.sock)
        c.sock.close()
        if error:
            errors.append(error)

    start = now()
    for _ in range(count):
        c = Conn()
        c.sock = socket.socket()
        c.sock.setblocking(False)
        c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.t0, c.buf, c.got, c.phase = now(), b"", 0, "connect"
        c.sock.connect_ex(address)
        sel.register(c.sock, selectors.EVENT_WRITE, c)
        pending += 1
    deadline = start + timeout
    while pending and now() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.data
            try:
                if c.phase == "connect":
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        done(c, f"connect: {os.strerror(err)}")
                        continue
                    if request:
                        c.sock.send(request)
                        c.phase = "head"
                    else:
                        c.phase = "greeting"
                    sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                chunk = c.sock.recv(65536)
                if not chunk:
                    if c.phase == "body" and c.got == EXCHANGE:
                        done(c)
                    else:
                        done(c, f"closed in phase {c.phase} ({c.got} bytes)")
                    continue
                c.buf += chunk
                if c.phase == "head":
                    if b"\r\n\r\n" not in c.buf:
                        continue
                    head, _, c.buf = c.buf.partition(b"\r\n\r\n")
                    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
                    if status.split()[1:2] != ["200"]:
                        done(c, f"answered {status!r}")
                        continue
                    c.phase = "greeting"
                if c.phase == "greeting" and c.buf:
                    if c.buf[:1] != b"+":
                        done(c, f"unexpected greeting {c.buf[:20]!r}")
                        continue
                    latencies.append(now() - c.t0)
                    c.buf = c.buf[1:]
                    c.sock.send(b"%d\n" % EXCHANGE)
                    c.phase = "body"
                if c.phase == "body":
                    c.got += len(c.buf)
                    c.buf = b""
            except OSError as e:
                done(c, str(e))
    elapsed = now() - start
    for key in list(sel.get_map().values()):
        errors.append(f"no answer in {timeout} s (phase {key.data.phase})")
        key.fileobj.close()
    return elapsed, latencies, errors


def proc_stats(pid):
    """(VmRSS, VmHWM) in bytes and CPU seconds (user + system) of a process."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0]) * 1024
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read().rsplit(")", 1)[1].split()
    return fields["VmRSS"], fields["VmHWM"], (int(stat[11]) + int(stat[12])) / CLK_TCK


def own_cpu():
    """CPU seconds (user + system) of this process."""
    t = os.times()
    return t.user + t.system


def all_cpu():
    """CPU seconds (user + system) of every user-space process on the host (not the kernel's
    threads, which also do this benchmark's network work): {pid: (name, seconds)}."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        if entry == "2" or fields[1] == "2":  # kthreadd and its children
            continue
        found[int(entry)] = (name, (int(fields[11]) + int(fields[12])) / CLK_TCK)
    return found


def other_load(start, end, elapsed, ours):
    """How busy the rest of the machine was between two all_cpu() snapshots: (average cores, the
    busiest other process as text)."""
    used = {}
    for pid, (name, seconds) in end.items():
        if pid in ours:
            continue
        before = start.get(pid)
        used[pid] = (name, seconds - (before[1] if before and before[0] == name else 0))
    total = sum(v[1] for v in used.values())
    top = sorted(used.items(), key=lambda kv: kv[1][1], reverse=True)[:3]
    top_text = ", ".join(f"`{name}` (pid {pid}) {seconds / elapsed:.2f}" for pid, (name, seconds) in top if seconds / elapsed >= 0.01)
    return total / elapsed, top_text or "none"


# --- the proxies ---------------------------------------------------------------------------------

class Processes:
    """The processes this script started; stopped newest first, each by its pid."""

    def __init__(self):
        self.procs = []

    def start(self, argv, **kw):
        proc = subprocess.Popen(argv, **kw)
        self.procs.append(proc)
        return proc

    def stop(self, proc, grace=10):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self):
        for proc in reversed(list(self.procs)):
            try:
                self.stop(proc)
            except Exception as e:
                log(f"cleanup: stopping pid {proc.pid} failed: {e}")


def in_own_hosts(hosts_file, argv):
    """argv run in a mount namespace of its own with hosts_file bound over /etc/hosts (same pid)."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount --bind "$0" /etc/hosts && exec "$@"', hosts_file] + argv


def wait_ready(target, upstream_port, proc, seconds=30):
    """Waits until the proxy tunnels to the upstream (by IP and by name)."""
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{target.label} exited with {proc.returncode} before it was ready")
        try:
            for host in ("127.0.0.1", NAME):
                s, *_ = open_tunnel(target, host, upstream_port, timeout=5)
                s.close()
            return
        except (OSError, RuntimeError) as e:
            last = e
            time.sleep(0.1)
    raise RuntimeError(f"{target.label} was not ready in {seconds} s: {last}")


def tinyproxy_config(work, port, upstream_port):
    """tinyproxy's configuration; its filter file (the allowed hosts) is `work`/filter."""
    filter_file = os.path.join(work, "filter")
    return f"""User nobody
Group nogroup
Listen 127.0.0.1
Port {port}
Timeout 600
MaxClients 1024
LogFile "{work}/tinyproxy.log"
LogLevel Error
PidFile "{work}/tinyproxy.pid"
Allow 127.0.0.1
DisableViaHeader Yes
XTinyproxy No
ConnectPort {upstream_port}
Filter "{filter_file}"
FilterType ere
FilterDefaultDeny Yes
"""


def squid_config(work, port, upstream_port):
    return f"""http_port 127.0.0.1:{port}
visible_hostname p6-bench
pid_filename {work}/squid.pid
cache_log {work}/cache.log
access_log none
cache_store_log none
logfile_rotate 0
coredump_dir {work}
cache deny all
pinger_enable off
shutdown_lifetime 0 seconds
max_filedescriptors 8192
hosts_file /etc/hosts
acl client src 127.0.0.1/32
acl CONNECT method CONNECT
acl upstream_port port {upstream_port}
acl upstream_host dstdomain 127.0.0.1 {NAME}
http_access allow client CONNECT upstream_host upstream_port
http_access deny all
"""


# --- the benchmark -------------------------------------------------------------------------------

def machine_line():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = []
    for argv in (["tinyproxy", "-v"], ["squid", "-v"]):
        out = subprocess.run(argv, capture_output=True, text=True).stdout.strip().split("\n")[0]
        versions.append(out)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    return (f"Machine: {os.cpu_count()} cores ({cpu}), {mem:.1f} GiB, {platform.system()} {platform.release()}; "
            f"{versions[0]}, {versions[1]}, Python {platform.python_version()}. Run: {date}, commit {commit}"
            f"{' (with uncommitted changes)' if dirty else ''}; load average {load} when it started (the machine is shared).")


def mib(n):
    return f"{n / MIB:,.1f} MiB"


def ms(seconds):
    return f"{seconds * 1000:,.2f} ms"


def run_benchmark(args, procs, work):
    machine = machine_line()
    cpu_start, wall_start = all_cpu(), now()
    nbytes = args.mib * MIB
    data_file = os.path.join(work, "data")
    with open(data_file, "wb") as f:
        f.write(os.urandom(DATA_FILE_SIZE))
    hosts_file = os.path.join(work, "hosts")
    with open(hosts_file, "w") as f:
        f.write(f"127.0.0.1 localhost\n127.0.0.1 {NAME}\n")

    up = procs.start([sys.executable, os.path.abspath(__file__), "upstream", "--data", data_file],
                     stdout=subprocess.PIPE, text=True)
    upstream_port = int(up.stdout.readline())
    log(f"upstream on 127.0.0.1:{upstream_port} (pid {up.pid})")

    direct = Target("direct", "direct loopback connection")
    targets = [direct]

    # Paddock's gateway.
    port = free_port()
    argv = [args.paddock_bin, "--listen", f"127.0.0.1:{port}", "--allow", f"127.0.0.1:{upstream_port}",
            "--allow", f"{NAME}:{upstream_port}"]
    paddock_proc = procs.start(in_own_hosts(hosts_file, argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = paddock_proc.stdout.readline().strip()
    if line != f"ready {port}":
        raise RuntimeError(f"paddock-proxy-bench did not start: {line!r} {paddock_proc.stderr.read()[-500:]}")
    paddock = Target("paddock", "Paddock `EgressGateway`", port, paddock_proc.pid)
    paddock.command = " ".join([args.paddock_bin_shown, "--listen", "127.0.0.1:$PROXY_PORT", "--allow",
                                "127.0.0.1:$UPSTREAM_PORT", "--allow", f"{NAME}:$UPSTREAM_PORT"])
    wait_ready(paddock, upstream_port, paddock_proc)
    targets.append(paddock)

    # tinyproxy, as nobody, in a directory of its own.
    tdir = os.path.join(work, "tinyproxy")
    os.makedirs(tdir)
    port = free_port()
    with open(os.path.join(tdir, "filter"), "w") as f:
        f.write(TINYPROXY_FILTER)
    with open(os.path.join(tdir, "tinyproxy.conf"), "w") as f:
        f.write(tinyproxy_config(tdir, port, upstream_port))
    shutil.chown(tdir, "nobody", "nogroup")
    tproc = procs.start(in_own_hosts(hosts_file, ["tinyproxy", "-d", "-c", os.path.join(tdir, "tinyproxy.conf")]),
                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "tinyproxy.stderr"), "w"))
    tiny = Target("tinyproxy", "tinyproxy", port, tproc.pid)
    tiny.command = "tinyproxy -d -c $WORK/tinyproxy/tinyproxy.conf"
    tiny.config = (tinyproxy_config("$WORK/tinyproxy", "$PROXY_PORT", "$UPSTREAM_PORT")
                   + f"\n# $WORK/tinyproxy/filter (FilterType ere):\n{TINYPROXY_FILTER}")
    wait_ready(tiny, upstream_port, tproc)
    targets.append(tiny)

    # squid, single process (-N), no cache, no access log.
    sdir = os.path.join(work, "squid")
    os.makedirs(sdir)
    port = free_port()
    with open(os.path.join(sdir, "squid.conf"), "w") as f:
        f.write(squid_config(sdir, port, upstream_port))
    shutil.chown(sdir, "proxy", "proxy")
    sproc = procs.start(in_own_hosts(hosts_file, ["squid", "-N", "-f", os.path.join(sdir, "squid.conf")]),
                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "squid.stderr"), "w"))
    squid = Target("squid", "squid", port, sproc.pid)
    squid.command = "squid -N -f $WORK/squid/squid.conf"
    squid.config = squid_config("$WORK/squid", "$PROXY_PORT", "$UPSTREAM_PORT")
    wait_ready(squid, upstream_port, sproc)
    targets.append(squid)
    proxies = targets[1:]

    # The reference relay (throughput only).
    rproc = procs.start([sys.executable, os.path.abspath(__file__), "relay", "--upstream-port", str(upstream_port)],
                        stdout=subprocess.PIPE, text=True)
    relay = Target("relay", "(reference, no target) minimal `splice(2)` relay, no CONNECT", pid=rproc.pid,
                   relay_port=int(rproc.stdout.readline()))
    thr_targets = targets + [relay]
    log("proxies ready: " + ", ".join(f"{t.name} :{t.proxy_port} pid {t.pid}" for t in proxies))

    # The allowlists are equivalent: each proxy refuses another port and another host.
    other_port = free_port()
    refusals = {t.name: (connect_status(t, "127.0.0.1", other_port), connect_status(t, "127.0.0.2", upstream_port))
                for t in proxies}

    idle = {t.name: proc_stats(t.pid) for t in proxies}

    # Warm-up (not counted): one small download and a few connects each.
    for t in targets:
        download(t, "127.0.0.1", upstream_port, MIB)
        for _ in range(10):
            open_tunnel(t, "127.0.0.1", upstream_port)[0].close()

    # Throughput: 1 GiB through one tunnel, A B C D (E: the reference relay) …
    before = {t.name: proc_stats(t.pid) for t in proxies}
    thr = {t.name: [] for t in thr_targets}      # MB/s per round
    cpu = {t.name: [] for t in thr_targets if t.pid}  # the proxy's (relay's) CPU seconds per download
    ends = {t.name: [] for t in thr_targets}     # the client's and the upstream's CPU seconds per download
    after_first = {}
    for r in range(args.rounds):
        for t in thr_targets:
            s0 = proc_stats(t.pid) if t.pid else None
            e0 = own_cpu() + proc_stats(up.pid)[2]
            seconds, got = download(t, "127.0.0.1", upstream_port, nbytes)
            if got != nbytes:
                raise RuntimeError(f"{t.label}: received {got} bytes of {nbytes}")
            thr[t.name].append(nbytes / seconds / 1e6)
            ends[t.name].append(own_cpu() + proc_stats(up.pid)[2] - e0)
            if t.pid:
                s1 = proc_stats(t.pid)
                cpu[t.name].append(s1[2] - s0[2])
                if r == 0:
                    after_first[t.name] = s1
        log(f"P6 throughput round {r + 1}/{args.rounds}: " + ", ".join(f"{t.name} {thr[t.name][-1]:,.0f} MB/s" for t in thr_targets))
    after_all = {t.name: proc_stats(t.pid) for t in proxies}

    # Connect latency: sequential connects, by IP and by name, A B C … per round.
    lat_targets = [(direct, "127.0.0.1")] + [(t, "127.0.0.1") for t in proxies] + [(t, NAME) for t in proxies]
    lat = {(t.name, h): {"tcp": [], "200": [], "first": []} for t, h in lat_targets}
    round_added = {(t.name, h): [] for t, h in lat_targets if t.is_proxy}
    for r in range(args.rounds):
        round_p50 = {}
        for t, h in lat_targets:
            firsts = []
            for _ in range(args.samples):
                s, tcp, t200, first = open_tunnel(t, h, upstream_port)
                s.close()
                d = lat[(t.name, h)]
                d["tcp"].append(tcp)
                d["first"].append(first)
                firsts.append(first)
                if t200 is not None:
                    d["200"].append(t200)
            round_p50[(t.name, h)] = statistics.median(firsts)
        for key in round_added:
            round_added[key].append(round_p50[key] - round_p50[("direct", "127.0.0.1")])
        log(f"P6 latency round {r + 1}/{args.rounds}: " + ", ".join(
            f"{k[0]}{'' if k[1] == '127.0.0.1' else ' (name)'} {v * 1e3:.3f} ms" for k, v in round_p50.items()))

    # 200 connections at once, A B C D … (last, so that the RSS before it shows the transfers alone).
    conc = {t.name: {"total": [], "lat": [], "errors": []} for t in targets}
    for r in range(args.rounds):
        for t in targets:
            total, lats, errs = concurrent(t, "127.0.0.1", upstream_port, args.connections)
            conc[t.name]["total"].append(total)
            conc[t.name]["lat"].extend(lats)
            conc[t.name]["errors"].extend(errs)
            time.sleep(0.2)  # let the closes settle
        log(f"P6 concurrency round {r + 1}/{args.rounds}: " + ", ".join(
            f"{t.name} {conc[t.name]['total'][-1] * 1e3:.1f} ms" for t in targets))
    after_conc = {t.name: proc_stats(t.pid) for t in proxies}
    ours = {os.getpid(), up.pid, rproc.pid} | {t.pid for t in proxies}
    load = other_load(cpu_start, all_cpu(), now() - wall_start, ours)

    # Stop the proxies; Paddock's tool prints what its gateway recorded.
    procs.stop(paddock_proc)
    summary = paddock_proc.stdout.read().strip()
    for p in (tproc, sproc, rproc, up):
        procs.stop(p)
    problems = []
    for name, path in (("tinyproxy", os.path.join(work, "tinyproxy.stderr")), ("tinyproxy", os.path.join(tdir, "tinyproxy.log")),
                       ("squid", os.path.join(work, "squid.stderr")), ("squid", os.path.join(sdir, "cache.log"))):
        try:
            text = open(path).read()
        except OSError:
            continue
        bad = [l for l in text.splitlines() if "ERROR" in l or "FATAL" in l]
        if bad:
            problems.append(f"{name}: {bad[0][:200]}")
    paddock_err = paddock_proc.stderr.read().strip()
    if paddock_err:
        problems.append(f"paddock-proxy-bench: {paddock_err[:300]}")

    return render(args, machine, targets, thr_targets, proxies, thr, cpu, ends, idle, before, after_first, after_all, after_conc,
                  lat, round_added, conc, refusals, summary, problems, load)


def render(args, machine, targets, thr_targets, proxies, thr, cpu, ends, idle, before, after_first, after_all, after_conc,
           lat, round_added, conc, refusals, summary, problems, load):
    med = {n: statistics.median(v) for n, v in thr.items()}
    d = med["direct"]
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)
    gib = args.mib / 1024
    out = [f"## P6 — egress proxy: {args.mib // 1024 if args.mib % 1024 == 0 else args.mib / 1024} GiB through `CONNECT`, "
           f"{args.connections} concurrent connections, connect latency", "", machine,
           f"{args.rounds} round{'s' if args.rounds != 1 else ''} after one warm-up; in every round each part runs the direct "
           f"connection, Paddock, tinyproxy and squid in this order (A B C D A B C D …; the throughput rounds end with the "
           f"reference relay). Everything is on loopback: the "
           f"client (this process), the upstream and the proxy share the machine's {os.cpu_count()} cores, and the proxies "
           f"are used one at a time, with the open-file limit they inherit from `bench/run` (soft {nofile[0]}, hard {nofile[1]}). "
           f"Other (user-space) processes used {load[0]:.2f} cores on average meanwhile (the busiest, in cores: {load[1]}).", ""]

    out += [f"| {gib:g} GiB through one tunnel (connect → last byte) | MB/s (median) | min | max | vs direct | "
            f"proxy CPU per GiB (median) | client + upstream + proxy CPU per GiB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in thr_targets:
        cpu_text = f"{statistics.median(cpu[t.name]) / gib:.2f} s" if t.pid else "—"
        out.append(f"| {t.label} | {med[t.name]:,.0f} | {min(thr[t.name]):,.0f} | {max(thr[t.name]):,.0f} | "
                   f"{med[t.name] / d:.0%} | {cpu_text} | {statistics.median(e + c for e, c in zip(ends[t.name], cpu.get(t.name, [0] * len(ends[t.name])))) / gib:.2f} s |")
    out.append("")
    out.append("Per-round throughput (MB/s): " + "; ".join(
        f"{t.name} " + ", ".join(f"{x:,.0f}" for x in thr[t.name]) for t in thr_targets) + ".")
    out.append("Per-round Paddock / direct: " + ", ".join(
        f"{p_ / d_:.0%}" for p_, d_ in zip(thr["paddock"], thr["direct"])) + ".")
    out.append("")

    out += [f"| {args.connections} connections opened at once, each CONNECT + greeting + 64-byte exchange | all done (median of rounds) | connections/s | connect → first upstream byte p50 | p95 | max | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in targets:
        c = conc[t.name]
        total = statistics.median(c["total"])
        lats = c["lat"] or [float("nan")]
        out.append(f"| {t.label} | {ms(total)} | {args.connections / total:,.0f} | {ms(pct(lats, 50))} | {ms(pct(lats, 95))} | "
                   f"{ms(max(lats))} | {len(c['errors'])} |")
    out.append("")

    dkey = ("direct", "127.0.0.1")
    direct_first = lat[dkey]["first"]
    dp50, dp95 = pct(direct_first, 50), pct(direct_first, 95)
    out += [f"| sequential connects ({args.rounds} × {args.samples} each) | TCP connect p50 | → `200` p50 | → first upstream byte p50 | p95 | p99 | added p50 (vs direct) | added p95 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key, d_ in lat.items():
        name, host = key
        label = next(t.label for t in targets if t.name == name)
        what = f"{label}, `CONNECT {host}:PORT`" if name != "direct" else "direct loopback connection"
        first = d_["first"]
        p200 = ms(pct(d_["200"], 50)) if d_["200"] else "—"
        added = "—" if name == "direct" else ms(pct(first, 50) - dp50)
        added95 = "—" if name == "direct" else ms(pct(first, 95) - dp95)
        out.append(f"| {what} | {ms(pct(d_['tcp'], 50))} | {p200} | {ms(pct(first, 50))} | {ms(pct(first, 95))} | "
                   f"{ms(pct(first, 99))} | {added} | {added95} |")
    out.append("")
    out.append("Per-round added p50 (round's p50 − the direct p50 of the same round): " + "; ".join(
        f"{k[0]}{'' if k[1] == '127.0.0.1' else ' by name'} " + ", ".join(f"{x * 1e3:.3f}" for x in v) + " ms"
        for k, v in round_added.items()) + ".")
    out.append("")

    out += [f"| proxy process memory (VmRSS) | idle | before the first {gib:g} GiB | after it | after all {args.rounds} "
            f"({args.rounds * gib:g} GiB) | growth per further GiB | after the {args.connections}-connection rounds | peak (VmHWM) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    growth = {}
    for t in proxies:
        n = t.name
        extra = (args.rounds - 1) * gib
        growth[n] = (after_all[n][0] - after_first[n][0]) / extra if extra else 0
        out.append(f"| {t.label} | {mib(idle[n][0])} | {mib(before[n][0])} | {mib(after_first[n][0])} | {mib(after_all[n][0])} | "
                   f"{growth[n] / MIB:+.2f} MiB | {mib(after_conc[n][0])} | {mib(after_conc[n][1])} |")
    out.append("")

    p = med["paddock"]
    padd = pct(lat[("paddock", "127.0.0.1")]["first"], 50) - dp50
    padd_name = pct(lat[("paddock", NAME)]["first"], 50) - dp50
    out += ["| target | measured | |", "| --- | --- | --- |",
            f"| throughput ≥ 90% of direct | {p / d:.0%} ({p:,.0f} / {d:,.0f} MB/s) | {met(p >= 0.9 * d)} |",
            f"| throughput ≥ tinyproxy | {p / med['tinyproxy']:.2f}× ({med['tinyproxy']:,.0f} MB/s) | {met(p >= med['tinyproxy'])} |",
            f"| throughput ≥ squid | {p / med['squid']:.2f}× ({med['squid']:,.0f} MB/s) | {met(p >= med['squid'])} |",
            f"| added connect latency p50 ≤ 1 ms (`CONNECT 127.0.0.1:PORT`) | {ms(padd)} | {met(padd <= 0.001)} |",
            f"| the same, `CONNECT {NAME}:PORT` (the gateway resolves the name) | {ms(padd_name)} | {met(padd_name <= 0.001)} |",
            f"| proxy memory does not grow with bytes transferred (RSS after {args.rounds * gib:g} GiB − after {gib:g} GiB ≤ 1 MiB) | "
            f"{(after_all['paddock'][0] - after_first['paddock'][0]) / MIB:+.2f} MiB | "
            f"{met(after_all['paddock'][0] - after_first['paddock'][0] <= MIB)} |",
            f"| (no target) throughput / the reference `splice(2)` relay's | {p / med['relay']:.0%} ({med['relay']:,.0f} MB/s) | |",
            f"| (no target) {args.connections} connections at once: Paddock's time / direct | "
            f"{statistics.median(conc['paddock']['total']) / statistics.median(conc['direct']['total']):.2f}× | |",
            ""]

    out.append("Each proxy's answer to `CONNECT 127.0.0.1:<another port>` and to `CONNECT 127.0.0.2:<the upstream's port>` "
               "(the allowlists are equivalent: both must be refused): " + "; ".join(
                   f"{t.label} `{refusals[t.name][0]}`, `{refusals[t.name][1]}`" for t in proxies) + ".")
    out.append(f"Paddock's gateway recorded, for the whole run: `{summary}`.")
    out.append("")
    out.append("What is timed (Python 3 clients in `bench/proxy.py`, one connection at a time unless said otherwise; "
               "`TCP_NODELAY` everywhere):")
    out.append(f"- the upstream, `python3 bench/proxy.py upstream --data $WORK/data` on 127.0.0.1:$UPSTREAM_PORT: one selector loop; "
               f"it sends the greeting byte `+` on accept, reads `COUNT\\n`, sends COUNT bytes with `sendfile(2)` from a "
               f"{DATA_FILE_SIZE // MIB} MiB page-cached file of random bytes, half-closes, closes on the client's EOF;")
    out.append(f"- throughput: from `connect()` (to the proxy, or to the upstream directly) through "
               f"`CONNECT 127.0.0.1:$UPSTREAM_PORT HTTP/1.1`, its `200`, the greeting, `{args.mib * MIB}\\n`, to the EOF "
               f"after the last byte, read with `recv_into` into a 4 MiB buffer; the proxy's CPU time is its utime + stime "
               f"from `/proc/PID/stat` over the download, its memory `VmRSS`/`VmHWM` from `/proc/PID/status` (each proxy is "
               f"one process: Paddock's gateway an epoll thread plus lookup threads, tinyproxy a thread per connection, "
               f"squid with `-N` no worker kids);")
    out.append("- the reference relay, `python3 bench/proxy.py relay --upstream-port $UPSTREAM_PORT` (throughput only): "
               "accepts, connects to the upstream, and moves each direction with blocking `splice(2)` through a 256 KiB "
               "pipe on a thread of its own — no CONNECT, no policy, no event loop: about the least work a user-space "
               "relay can do, so the gap between it and the direct connection is the kernel's cost of the second TCP "
               "connection on these cores; it is downloaded from like the direct connection (greeting, count, bytes);")
    out.append(f"- {args.connections} at once: non-blocking `connect()` of all {args.connections} sockets, then one "
               f"selector drives each through CONNECT, the `200`, the greeting, `{EXCHANGE}\\n` and {EXCHANGE} bytes to EOF; "
               f"\"all done\" is from the first `connect()` to the last EOF, the latency from each socket's `connect()` to its greeting;")
    out.append(f"- sequential connects: `connect()` returning, the end of the `200` response head, and the greeting byte, each from "
               f"just before `connect()`; added latency = the proxy's percentile − the direct connection's (which has no `200`).")
    out.append("")
    out.append("The proxies (each in a mount namespace of its own, `unshare --mount --propagation private sh -c 'mount --bind "
               f"$WORK/hosts /etc/hosts && exec …'`, where the hosts file maps `{NAME}` to 127.0.0.1; nothing else differs):")
    out.append(f"- Paddock: `{next(t for t in proxies if t.name == 'paddock').command}` — one `EgressGateway` (epoll loop, "
               f"`splice(2)` relay) with one session whose policy is `allowlist` of those two entries, its always-denied set "
               f"opened for 127.0.0.0/8 (the benchmark tool only), audit events counted instead of stored;")
    for t in proxies[1:]:
        cfg = t.config
        out.append(f"- {t.label}: `{t.command}` with")
        out.append("")
        out.append("  ```")
        out += [("  " + l).rstrip() for l in cfg.strip().splitlines()]
        out.append("  ```")
    out.append("")
    out.append("Problems seen during this benchmark: " + ("; ".join(problems) if problems else "none (no errors in the proxies' logs, every transfer complete)") + ".")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upstream", help="(internal) the upstream server")
    up.add_argument("--data", required=True)
    relay = sub.add_parser("relay", help="(internal) the reference splice relay")
    relay.add_argument("--upstream-port", type=int, required=True)
    relay.add_argument("--pipe-size", type=int, default=256 * 1024)
    run = sub.add_parser("run", help="run P6 and write P6.md")
    run.add_argument("--paddock-bin", required=True, help="the paddock-proxy-bench binary")
    run.add_argument("--out-dir", required=True)
    run.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_P6_ROUNDS", 9)))
    run.add_argument("--samples", type=int, default=int(os.environ.get("BENCH_P6_SAMPLES", 100)),
                     help="sequential connects per target per round")
    run.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_P6_CONNECTIONS", 200)))
    run.add_argument("--mib", type=int, default=int(os.environ.get("BENCH_P6_MIB", 1024)), help="the download's size")
    args = ap.parse_args()
    if args.command == "upstream":
        serve_upstream(args.data)
        return
    if args.command == "relay":
        serve_relay(args.upstream_port, args.pipe_size)
        return
    args.paddock_bin_shown, args.paddock_bin = args.paddock_bin, os.path.abspath(args.paddock_bin)
    for tool in ("tinyproxy", "squid", "unshare"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} not found (make bootstrap-bench installs tinyproxy and squid)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = tempfile.mkdtemp(prefix="paddock-bench-p6.")
    os.chmod(work, 0o755)  # tinyproxy (nobody) and squid (proxy) write below it
    procs = Processes()
    try:
        section = run_benchmark(args, procs, work)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as e:  # the other sections of the run go on; this one says why it has no figures
        log(f"P6 failed: {e}")
        section = (f"## P6 — egress proxy\n\n{machine_line()}\n\n**Not measured in this run.** "
                   f"The benchmark could not complete: {e}\n")
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "P6.md"), "w") as f:
        f.write(section)
    log("P6 written")


if __name__ == "__main__":
    main()
