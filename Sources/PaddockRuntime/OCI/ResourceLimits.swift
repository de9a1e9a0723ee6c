import PaddockCore

/// The cgroup limits of one container: CPU bandwidth, memory without swap, task count.
public struct ResourceLimits: Sendable, Equatable {
    /// CPUs worth of time per period, e.g. `1.5`; between 0.01 and 1024.
    public var cpus: Double
    /// Memory in MiB; swap is not allowed on top of it. At least 16.
    public var memoryMB: Int
    /// The maximum number of processes and threads. At least 16 (runc's own init counts).
    public var pids: Int

    /// The CFS period used for every container, in microseconds.
    public static let cpuPeriod: UInt64 = 100_000

    /// Creates limits, throwing `invalidArgument` when a value is out of range.
    public init(cpus: Double, memoryMB: Int, pids: Int) throws(PaddockError) {
        guard cpus.isFinite, cpus >= 0.01, cpus <= 1024 else {
            throw .invalid("resources.cpus", "must be between 0.01 and 1024")
        }
        guard memoryMB >= 16, memoryMB <= 16 * 1024 * 1024 else {
            throw .invalid("resources.memory_mb", "must be between 16 and 16777216")
        }
        guard pids >= 16, pids <= 4_194_304 else {
            throw .invalid("resources.pids", "must be between 16 and 4194304")
        }
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.pids = pids
    }

    /// The memory limit in bytes.
    public var memoryBytes: Int64 { Int64(memoryMB) * 1024 * 1024 }

    /// The CFS quota: `cpus` periods' worth of microseconds.
    public var cpuQuota: Int64 { Int64((cpus * Double(Self.cpuPeriod)).rounded()) }

    /// The OCI form: memory limit with swap equal to it (memory + swap = limit, so no swap),
    /// CPU quota over ``cpuPeriod``, pids limit.
    public func ociResources(devices: [OCI.DeviceRule]? = nil) -> OCI.Resources {
        OCI.Resources(
            memory: OCI.Memory(limit: memoryBytes, swap: memoryBytes),
            cpu: OCI.CPU(quota: cpuQuota, period: Self.cpuPeriod),
            pids: OCI.Pids(limit: Int64(pids)),
            devices: devices)
    }
}
