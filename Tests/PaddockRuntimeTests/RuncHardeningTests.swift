import Foundation
import PaddockCore
import Testing
@testable import PaddockRuntime

/// Real containers (root and runc required): what a process inside a hardened session sees.
@Suite("runc: inside a hardened container", .serialized, .enabled(if: RootfsFixture.canRunContainers))
struct RuncHardeningTests {
    let fixture: RootfsFixture

    init() throws {
        fixture = try RootfsFixture()
    }

    /// The value of `field` in `/proc/self/status` output.
    private func statusField(_ status: String, _ field: String) -> String? {
        status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    @Test("a one-shot container runs a command and returns its output")
    func echo() async throws {
        let result = try await fixture.run("echo hello; echo oops >&2; exit 3")
        #expect(result.stdoutText == "hello\n")
        #expect(result.stderrText == "oops\n")
        #expect(result.exitCode == 3)
    }

    @Test("init has no new privileges, seccomp filter mode and only the ten capabilities")
    func processStatus() async throws {
        let result = try await fixture.run("cat /proc/self/status")
        let status = result.stdoutText
        #expect(result.exitCode == 0)
        #expect(statusField(status, "NoNewPrivs") == "1")
        #expect(statusField(status, "Seccomp") == "2")
        let expected = String(format: "%016llx", Capability.mask(of: SessionHardening.capabilities))
        #expect(expected == "00000000000405fb")
        for field in ["CapEff", "CapPrm", "CapBnd"] {
            #expect(statusField(status, field) == expected, "\(field)")
        }
        #expect(statusField(status, "CapInh") == "0000000000000000")
        #expect(statusField(status, "CapAmb") == "0000000000000000")
    }

    @Test("masked kernel files read as empty and masked directories list nothing")
    func maskedPaths() async throws {
        let result = try await fixture.run("""
            cat /proc/kcore | wc -c; cat /proc/keys | wc -c; ls -A /sys/firmware | wc -l
            """)
        #expect(result.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["0", "0", "0"])
    }

    @Test("/proc/sys and /proc/sysrq-trigger cannot be written")
    func readonlyPaths() async throws {
        let result = try await fixture.run("""
            if (echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null; then echo wrote; else echo refused; fi
            if (echo h > /proc/sysrq-trigger) 2>/dev/null; then echo wrote; else echo refused; fi
            """)
        #expect(result.stdoutText == "refused\nrefused\n")
    }

    @Test("the hostname, cwd and environment are the specification's")
    func identity() async throws {
        var spec = try fixture.specification(["sh", "-c", "cat /proc/sys/kernel/hostname; pwd; env; id -u"], hostname: "sess_01ABC")
            .makeSpec()
        spec.process?.env?.append("EXTRA=1")
        try BundleWriter().write(spec, to: fixture.bundle)
        let result = try await fixture.runc().run(id: RootfsFixture.containerID(), bundle: fixture.bundle)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "sess_01ABC")
        #expect(lines.dropFirst().first == "/workspace")
        for entry in ["HOME=/root", "LANG=C.UTF-8", "TERM=xterm", "EXTRA=1",
                      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] {
            #expect(lines.contains(entry), "\(entry)")
        }
        #expect(lines.last == "0")
    }

    @Test("rlimits: open files as attainable on this host (65536 where allowed), no core dumps")
    func rlimits() async throws {
        let result = try await fixture.run("ulimit -n; ulimit -Hn; ulimit -c")
        let openFiles = HostLimits.attainableOpenFiles(SessionHardening.openFilesLimit)
        #expect(result.stdoutText == "\(openFiles)\n\(openFiles)\n0\n")
        if getrlimitHard() >= 65536 || HostLimits.hasEffectiveCapability(.sysResource) {
            #expect(openFiles == 65536)
        }
    }

    private func getrlimitHard() -> UInt64 {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return UInt64(limit.rlim_max)
    }

    @Test("the memory limit (and no swap) is set on the container's cgroup")
    func memoryLimit() async throws {
        let result = try await fixture.run("""
            if [ -f /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max
            else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes; fi
            """, memoryMB: 96)
        let values = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(values.first == String(96 * 1024 * 1024))
        #expect(values.last == String(96 * 1024 * 1024) || values.last == "0")
    }

    @Test("the pids limit stops a fork bomb: fork fails once the limit is reached")
    func pidsLimit() async throws {
        let result = try await fixture.run("""
            cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max
            i=0; while [ $i -lt 64 ]; do sleep 30 & i=$((i+1)); done; echo forked $i
            """, pids: 16)
        #expect(result.stdoutText.hasPrefix("16\n"))
        #expect(!result.stdoutText.contains("forked 64"))
        #expect(result.stderrText.lowercased().contains("fork"))
        #expect(result.exitCode != 0)
    }

    @Test("a call outside the seccomp allowlist is refused (unshare works without the filter)")
    func seccompRefusesUnshare() async throws {
        let filtered = try await fixture.run("unshare -U id -u")
        #expect(filtered.exitCode != 0)
        #expect(filtered.stderrText.contains("Operation not permitted"))
        let unfiltered = try await fixture.run("unshare -U id -u") { $0.linux?.seccomp = nil }
        #expect(unfiltered.exitCode == 0, "control run without seccomp: \(unfiltered.stderrText)")
    }

    @Test("mounting is refused")
    func mountRefused() async throws {
        let result = try await fixture.run("mkdir -p /mnt; mount -t tmpfs none /mnt && echo mounted || echo refused")
        #expect(result.stdoutText == "refused\n")
    }

    @Test("a command that cannot start throws with runc's message")
    func missingProgram() async throws {
        var spec = try fixture.specification(["/no/such/program"]).makeSpec()
        spec.process?.cwd = "/"
        try BundleWriter().write(spec, to: fixture.bundle)
        await #expect(throws: PaddockError.self) {
            _ = try await fixture.runc().run(id: RootfsFixture.containerID(), bundle: fixture.bundle)
        }
    }
}
