/// `paddock-proxy-bench`: Paddock's egress gateway alone, for benchmark P6 (`bench/proxy.py`).
///
///     paddock-proxy-bench --listen 127.0.0.1:PORT --allow HOST:PORT [--allow HOST:PORT …]
///
/// Starts one ``EgressGateway`` with one session attached at the `--listen` address, whose
/// policy is `allowlist` of the `--allow` entries (the same host patterns a session's
/// `networking.domains` takes, e.g. `127.0.0.1:8443`). Unlike the server, the gateway's
/// always-denied set is opened for `127.0.0.0/8` (as with `--allow-cidr`), so that an upstream
/// on loopback can be reached: only this benchmark tool does that. The session's transparent
/// listener and DNS responder are bound to free ports on the same address and not used.
///
/// Prints `ready PORT` once the proxy listens, then runs until SIGTERM or SIGINT, and prints
/// `events N allowed A denied D bytes_up U bytes_down B` (the audit events the gateway would have
/// stored, counted instead) before it exits. Names are resolved with the host's resolver.
import Glibc
import PaddockCore
import PaddockProxy
import Synchronization

/// Counts the audit events instead of storing them.
final class CountingRecorder: EgressRecorder {
    /// Connections (or lookups) allowed, and refused.
    let allowed = Atomic<Int>(0)
    let denied = Atomic<Int>(0)
    /// Bytes relayed to the targets, and from them.
    let bytesUp = Atomic<Int64>(0)
    let bytesDown = Atomic<Int64>(0)

    /// Counts `event`; called on the gateway's loop thread, so it only adds.
    func record(_ event: EgressEvent) {
        if event.allowed { allowed.add(1, ordering: .relaxed) } else { denied.add(1, ordering: .relaxed) }
        bytesUp.add(event.bytesUp, ordering: .relaxed)
        bytesDown.add(event.bytesDown, ordering: .relaxed)
    }

    /// The one-line summary printed at exit.
    var summary: String {
        let (a, d) = (allowed.load(ordering: .relaxed), denied.load(ordering: .relaxed))
        return "events \(a + d) allowed \(a) denied \(d) bytes_up \(bytesUp.load(ordering: .relaxed)) "
            + "bytes_down \(bytesDown.load(ordering: .relaxed))"
    }
}

/// The self-pipe the stop signals write to.
enum StopPipe {
    /// Read end, write end; made before the handler is installed.
    static let fds: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { fail("pipe: \(String(cString: strerror(errno)))") }
        return (fds[0], fds[1])
    }()

    /// The signal handler: one `write(2)`, nothing else.
    static let handler: @convention(c) (Int32) -> Void = { _ in
        var one: UInt8 = 1
        _ = write(StopPipe.fds.write, &one, 1)
    }
}

/// Writes `text` and a newline to descriptor `fd` at once (unbuffered, so bench/proxy.py sees it).
func say(_ text: String, to fd: Int32 = 1) {
    let line = Array((text + "\n").utf8)
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

/// Prints `message` to standard error and exits with status 2.
func fail(_ message: String) -> Never {
    say("paddock-proxy-bench: \(message)", to: 2)
    exit(2)
}

/// The command line: the proxy's address and port, and the allowlist.
func parseArguments(_ arguments: [String]) -> (address: IPv4Address, port: Int, allow: [HostPattern]) {
    var listen: String?
    var allow: [HostPattern] = []
    var rest = arguments[...]
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
        switch flag {
        case "--listen": listen = value
        case "--allow":
            do { allow.append(try HostPattern.parse(value, param: "--allow")) } catch { fail("\(error)") }
        default: fail("unknown option \(flag); usage: --listen 127.0.0.1:PORT --allow HOST:PORT …")
        }
    }
    guard let listen, let colon = listen.lastIndex(of: ":"),
          let address = IPv4Address(String(listen[..<colon])), let port = Int(listen[listen.index(after: colon)...]),
          (1...65535).contains(port) else { fail("--listen 127.0.0.1:PORT is required") }
    guard !allow.isEmpty else { fail("at least one --allow HOST:PORT is required") }
    return (address, port, allow)
}

let options = parseArguments(Array(CommandLine.arguments.dropFirst()))
_ = StopPipe.fds

let recorder = CountingRecorder()
let gateway: EgressGateway
do {
    gateway = try EgressGateway(
        presets: .empty, addresses: AddressPolicy(allowed: [IPv4Network(IPv4Address("127.0.0.0")!, prefixLength: 8)]),
        recorder: recorder, proxyPort: options.port, transparentPort: 0, dnsPort: 0, hostAddresses: nil)
    try await gateway.attach(sessionID: "sess_bench", gateway: options.address, policy: .allowlist(domains: options.allow))
} catch {
    fail("\(error)")
}
// SIGTERM and SIGINT only write a byte to a pipe (all a signal handler may safely do); the main
// thread waits for it, then shuts the gateway down and prints the summary.
signal(SIGTERM, StopPipe.handler)
signal(SIGINT, StopPipe.handler)
say("ready \(options.port)")
var byte: UInt8 = 0
while read(StopPipe.fds.read, &byte, 1) < 0 && errno == EINTR {}
await gateway.shutdown()
say(recorder.summary)
exit(0)
