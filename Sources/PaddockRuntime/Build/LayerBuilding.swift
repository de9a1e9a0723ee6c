import Foundation
import PaddockCore

/// Fills one layer: runs a ``LayerStep``'s commands in a build container whose root is an
/// overlay of `lower` (top first, the base image last) with `directory.rootfs` as the upper dir,
/// then verifies the step's pins. What remains in the upper dir is the layer.
public protocol LayerBuilding: Sendable {
    /// Builds `step` into `directory`; every output line goes to `log`. Throws
    /// ``LayerBuildError`` when a command fails or a pin did not install.
    func build(_ step: LayerStep, lower: [URL], into directory: LayerBuildDirectory,
               log: @escaping @Sendable (String) -> Void) async throws
}

/// A layer build that failed, with a message fit for the session's `error`: which command,
/// its exit status and the decisive lines of its output (e.g. pip's `ERROR:` lines).
public struct LayerBuildError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The layer kind (`apt`, `npm`, `pip`, `setup`).
    public var step: String
    /// One or a few sentences; never the whole log.
    public var message: String

    /// Creates the error.
    public init(step: String, message: String) {
        self.step = step
        self.message = message
    }

    public var description: String { message }
}
