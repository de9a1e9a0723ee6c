import Foundation
import Synchronization
@testable import PaddockRuntime

/// A fresh directory under the system temp dir, removed by `remove()`.
struct ImageTestDirectory: Sendable {
    let url: URL
    var path: String { url.path }

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("paddock-\(label)-\(ImageFiles.token())", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        _ = ImageFiles.removeQuietly(path)
    }

    /// The names in `sub` (or the directory itself), sorted.
    func names(_ sub: String = "") -> [String] {
        ImageFiles.names(in: sub.isEmpty ? path : "\(path)/\(sub)")
    }

    /// Writes `size` bytes to `relative`, creating directories.
    func write(_ relative: String, size: Int) throws {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x61, count: size).write(to: file)
    }
}

/// A clock the test moves by hand.
final class LayerTestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

    var now: @Sendable () -> Date { { [self] in current.withLock { $0 } } }

    func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Counts how often a build closure ran.
final class LayerBuildCounter: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func increment() {
        count.withLock { $0 += 1 }
    }
}

/// A key made from a label, for tests that only need distinct keys.
func layerTestKey(_ label: String) -> LayerKey {
    LayerKey(digestOf: Array(label.utf8))
}
