/// One changed parameter: `lambda_patch 1.0 → 0.5`.
package struct ParamChange: Sendable, Equatable, CustomStringConvertible {
    package var name: String
    package var old: ParamValue?
    package var new: ParamValue?

    package var description: String {
        "\(name) \(old.map(\.description) ?? "(unset)") → \(new.map(\.description) ?? "(unset)")"
    }
}

/// Why a stage runs; printed by `status` and `run`, stored in the ledger.
package enum RunReason: Sendable, Equatable, CustomStringConvertible {
    case new
    case forced
    case paramsChanged([ParamChange])
    case inputsChanged([String])
    /// Files of a `cmd` stage's code (its scripts, configs, what they import) changed, appeared or
    /// went away: `code changed: helper.py (imported by score.py)`.
    case codeChanged([CodeFile])
    case upstreamChanged([String])
    case codeVersionChanged(kind: String, from: Int, to: Int)
    case schemaChanged(from: Int, to: Int)
    case outputsMissing
    case previousFailed
    case previousInterrupted

    package var description: String {
        switch self {
        case .new: return "new"
        case .forced: return "forced"
        case .paramsChanged(let changes): return "params changed: " + changes.map(\.description).joined(separator: ", ")
        case .inputsChanged(let names): return "input changed: " + names.joined(separator: ", ")
        case .codeChanged(let files): return "code changed: " + files.map(\.description).joined(separator: ", ")
        case .upstreamChanged(let stages): return "upstream changed: " + stages.joined(separator: ", ")
        case .codeVersionChanged(let kind, let from, let to): return "code version changed: \(kind) v\(from) → v\(to)"
        case .schemaChanged(let from, let to): return "fingerprint schema changed: \(from) → \(to)"
        case .outputsMissing: return "output missing or corrupt"
        case .previousFailed: return "previous attempt failed"
        case .previousInterrupted: return "previous attempt was interrupted"
        }
    }

    /// Explains the difference between the key a stage last ran with and its key now; `code` (the
    /// code files covered now) says how each changed file was reached.
    package static func between(previous: FingerprintKey, current: FingerprintKey, upstreamIDs: [String: String],
                               code: [CodeFile] = []) -> RunReason? {
        if previous.schema != current.schema { return .schemaChanged(from: previous.schema, to: current.schema) }
        if previous.kindVersion != current.kindVersion || previous.kind != current.kind {
            return .codeVersionChanged(kind: current.kind, from: previous.kindVersion, to: current.kindVersion)
        }
        let names = Set(previous.params.keys).union(current.params.keys).sorted()
        let changes = names.compactMap { name -> ParamChange? in
            previous.params[name] == current.params[name] ? nil : ParamChange(name: name, old: previous.params[name], new: current.params[name])
        }
        if !changes.isEmpty { return .paramsChanged(changes) }
        let inputNames = Set(previous.inputs.keys).union(current.inputs.keys).sorted()
        let changedInputs = inputNames.filter { previous.inputs[$0] != current.inputs[$0] }
        let prefix = CodeFiles.inputName("")
        let changedCode = changedInputs.filter { $0.hasPrefix(prefix) }
        if !changedCode.isEmpty {
            return .codeChanged(changedCode.map { name in
                let path = String(name.dropFirst(prefix.count))
                return code.first { $0.path == path } ?? CodeFile(path: path)
            })
        }
        if !changedInputs.isEmpty { return .inputsChanged(changedInputs) }
        let upstreamNames = Set(previous.upstream.keys).union(current.upstream.keys).sorted()
        let changedUpstream = upstreamNames.filter { previous.upstream[$0] != current.upstream[$0] }
        if !changedUpstream.isEmpty { return .upstreamChanged(changedUpstream.map { upstreamIDs[$0] ?? $0 }) }
        return nil
    }
}
