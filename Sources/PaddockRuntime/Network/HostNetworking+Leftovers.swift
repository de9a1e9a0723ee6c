import PaddockCore

extension HostNetworking {
    /// After a restart: removes the firewall entries and chains, namespaces, veths and leases
    /// of every session not in `keeping` (and not being changed right now). Only objects with
    /// this instance's names are touched: chains `s_…` and entries in Paddock's own table,
    /// namespaces `<namespacePrefix><9 hex>`, interfaces `<interfacePrefix>-<9 hex>`.
    public func removeLeftovers(keeping: Set<String>) async -> [String] {
        let kept = keeping.union(busySessions).filter(SessionLayout.isValidID).map(names.session)
        let keptNamespaces = Set(kept.map(\.namespace))
        let keptInterfaces = Set(kept.map(\.hostInterface))
        let keptChains = Set(kept.map(\.chain))
        var removed: [String] = []

        let gone = leases.keys.filter { !keeping.contains($0) && !busySessions.contains($0) }.sorted()
        for id in gone { await gateway.detach(sessionID: id) }

        if let state = try? await readFirewall() {
            let interfaces = Set(state.sessionJumps.keys).union(state.gateways.map(\.interface)).union(state.proxied)
                .filter { names.isHostInterface($0) && !keptInterfaces.contains($0) }
            let chains = state.chains.filter { names.isSessionChain($0) && !keptChains.contains($0) }
            if let script = ruleset.removal(interfaces: interfaces, chains: chains, from: state),
               (try? await tools.applyRuleset(script)) != nil {
                removed += chains.sorted().map { "nftables chain \($0)" }
                removed += interfaces.sorted().map { "nftables entries of \($0)" }
            }
        }

        for namespace in SessionLinks.namespaces() where names.isNamespace(namespace) && !keptNamespaces.contains(namespace) {
            if (try? await tools.runIP(["netns", "delete", namespace])) != nil {
                removed.append("network namespace \(namespace)")
            }
        }
        // Listed after the namespaces: deleting a namespace usually takes its veth pair along.
        for interface in SessionLinks.interfaces() where names.isHostInterface(interface) && !keptInterfaces.contains(interface) {
            if (try? await tools.runIP(["link", "delete", "dev", interface])) != nil {
                removed.append("veth \(interface)")
            }
        }

        for id in gone {
            guard let lease = leases[id] else { continue }
            let files = leaseFiles
            await BlockingWork.run { files.remove(id) }
            leases[id] = nil
            removed.append("address lease \(lease.subnet) of session \(id)")
        }
        return removed
    }
}
