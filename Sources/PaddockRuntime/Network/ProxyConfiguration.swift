import PaddockCore

/// How the tools inside a gateway-only session find the egress proxy: the usual variables,
/// plus configuration files for programs that read files rather than the environment (apt
/// under a clean environment, pip, npm, git). Each file uses only keys its tool knows, so
/// none of them prints a warning.
struct ProxyConfiguration: Sendable, Equatable {
    /// `http://<gateway>:3128`.
    let proxyURL: String

    /// Hosts that never go through the proxy.
    static let noProxy = "localhost,127.0.0.1"

    /// The configuration for the proxy at `gateway`.
    init(gateway: IPv4Address) {
        proxyURL = "http://\(gateway):\(EgressPorts.proxy)"
    }

    /// The variables exported in the container and every exec.
    var environment: [String: String] {
        [
            "HTTP_PROXY": proxyURL, "HTTPS_PROXY": proxyURL, "http_proxy": proxyURL, "https_proxy": proxyURL,
            "NO_PROXY": Self.noProxy, "no_proxy": Self.noProxy,
            // Node 22.15+/24 honours the variables above in fetch and http only with this.
            "NODE_USE_ENV_PROXY": "1",
        ]
    }

    /// Path inside the session → file contents.
    var rootFiles: [String: String] {
        let note = "written by paddock: this session reaches the network only through its egress proxy"
        return [
            "/etc/apt/apt.conf.d/90paddock-proxy":
                "// \(note)\nAcquire::http::Proxy \"\(proxyURL)\";\nAcquire::https::Proxy \"\(proxyURL)\";\n",
            "/etc/pip.conf": "# \(note)\n[global]\nproxy = \(proxyURL)\n",
            "/root/.npmrc": "; \(note)\nproxy=\(proxyURL)\nhttps-proxy=\(proxyURL)\nnoproxy=\(Self.noProxy)\n",
            "/etc/gitconfig": "# \(note)\n[http]\n\tproxy = \(proxyURL)\n",
        ]
    }
}
