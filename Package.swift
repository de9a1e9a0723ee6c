// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Paddock",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "paddock", targets: ["paddock"]),
    ],
    targets: [
        .systemLibrary(name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
                       providers: [.apt(["libmicrohttpd-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        .target(name: "PaddockJSON"),
        .target(name: "PaddockCore", dependencies: ["PaddockJSON"]),
        .target(name: "PaddockStore", dependencies: ["PaddockCore", "CSQLite"]),
        .target(name: "PaddockHTTP", dependencies: ["CMicroHTTPD"]),
        .target(name: "PaddockServer",
                dependencies: ["PaddockCore", "PaddockJSON", "PaddockStore", "PaddockHTTP", "PaddockRuntime",
                               "PaddockAgentProtocol", "PaddockProxy"],
                resources: [.copy("Presets")]),
        .target(name: "PaddockCLI", dependencies: ["PaddockCore", "PaddockJSON"]),
        // The wire format between the server and paddock-init; Glibc only.
        .target(name: "PaddockAgentProtocol"),
        // PID 1 of every session: statically linked, no dependency but Glibc.
        .executableTarget(name: "paddock-init", dependencies: ["PaddockAgentProtocol"],
                          linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        // openat2(2) for session file access (Swift cannot call the variadic syscall(2)).
        .target(name: "CPaddockSys"),
        .target(name: "PaddockRuntime", dependencies: ["PaddockCore", "PaddockJSON", "PaddockAgentProtocol", "CPaddockSys"],
                resources: [.copy("Recipes")]),
        .executableTarget(name: "paddock", dependencies: ["PaddockServer", "PaddockCLI"]),
        // The egress gateway (epoll proxy, splice relay, DNS responder); PaddockCore and Glibc only.
        .target(name: "PaddockProxy", dependencies: ["PaddockCore"]),
        .executableTarget(name: "paddock-proxy-bench", dependencies: ["PaddockProxy", "PaddockCore"]),

        // Test doubles several test targets use (a local npm registry); Foundation only.
        .target(name: "PaddockTestSupport", path: "Tests/PaddockTestSupport"),
        .testTarget(name: "PaddockJSONTests", dependencies: ["PaddockJSON"]),
        .testTarget(name: "PaddockCoreTests", dependencies: ["PaddockCore"]),
        .testTarget(name: "PaddockStoreTests", dependencies: ["PaddockStore"]),
        .testTarget(name: "PaddockHTTPTests", dependencies: ["PaddockHTTP"]),
        .testTarget(name: "PaddockServerTests",
                    dependencies: ["PaddockServer", "PaddockCore", "PaddockJSON", "PaddockHTTP", "PaddockStore",
                                   "PaddockRuntime", "PaddockAgentProtocol", "PaddockProxy", "PaddockTestSupport"]),
        .testTarget(name: "PaddockCLITests", dependencies: ["PaddockCLI", "PaddockCore"]),
        // Runs the built paddock-init binary (`swift build` makes it); depending on the executable
        // target would link its -static-stdlib flag into the test bundle.
        .testTarget(name: "PaddockAgentTests", dependencies: ["PaddockAgentProtocol", "PaddockTestSupport"]),
        .testTarget(name: "PaddockProxyTests", dependencies: ["PaddockProxy", "PaddockCore", "PaddockTestSupport"]),
        .testTarget(name: "PaddockRuntimeTests",
                    dependencies: ["PaddockRuntime", "PaddockCore", "PaddockJSON", "PaddockAgentProtocol",
                                   "PaddockTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
