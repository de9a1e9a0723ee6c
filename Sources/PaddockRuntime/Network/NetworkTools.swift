import Glibc
import PaddockCore

/// The programs the session network is made with: iproute2's `ip` and `nft`, run with argv
/// arrays (never a shell), their stderr kept for error messages.
public struct NetworkTools: Sendable, Equatable {
    /// The absolute path of `ip`.
    public var ip: String
    /// The absolute path of `nft`.
    public var nft: String

    /// The tools at explicit paths.
    public init(ip: String, nft: String) {
        self.ip = ip
        self.nft = nft
    }

    /// The tools where Debian installs them (`iproute2`, `nftables`).
    public static let standard = NetworkTools(
        ip: firstExecutable(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]) ?? "/usr/sbin/ip",
        nft: firstExecutable(["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]) ?? "/usr/sbin/nft")

    private static func firstExecutable(_ candidates: [String]) -> String? {
        candidates.first { access($0, X_OK) == 0 }
    }

    /// Runs `ip arguments…`; throws with ip's message when it fails.
    func runIP(_ arguments: [String]) async throws(PaddockError) {
        _ = try await run(ip, arguments, name: "ip", package: "iproute2")
    }

    /// Runs the `ip` commands `lines` (argv arrays without `ip`, no spaces inside an argument)
    /// in one `ip -batch` process — in network namespace `namespace` when given — stopping at
    /// the first that fails; throws with ip's message.
    func runIPBatch(_ lines: [[String]], namespace: String? = nil) async throws(PaddockError) {
        for argument in lines.joined() where argument.isEmpty || argument.contains(where: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            throw PaddockError(.internal, "ip batch argument '\(argument)' is empty or has whitespace")
        }
        var template = Array("/tmp/paddock-ip-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw PaddockError(.internal, "cannot make an ip batch file: \(String(cString: strerror(errno)))") }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path) }
        let text = Array(lines.map { $0.joined(separator: " ") + "\n" }.joined().utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == text.count else { throw PaddockError(.internal, "cannot write the ip batch file \(path)") }
        _ = try await run(ip, (namespace.map { ["-n", $0] } ?? []) + ["-batch", path], name: "ip", package: "iproute2")
    }

    /// Runs `nft arguments…` and returns its stdout; throws with nft's message when it fails.
    func runNFT(_ arguments: [String]) async throws(PaddockError) -> [UInt8] {
        try await run(nft, arguments, name: "nft", package: "nftables")
    }

    /// Applies `script` (nft commands, one per line) as one transaction: all or nothing.
    func applyRuleset(_ script: String) async throws(PaddockError) {
        _ = try await runNFT([script])
    }

    private func run(_ program: String, _ arguments: [String], name: String, package: String) async throws(PaddockError) -> [UInt8] {
        guard access(program, X_OK) == 0 else {
            throw PaddockError(.internal, "\(program) is missing; install the \(package) package")
        }
        let outcome = try await RuncInvocation(executable: program, arguments: arguments).run()
        guard outcome.status == 0 else {
            let message = String(decoding: outcome.stderr, as: UTF8.self)
                .split(whereSeparator: \.isNewline).prefix(3).joined(separator: " | ")
            let command = arguments.count == 1 && arguments[0].contains("\n")
                ? "\(name) <ruleset>" : ([name] + arguments).joined(separator: " ")
            throw PaddockError(.internal, "\(command) failed (exit \(outcome.status))\(message.isEmpty ? "" : ": " + message)")
        }
        return outcome.stdout
    }
}
