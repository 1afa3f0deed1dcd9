import Foundation

/// What `verify` found.
package struct VerifyReport: Sendable {
    package var objectsChecked = 0
    package var corruptObjects: [String] = []
    /// Fingerprints whose outputs were forgotten so the next run recomputes them.
    package var invalidated: [String] = []
}

/// What `gc` removed.
package struct GCReport: Sendable {
    package var objectsRemoved = 0
    package var bytesFreed: Int64 = 0
    package var outputsForgotten = 0
}

/// Re-hashing and garbage collection of the store, keeping the ledger consistent with it.
package struct StoreMaintenance {
    let workspace: Workspace
    let ledger: Ledger
    let store: ArtifactStore
    private let fm = FileManager.default

    package init(runner: Runner) {
        workspace = runner.workspace
        ledger = runner.ledger
        store = runner.store
    }

    private func objectFiles() -> [(hash: String, url: URL)] {
        var out: [(String, URL)] = []
        for prefix in (try? fm.contentsOfDirectory(atPath: workspace.objects.path)) ?? [] {
            let folder = workspace.objects.appendingPathComponent(prefix)
            for name in (try? fm.contentsOfDirectory(atPath: folder.path)) ?? [] where !name.hasSuffix(".tmp") {
                out.append((name, folder.appendingPathComponent(name)))
            }
        }
        return out.sorted { $0.0 < $1.0 }
    }

    /// Objects an output needs: the file, or the manifest and every file it lists.
    private func objects(of output: RecordedOutput) -> [String] {
        guard output.type == "tree" else { return [output.hash] }
        guard let text = try? String(contentsOf: store.objectURL(output.hash), encoding: .utf8),
              let manifest = TreeManifest.parse(text) else { return [output.hash] }
        return [output.hash] + manifest.entries.map(\.hash)
    }

    /// Re-hashes every object; outputs that need a corrupt or missing object are forgotten
    /// (their readable copies removed) so the next `run` recomputes them.
    package func verify() throws -> VerifyReport {
        var report = VerifyReport()
        var corrupt = Set<String>()
        let files = objectFiles()
        report.objectsChecked = files.count
        for (hash, url) in files {
            if (try? ContentHasher.sha256(file: url.path)) != hash { corrupt.insert(hash) }
        }
        let present = Set(files.map(\.hash))
        var invalid = Set<String>()
        for (fingerprint, output) in try ledger.allOutputs() {
            let needed = objects(of: output)
            if needed.contains(where: { corrupt.contains($0) || !present.contains($0) }) { invalid.insert(fingerprint) }
        }
        for fingerprint in invalid.sorted() {
            try ledger.forgetOutputs(fingerprint: fingerprint)
            try? ArtifactStore.removeTree(workspace.cache.appendingPathComponent(fingerprint))
        }
        for hash in corrupt {
            let url = store.objectURL(hash)
            chmod(url.path, 0o644)
            try? fm.removeItem(at: url)
        }
        report.corruptObjects = corrupt.sorted()
        report.invalidated = invalid.sorted()
        return report
    }

    /// Removes objects and readable copies that neither the latest outputs of every stage instance
    /// (a `run --only` leaves the others' in earlier runs), nor the last `keepRuns` runs of each
    /// experiment, nor the fingerprints in `retain` (what each experiment's spec as written would
    /// use) need, and forgets the outputs of the rest. With `dryRun`, only counts what it would do.
    package func collectGarbage(keepRuns: Int, retain: Set<String> = [], dryRun: Bool = false) throws -> GCReport {
        var report = GCReport()
        var retained = Set(try ledger.currentFingerprints()).union(retain)
        for experiment in try ledger.experimentNames() {
            for run in try ledger.runs(experiment: experiment, limit: max(1, keepRuns)) {
                for execution in try ledger.executions(run: run.id) where execution.status == .succeeded || execution.status == .cached {
                    retained.insert(execution.fingerprint)
                }
            }
        }
        var needed = Set<String>()
        var forget = Set<String>()
        for (fingerprint, output) in try ledger.allOutputs() {
            if retained.contains(fingerprint) { needed.formUnion(objects(of: output)) } else { forget.insert(fingerprint) }
        }
        for fingerprint in forget {
            if !dryRun { try ledger.forgetOutputs(fingerprint: fingerprint) }
            report.outputsForgotten += 1
        }
        for name in (try? fm.contentsOfDirectory(atPath: workspace.cache.path)) ?? [] where !retained.contains(name) && !dryRun {
            try? ArtifactStore.removeTree(workspace.cache.appendingPathComponent(name))
        }
        for (hash, url) in objectFiles() where !needed.contains(hash) {
            let size = ((try? fm.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
            if dryRun {
                report.objectsRemoved += 1
                report.bytesFreed += size
                continue
            }
            chmod(url.path, 0o644)
            if (try? fm.removeItem(at: url)) != nil {
                report.objectsRemoved += 1
                report.bytesFreed += size
            }
        }
        return report
    }
}
