/// What the planner may ask of the outside world: content hashes and what the ledger remembers.
package protocol PlanEnvironment {
    /// The content hash of an input file or folder (relative paths are relative to the workspace).
    func contentHash(ofInput path: String) throws -> String
    /// Whether a successful execution of this fingerprint exists and its outputs (named `outputs`) verify.
    func hasValidOutputs(fingerprint: String, outputs: [String]) -> Bool
    /// The key and outcome of the last execution of this stage instance in this experiment.
    func lastExecution(experiment: String, stage: String) -> (key: FingerprintKey, status: ExecutionStatus)?
    /// Whether a workspace path is a file or a folder; nil when nothing is there.
    func fileKind(ofInput path: String) -> FileKind?
    /// What a workspace script imports (Python) or sources and runs (shell).
    func scriptReferences(ofInput path: String, language: ScriptLanguage) throws -> ScriptReferences
}

/// Errors found while planning: a spec that validated but points at files that are missing.
/// The planner collects every one before failing.
package struct PlanError: Error, CustomStringConvertible {
    /// One missing file or folder, at the line and column where the spec names it.
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        package var location: SourceLocation
        package var stage: String
        package var message: String

        package var description: String { "\(location): error: stage \(stage): \(message)" }
    }

    package var problems: [Problem]

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// Computes fingerprints in dependency order and decides what runs and why. No I/O of its own.
package enum Planner {
    package static func plan(_ experiment: Experiment, environment: PlanEnvironment, force: Set<String> = []) throws -> Plan {
        var fingerprints: [String: String] = [:]
        var planned: [PlannedStage] = []
        var problems: [PlanError.Problem] = []
        func missing(_ instance: StageInstance, _ name: String, _ message: String) {
            let problem = PlanError.Problem(location: instance.inputLocations[name] ?? instance.location, stage: instance.id, message: message)
            if !problems.contains(problem) { problems.append(problem) }
        }
        // Stages running the same command (a foreach over data) share one closure.
        var closures: [CodeFiles: [CodeFile]] = [:]
        for instance in experiment.instances {
            var inputHashes: [String: String] = [:]
            var upstream: [String: String] = [:]
            var upstreamOutputs: [String: (stage: String, output: String)] = [:]
            var upstreamIDs: [String: String] = [:]
            for (name, source) in instance.inputs {
                switch source {
                case .path(let path):
                    do {
                        inputHashes[name] = try environment.contentHash(ofInput: path)
                    } catch {
                        missing(instance, name, "input '\(name)': \(error)")
                        inputHashes[name] = "missing"
                    }
                case .output(let stage, let output, let subpath):
                    upstream[name] = (fingerprints[stage] ?? "") + ":" + output + (subpath.isEmpty ? "" : "/" + subpath)
                    upstreamOutputs[name] = (stage, output)
                    upstreamIDs[name] = stage
                }
            }
            // A parameter naming a file is an input too. A missing file still plans: the stage
            // itself says where the file should come from when it runs.
            for (name, path) in instance.fileParams {
                inputHashes["params." + name] = (try? environment.contentHash(ofInput: path)) ?? "missing " + path
            }
            // A cmd stage's code: what `code:` lists must exist; what the command names counts if it
            // does, with everything its scripts import or source.
            var code: [CodeFile] = []
            for path in instance.code.declared {
                do {
                    inputHashes[CodeFiles.inputName(path)] = try environment.contentHash(ofInput: path)
                    code.append(CodeFile(path: path))
                } catch {
                    missing(instance, CodeFiles.inputName(path), "code '\(path)': \(error)")
                }
            }
            if instance.code.declared.isEmpty {
                let closure = closures[instance.code] ?? CodeClosure.files(of: instance.code, environment: environment)
                closures[instance.code] = closure
                for file in closure {
                    guard let hash = try? environment.contentHash(ofInput: file.path) else { continue }
                    inputHashes[CodeFiles.inputName(file.path)] = hash
                    code.append(file)
                }
            }
            let key = FingerprintKey(kind: instance.kind, kindVersion: instance.kindVersion, params: instance.params,
                                     inputs: inputHashes, upstream: upstream)
            let fingerprint = key.fingerprint
            fingerprints[instance.id] = fingerprint
            let decision: StageDecision
            if force.contains(instance.id) {
                decision = .run(.forced)
            } else if environment.hasValidOutputs(fingerprint: fingerprint, outputs: instance.outputs) {
                decision = .cached
            } else if let last = environment.lastExecution(experiment: experiment.name, stage: instance.id) {
                if let reason = RunReason.between(previous: last.key, current: key, upstreamIDs: upstreamIDs, code: code) {
                    decision = .run(reason)
                } else {
                    switch last.status {
                    case .failed: decision = .run(.previousFailed)
                    case .interrupted, .started: decision = .run(.previousInterrupted)
                    default: decision = .run(.outputsMissing)
                    }
                }
            } else {
                decision = .run(.new)
            }
            planned.append(PlannedStage(instance: instance, key: key, fingerprint: fingerprint, decision: decision,
                                        upstreamOutputs: upstreamOutputs, code: code))
        }
        if !problems.isEmpty { throw PlanError(problems: problems.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }) }
        return Plan(experiment: experiment, stages: planned)
    }
}
