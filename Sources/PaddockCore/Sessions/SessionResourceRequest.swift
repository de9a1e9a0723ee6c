import PaddockJSON

/// A session's resource limits as the API states them (`resources` in api.md), validated.
/// The server turns it into PaddockRuntime's `SessionResources`, which PaddockCore cannot see.
public struct SessionResourceRequest: Sendable, Hashable {
    /// CPUs worth of time, e.g. 2 or 0.5.
    public let cpus: Double
    /// Memory limit in MiB (no swap).
    public let memoryMB: Int
    /// Maximum processes and threads.
    public let pids: Int
    /// Size of the writable layer in MiB.
    public let diskMB: Int

    /// Default CPUs.
    public static let defaultCPUs = 2.0
    /// Default memory limit, MiB.
    public static let defaultMemoryMB = 4096
    /// Default process limit.
    public static let defaultPids = 1024
    /// Default writable-layer size, MiB.
    public static let defaultDiskMB = 10240

    /// Accepted CPUs.
    public static let cpusRange = 0.05...64.0
    /// Accepted memory limits, MiB.
    public static let memoryMBRange = 64...65536
    /// Accepted process limits.
    public static let pidsRange = 32...32768
    /// Accepted writable-layer sizes, MiB.
    public static let diskMBRange = 64...102400

    /// The limits of a session whose request has no `resources`.
    public static let `default` = SessionResourceRequest(
        checked: defaultCPUs, memoryMB: defaultMemoryMB, pids: defaultPids, diskMB: defaultDiskMB)

    /// Validated limits; a value out of range throws an error naming `resources.<field>`.
    public init(cpus: Double = defaultCPUs, memoryMB: Int = defaultMemoryMB, pids: Int = defaultPids,
                diskMB: Int = defaultDiskMB) throws(PaddockError) {
        guard Self.cpusRange.contains(cpus) else {
            throw PaddockError.invalid("resources.cpus", "\(Self.format(cpus)) is out of range; use a number from 0.05 to 64")
        }
        for (name, value, range) in [("memory_mb", memoryMB, Self.memoryMBRange), ("pids", pids, Self.pidsRange),
                                     ("disk_mb", diskMB, Self.diskMBRange)] where !range.contains(value) {
            throw PaddockError.invalid("resources.\(name)",
                                       "\(value) is out of range; use an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        self.init(checked: cpus, memoryMB: memoryMB, pids: pids, diskMB: diskMB)
    }

    private init(checked cpus: Double, memoryMB: Int, pids: Int, diskMB: Int) {
        self.cpus = cpus
        self.memoryMB = memoryMB
        self.pids = pids
        self.diskMB = diskMB
    }

    /// Reads a `resources` object; every field is optional and takes its default when absent.
    public static func parse(_ value: JSONValue, param: String = "resources") throws(PaddockError) -> SessionResourceRequest {
        let fields = try FieldReader(value, path: param, allowedKeys: ["cpus", "memory_mb", "pids", "disk_mb"])
        var cpus = defaultCPUs
        if let raw = fields.raw("cpus") {
            guard case .number(let number) = raw else {
                throw PaddockError.invalid(fields.path("cpus"), "must be a number such as 2 or 0.5, not \(raw.kindName)")
            }
            cpus = number.doubleValue
            guard cpusRange.contains(cpus) else {
                throw PaddockError.invalid(fields.path("cpus"), "\(number.literal) is out of range; use a number from 0.05 to 64")
            }
        }
        let resources = SessionResourceRequest(
            checked: cpus,
            memoryMB: try fields.int("memory_mb", in: memoryMBRange) ?? defaultMemoryMB,
            pids: try fields.int("pids", in: pidsRange) ?? defaultPids,
            diskMB: try fields.int("disk_mb", in: diskMBRange) ?? defaultDiskMB)
        return resources
    }

    /// The wire form, always with every field.
    public var json: JSONValue {
        [
            "cpus": .number(cpus == cpus.rounded() ? JSONNumber(Int(cpus)) : JSONNumber(cpus)),
            "memory_mb": .number(JSONNumber(memoryMB)),
            "pids": .number(JSONNumber(pids)),
            "disk_mb": .number(JSONNumber(diskMB)),
        ]
    }

    private static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
