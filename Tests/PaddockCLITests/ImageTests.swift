import Testing
import PaddockJSON
@testable import PaddockCLI

@Suite("image commands")
struct ImageTests {
    static let base: JSONValue = ["key": "sha256:3f2a9c1e0b7d4f2a11aa22bb33cc44dd", "size_bytes": 432_316_006,
                                  "created_at": "2026-12-01T09:00:00.000Z"]
    static let layers: [JSONValue] = [
        ["key": "sha256:9c1e0b7d4f2a11aa00112233", "size_bytes": 126_353_408, "created_at": "2026-12-02T10:00:00.000Z",
         "last_used_at": "2026-12-03T16:39:34.123Z", "in_use": 2],
        ["key": "sha256:aa00bb11cc22dd33ee44ff55", "size_bytes": 2048, "created_at": "2026-12-02T11:00:00.000Z",
         "last_used_at": "2026-12-02T11:00:00.000Z", "in_use": 0],
    ]

    @Test("ls shows the base image, a layer table and the total against the limit")
    func list() async throws {
        let listing: JSONValue = ["base": Self.base, "layers": .array(Self.layers), "total_bytes": 558_671_462,
                                  "limit_bytes": 10_737_418_240]
        let server = FakeServer { _ in FakeServer.json(200, listing) }
        let result = await runCLI(["image", "ls"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["GET /v1/images"])
        #expect(result.stdout == """
            base image 3f2a9c1e0b7d  412.3 MiB  built 2026-12-01T09:00:00Z

            LAYER         SIZE       CREATED               LAST USED             IN USE
            9c1e0b7d4f2a  120.5 MiB  2026-12-02T10:00:00Z  2026-12-03T16:39:34Z  2
            aa00bb11cc22  2.0 KiB    2026-12-02T11:00:00Z  2026-12-02T11:00:00Z  0

            total 532.8 MiB of 10.0 GiB allowed

            """)
        let json = await runCLI(["image", "ls", "--json"], server: server)
        #expect(try JSONParser.parse(json.stdout) == listing)
    }

    @Test("ls of an empty cache says how to build the base image")
    func listEmpty() async {
        let server = FakeServer { _ in
            FakeServer.json(200, ["base": nil, "layers": [], "total_bytes": 0, "limit_bytes": nil])
        }
        let result = await runCLI(["image", "ls"], server: server)
        #expect(result.stdout == """
            no base image yet; `paddock image build` makes it (the first session does too)

            no cached layers

            total 0 B of no limit

            """)
    }

    @Test("prune sends keep_bytes in bytes (or nothing) and lists what it removed")
    func prune() async {
        let server = FakeServer { _ in
            FakeServer.json(200, ["removed": [Self.layers[1]], "total_bytes": 126_353_408])
        }
        let result = await runCLI(["image", "prune", "--keep-mb", "100"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["POST /v1/images/prune"])
        #expect(result.body() == ["keep_bytes": 104_857_600])
        #expect(result.stdout == """
            LAYER         SIZE     CREATED               LAST USED             IN USE
            aa00bb11cc22  2.0 KiB  2026-12-02T11:00:00Z  2026-12-02T11:00:00Z  0

            removed 1 layer (2.0 KiB)
            the cache now holds 120.5 MiB

            """)
        let everything = await runCLI(["image", "prune"], server: server)
        #expect(everything.body(1) == [:])
    }

    @Test("build posts to /v1/images/build with a long timeout and shows the base image")
    func build() async {
        let server = FakeServer { _ in FakeServer.json(200, Self.base) }
        let result = await runCLI(["image", "build"], server: server)
        #expect(result.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.calls == ["POST /v1/images/build"])
        #expect(result.body() == [:])
        #expect(result.requests[0].timeout == ImageBuild.buildTimeout)
        #expect(result.stdout == "base image 3f2a9c1e0b7d  412.3 MiB  built 2026-12-01T09:00:00Z\n")
    }

    @Test("sizes are in binary units with one decimal", arguments: [
        (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (1_048_576, "1.0 MiB"),
        (10_737_418_240, "10.0 GiB"),
    ])
    func sizes(bytes: Int, text: String) {
        #expect(ImageDisplay.size(.number(JSONNumber(bytes))) == text)
    }

    @Test("prune rejects a negative or non-numeric --keep-mb")
    func pruneUsage() async {
        let result = await runCLI(["image", "prune", "--keep-mb", "lots"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.hasPrefix("error: --keep-mb must be a whole number from 0 to "))
    }
}
