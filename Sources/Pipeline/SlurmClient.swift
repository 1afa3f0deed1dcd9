import Foundation

/// A Slurm command that failed, with what it printed.
package struct SlurmError: Error, CustomStringConvertible {
    package var command: String
    package var message: String
    package var description: String { "\(command): \(message)" }
}

/// Talks to Slurm through its commands: `sbatch` to submit, one batched `sacct` per poll (falling
/// back to `squeue` and `scontrol` where accounting is disabled), `scancel` to cancel.
package struct SlurmClient: Sendable {
    /// Extra environment for the commands (e.g. `SLURM_CONF`).
    package var environment: [String: String]

    package init(environment: [String: String] = [:]) { self.environment = environment }

    /// Submits `script` and returns the job id.
    package func submit(script: URL, flags: [String]) throws -> String {
        let (status, out, err) = run("sbatch", ["--parsable"] + flags + [script.path])
        guard status == 0, let id = out.split(separator: ";").first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }), !id.isEmpty else {
            throw SlurmError(command: "sbatch", message: err.isEmpty ? "exit status \(status)" : err.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return id
    }

    package func cancel(_ ids: [String]) {
        guard !ids.isEmpty else { return }
        _ = run("scancel", ids)
    }

    /// The states of `ids`, in as few commands as Slurm allows.
    package func states(_ ids: [String]) -> [String: ClusterJobStatus] {
        guard !ids.isEmpty else { return [:] }
        let (status, out, _) = run("sacct", ["-n", "-P", "-j", ids.joined(separator: ","), "-o", "JobID,State,ExitCode,NodeList,Elapsed,MaxRSS,Reason"])
        if status == 0 { return SlurmClient.parseSacct(out, ids: ids) }
        var result: [String: ClusterJobStatus] = [:]
        let (_, queued, _) = run("squeue", ["-h", "-j", ids.joined(separator: ","), "-o", "%i|%T|%N|%M|%r"])
        for line in queued.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 5 else { continue }
            result[f[0]] = ClusterJobStatus(jobID: f[0], state: f[1], node: f[2].isEmpty ? nil : f[2], elapsed: f[3], reason: f[4] == "None" ? nil : f[4])
        }
        for id in ids where result[id] == nil {
            let (code, shown, _) = run("scontrol", ["show", "job", "-o", id])
            if code == 0, let parsed = SlurmClient.parseScontrol(shown) { result[id] = parsed }
        }
        return result
    }

    /// Parses `sacct -P` lines; the batch step's line supplies the memory high-water mark.
    static func parseSacct(_ text: String, ids: [String]) -> [String: ClusterJobStatus] {
        var result: [String: ClusterJobStatus] = [:]
        var rss: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 6 else { continue }
            let parts = f[0].split(separator: ".", maxSplits: 1).map(String.init)
            let id = parts[0]
            if parts.count > 1 {
                if let kb = parseMemory(f[5]) { rss[id] = max(rss[id] ?? 0, kb) }
                continue
            }
            let state = f[1].split(separator: " ").first.map(String.init) ?? f[1]
            result[id] = ClusterJobStatus(jobID: id, state: state, node: f[3].isEmpty || f[3] == "None assigned" ? nil : f[3],
                                          elapsed: f[4], reason: exitReason(f[2], f.count > 6 ? f[6] : ""))
        }
        for (id, kb) in rss { result[id]?.maxRSSKB = kb }
        return result
    }

    /// Parses one line of `scontrol show job -o`.
    static func parseScontrol(_ text: String) -> ClusterJobStatus? {
        var fields: [String: String] = [:]
        for token in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let kv = token.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { fields[kv[0]] = kv[1] }
        }
        guard let id = fields["JobId"], let state = fields["JobState"] else { return nil }
        let node = fields["NodeList"].flatMap { $0 == "(null)" ? nil : $0 }
        return ClusterJobStatus(jobID: id, state: state, node: node, elapsed: fields["RunTime"],
                                reason: exitReason(fields["ExitCode"] ?? "", fields["Reason"] ?? ""))
    }

    private static func exitReason(_ exitCode: String, _ reason: String) -> String? {
        var parts: [String] = []
        if !exitCode.isEmpty && exitCode != "0:0" { parts.append("exit code \(exitCode)") }
        if !reason.isEmpty && reason != "None" { parts.append(reason) }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// "123456K", "12M", "1.5G" → kilobytes.
    static func parseMemory(_ text: String) -> Int? {
        guard let unit = text.last, let value = Double(text.dropLast()) else { return Int(text).map { $0 / 1024 } }
        switch unit {
        case "K": return Int(value)
        case "M": return Int(value * 1024)
        case "G": return Int(value * 1024 * 1024)
        default: return Int(text).map { $0 / 1024 }
        }
    }

    /// States after which a job never runs again.
    package static let terminalStates: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
                                                     "PREEMPTED", "BOOT_FAIL", "DEADLINE", "REVOKED", "SPECIAL_EXIT"]

    private func run(_ tool: String, _ args: [String]) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + args
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (-1, "", "cannot run \(tool): \(error)") }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
