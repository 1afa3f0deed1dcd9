/// How stages are submitted to Slurm: the `executor: slurm:` section of an experiment.
package struct SlurmConfig: Sendable, Equatable {
    package var partition: String?
    package var account: String?
    /// `--time` limit, e.g. "02:00:00".
    package var time: String?
    package var gpus: Int?
    /// Extra `sbatch` flags for every stage, and per stage kind.
    package var flags: [String] = []
    package var kindFlags: [String: [String]] = [:]
    /// How often a job whose state is in `retryStates` is resubmitted.
    package var retries: Int = 1
    package var retryStates: [String] = ["NODE_FAIL", "PREEMPTED", "BOOT_FAIL"]
    /// Seconds between two polls of the job states.
    package var pollInterval: Double = 1

    package init() {}

    /// The `sbatch` flags for a stage of `kind` needing `cpus` CPUs and `memoryMB`.
    package func sbatchFlags(kind: String, cpus: Int, memoryMB: Int?) -> [String] {
        var out = ["--cpus-per-task=\(cpus)"]
        // Flags of the user's that size memory themselves (--mem-per-cpu, --mem-per-gpu) win: sbatch
        // refuses them beside --mem.
        let own = flags + (kindFlags[kind] ?? [])
        if let memoryMB, !own.contains(where: { $0.hasPrefix("--mem") }) { out.append("--mem=\(memoryMB)M") }
        if let partition { out.append("--partition=\(partition)") }
        if let account { out.append("--account=\(account)") }
        if let time { out.append("--time=\(time)") }
        if let gpus, gpus > 0 { out.append("--gpus=\(gpus)") }
        return out + flags + (kindFlags[kind] ?? [])
    }

    static let keys = ["partition", "account", "time", "gpus", "flags", "kind_flags", "retries", "retry_states", "poll_interval"]

    /// Reads the `slurm:` mapping; errors name the key.
    static func parse(_ node: YAMLNode, path: String, error: (YAMLNode, String, String) -> Void) -> SlurmConfig {
        var config = SlurmConfig()
        guard let entries = node.mapping else {
            error(node, path, "expected a mapping, found a \(node.typeName)")
            return config
        }
        func strings(_ value: YAMLNode, _ keyPath: String) -> [String] {
            guard let items = value.sequence else {
                error(value, keyPath, "expected a list of strings")
                return []
            }
            return items.compactMap { $0.scalar }
        }
        for (key, value) in entries {
            let name = key.scalar ?? ""
            let keyPath = "\(path).\(name)"
            switch name {
            case "partition": config.partition = value.scalar
            case "account": config.account = value.scalar
            case "time": config.time = value.scalar
            case "gpus":
                if let n = value.scalar.flatMap(Int.init) { config.gpus = n } else { error(value, keyPath, "expected a whole number") }
            case "retries":
                if let n = value.scalar.flatMap(Int.init), n >= 0 { config.retries = n } else { error(value, keyPath, "expected a whole number ≥ 0") }
            case "poll_interval":
                if let d = value.scalar.flatMap(Double.init), d > 0 { config.pollInterval = d } else { error(value, keyPath, "expected seconds > 0") }
            case "flags": config.flags = strings(value, keyPath)
            case "retry_states": config.retryStates = strings(value, keyPath)
            case "kind_flags":
                for (k, v) in value.mapping ?? [] { config.kindFlags[k.scalar ?? ""] = strings(v, "\(keyPath).\(k.scalar ?? "")") }
                if value.mapping == nil { error(value, keyPath, "expected a mapping of stage kinds to flag lists") }
            default:
                error(key, keyPath, "unknown key '\(name)'" + DidYouMean.suffix(for: name, in: keys))
            }
        }
        return config
    }
}
