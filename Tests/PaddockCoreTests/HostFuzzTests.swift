import Foundation
import Testing
@testable import PaddockCore

/// Fuzzes the host-pattern parser, canonicaliser and matcher with ~20k generated entries.
@Suite("Host pattern fuzzing")
struct HostFuzzTests {
    static let alphabet: [String] = [
        "a", "b", "x", "z", "e", "0", "1", "9", "-", ".", ".", "*", ":", "/", "[", "]", "@", " ", "_", "A", "Z",
        "%", "#", "?", "\\", "ü", "ß", "é", "İ", "中", "。", "．", "ｅ", "０", "\u{200D}", "\u{0301}", "❤", "\u{202E}",
        "\n", "\t", "\u{0}", "xn--", "::", "ffff", "0x", "com", "https://",
    ]
    static let labels = [
        "a", "www", "ex-ample", "bücher", "xn--bcher-kva", "中文", "123", "0x1f", "ÜBER", "ß", "a--b", "Example",
        "-x", "x-", "", "*", "a_b", "ｆｕｌｌ", "x", String(repeating: "l", count: 63), String(repeating: "m", count: 64),
    ]
    static let allowedCanonical = Set("abcdefghijklmnopqrstuvwxyz0123456789.*:-[]/".unicodeScalars)

    fileprivate static func randomString(_ rng: inout SplitMix64) -> String {
        let length = Int.random(in: 0...24, using: &rng)
        return (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    fileprivate static func structuredString(_ rng: inout SplitMix64) -> String {
        var text: String
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...5:
            let count = Int.random(in: 1...4, using: &rng)
            text = (0..<count).map { _ in labels.randomElement(using: &rng)! }.joined(separator: ".")
            if Bool.random(using: &rng) { text = "*." + text }
            if Int.random(in: 0..<4, using: &rng) == 0 { text += "." }
        case 6...7:
            text = (0..<4).map { _ in String(Int.random(in: 0...300, using: &rng)) }.joined(separator: ".")
            if Bool.random(using: &rng) { text += "/\(Int.random(in: 0...33, using: &rng))" }
        default:
            let groups = (0..<8).map { _ in String(Int.random(in: 0...3, using: &rng) == 0 ? 0 : Int.random(in: 0...0xFFFF, using: &rng), radix: 16) }
            text = "[" + groups.joined(separator: ":").replacingFirstZeros() + "]"
            if Bool.random(using: &rng) { text += "/\(Int.random(in: 0...129, using: &rng))" }
        }
        if Int.random(in: 0..<3, using: &rng) == 0 { text += ":\(Int.random(in: 0...70000, using: &rng))" }
        return text
    }

    /// Checks every property that must hold for one input.
    static func check(_ input: String) {
        let pattern: HostPattern
        do {
            pattern = try HostPattern.parse(input, param: "config.networking.domains[7]")
        } catch {
            #expect(error.param == "config.networking.domains[7]")
            #expect(!error.message.contains("\n"), "message for \(input.debugDescription) spans lines")
            checkTarget(input)
            return
        }
        let canonical = pattern.description
        #expect(canonical.unicodeScalars.allSatisfy(allowedCanonical.contains), "\(input.debugDescription) → \(canonical)")
        #expect((try? HostPattern.parse(canonical, param: "p")) == pattern, "\(input.debugDescription) → \(canonical)")
        let port = pattern.port ?? 443
        switch pattern.target {
        case .host(let name):
            #expect(pattern.matches(host: name, port: port))
            #expect(!pattern.matches(host: "www." + name, port: port))
            #expect(!pattern.matches(host: name, port: port == 22 ? 23 : 22))
        case .subdomains(let base):
            #expect(!pattern.matches(host: base, port: port))
            #expect(pattern.matches(host: "a." + base, port: port))
            #expect(pattern.matches(host: "a.b." + base, port: port))
        case .ipv4(let address):
            #expect(pattern.matches(host: address.description, port: port))
            #expect(pattern.matches(host: String(address.value), port: port))
        case .ipv4Network(let network, _):
            #expect(pattern.matches(host: network.description, port: port))
        case .ipv6(let address):
            #expect(pattern.matches(host: "[\(address)]", port: port))
        case .ipv6Network(let network, _):
            #expect(pattern.matches(host: "[\(network)]", port: port))
        }
        checkTarget(input)
    }

    /// canonicalHost is idempotent and only produces pattern-safe text.
    static func checkTarget(_ input: String) {
        guard let host = HostPattern.canonicalHost(input) else { return }
        #expect(HostPattern.canonicalHost(host) == host, "\(input.debugDescription) → \(host)")
        #expect(host.unicodeScalars.allSatisfy(allowedCanonical.contains), "\(input.debugDescription) → \(host)")
    }

    @Test("random strings never crash the parser and canonical text round-trips")
    func randomStrings() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<10_000 { Self.check(Self.randomString(&rng)) }
    }

    @Test("structured host-like strings round-trip and match themselves")
    func structuredStrings() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var accepted = 0
        for _ in 0..<10_000 {
            let input = Self.structuredString(&rng)
            if (try? HostPattern.parse(input, param: "p")) != nil { accepted += 1 }
            Self.check(input)
        }
        #expect(accepted > 1_000, "the generator should produce many valid entries")
    }
}

private extension String {
    /// Compresses the first run of `0` groups to `::` now and then, to exercise both forms.
    func replacingFirstZeros() -> String {
        guard let range = range(of: ":0:0:") else { return self }
        return replacingCharacters(in: range, with: "::")
    }
}
