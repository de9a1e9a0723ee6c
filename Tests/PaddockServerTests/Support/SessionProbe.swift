/// A Python program the network tests copy into a session (`/workspace/probe.py`) to try
/// every way out: each subcommand prints one short line that a test compares.
///
/// - `connect TARGET [SNI]`: `CONNECT TARGET` through the proxy of `HTTPS_PROXY`; prints the
///   status and the `x-paddock-deny-reason` (`403 host_not_allowed`, `200 -`), then, given an
///   SNI and a 200, ` tls-ok` or ` tls-closed` for a TLS handshake naming SNI in the tunnel.
/// - `tcp HOST PORT [6]`: a direct connection (IPv6 with `6`): `open` (and the first line the
///   peer sent, if any), `timeout`, `refused`, `no-address` or `error <errno name>`.
/// - `tls HOST PORT SNI`: a direct TLS handshake naming SNI: `tls-ok` or `tls-closed`.
/// - `udp HOST PORT`: one datagram, then `reply` or `no-reply` within 3 s.
/// - `dns SERVER NAME`: an A query to SERVER:53: `rcode N answers A,B` or `no-reply`.
/// - `relay HOST PORT`: a relay started inside the session (listening on 127.0.0.1) that
///   forwards to HOST:PORT directly; a client of the relay prints what came back through it,
///   or `nothing`.
enum SessionProbe {
    static let path = "/workspace/probe.py"

    static let script = #"""
    import errno, os, socket, ssl, struct, sys, threading, urllib.parse

    def proxy():
        url = urllib.parse.urlsplit(os.environ["HTTPS_PROXY"])
        return url.hostname, url.port

    def tls_over(sock, sni):
        context = ssl.create_default_context()
        try:
            with context.wrap_socket(sock, server_hostname=sni):
                return "tls-ok"
        except (ssl.SSLError, OSError):
            return "tls-closed"

    def connect(target, sni=None):
        s = socket.create_connection(proxy(), timeout=15)
        s.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        lines = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        words = lines[0].split(" ")
        status = words[1] if len(words) > 1 else "none"
        reason = next((l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("x-paddock-deny-reason:")), "-")
        result = f"{status} {reason}"
        if status == "200" and sni:
            result += " " + tls_over(s, sni)
        return result

    def tcp(host, port, six=False):
        family = socket.AF_INET6 if six else socket.AF_INET
        try:
            address = socket.getaddrinfo(host, int(port), family, socket.SOCK_STREAM)[0][4]
        except socket.gaierror:
            return "no-address"
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(4)
        try:
            s.connect(address)
        except socket.timeout:
            return "timeout"
        except ConnectionRefusedError:
            return "refused"
        except OSError as e:
            return "error " + errno.errorcode.get(e.errno, str(e.errno))
        try:
            greeting = s.recv(200).decode("latin-1").strip()
        except OSError:
            greeting = ""
        return ("open " + greeting).strip()

    def tls(host, port, sni):
        try:
            s = socket.create_connection((host, int(port)), timeout=10)
        except OSError as e:
            return "error " + errno.errorcode.get(e.errno, str(e.errno))
        return tls_over(s, sni)

    def udp(host, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        try:
            s.sendto(b"\x00paddock-probe", (host, int(port)))
            s.recvfrom(2048)
            return "reply"
        except socket.timeout:
            return "no-reply"
        except OSError as e:
            return "error " + errno.errorcode.get(e.errno, str(e.errno))

    def dns(server, name):
        query = struct.pack(">HHHHHH", 0x5044, 0x0100, 1, 0, 0, 0)
        query += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00" + struct.pack(">HH", 1, 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(3)
        try:
            s.sendto(query, (server, 53))
            reply, _ = s.recvfrom(4096)
        except socket.timeout:
            return "no-reply"
        rcode = reply[3] & 0x0F
        count = struct.unpack(">H", reply[6:8])[0]
        answers, i = [], len(query)
        for _ in range(count):
            i += 2 if reply[i] & 0xC0 == 0xC0 else len(reply[i:].split(b"\x00")[0]) + 1
            kind, _, _, length = struct.unpack(">HHIH", reply[i:i + 10])
            i += 10
            if kind == 1 and length == 4:
                answers.append(".".join(str(b) for b in reply[i:i + 4]))
            i += length
        return f"rcode {rcode} answers {','.join(answers) or '-'}"

    def relay(host, port):
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        def serve():
            client, _ = listener.accept()
            try:
                upstream = socket.create_connection((host, int(port)), timeout=4)
                client.sendall(upstream.recv(200))
            except OSError:
                pass
            client.close()
        threading.Thread(target=serve, daemon=True).start()
        c = socket.create_connection(listener.getsockname(), timeout=10)
        data = c.recv(200).decode("latin-1").strip()
        return data or "nothing"

    commands = {"connect": connect, "tcp": lambda h, p, six=None: tcp(h, p, six == "6"), "tls": tls, "udp": udp,
                "dns": dns, "relay": relay}
    print(commands[sys.argv[1]](*sys.argv[2:]))
    """#
}
