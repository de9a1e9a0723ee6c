import Glibc
import PaddockCore

/// The IPv4 addresses configured on the host's interfaces (`getifaddrs(3)`), so that sessions
/// can be kept from every one of them.
public enum HostAddresses {
    /// Every IPv4 address of every interface of the server's network namespace, sorted.
    public static func discover() -> [IPv4Address] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: Set<IPv4Address> = []
        var cursor = list
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) {
                let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
                }
                addresses.insert(IPv4Address(value))
            }
            cursor = entry.pointee.ifa_next
        }
        return addresses.sorted()
    }
}
