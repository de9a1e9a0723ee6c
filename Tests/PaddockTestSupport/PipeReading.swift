import Foundation

/// Reading a child's pipe without Foundation's `FileHandle` reads, which stop the whole test
/// process with a fatal error when a signal interrupts them (`EINTR`); these retry instead.
public enum PipeReading {
    /// Everything until end of file.
    public static func readAll(_ handle: FileHandle) -> Data {
        var data = Data()
        while true {
            let chunk = readChunk(handle)
            if chunk.isEmpty { return data }
            data.append(chunk)
        }
    }

    /// What one `read(2)` returns (up to 64 KiB); empty at end of file or on an error.
    public static func readChunk(_ handle: FileHandle) -> Data {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(handle.fileDescriptor, &buffer, buffer.count)
            if count > 0 { return Data(buffer[0..<count]) }
            if count < 0 && errno == EINTR { continue }
            return Data()
        }
    }
}
