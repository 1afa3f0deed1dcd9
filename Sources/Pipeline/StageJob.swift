import Foundation

/// A stage's context written to a file, so that another process (a cluster job running
/// `pleinair exec-stage FILE`) can run exactly that stage for exactly that fingerprint.
package struct StageJob: Codable, Sendable {
    package var kind: String
    package var stageID: String
    package var fingerprint: String
    package var params: [String: ParamValue]
    package var inputs: [String: String]
    package var outputs: [String: String]
    package var workDirectory: String
    package var workspace: String
    package var threads: Int
    package var logPath: String

    package init(kind: String, context: StageContext) {
        self.kind = kind
        stageID = context.stageID
        fingerprint = context.fingerprint
        params = context.params
        inputs = context.inputs.mapValues(\.path)
        outputs = context.outputs.mapValues(\.path)
        workDirectory = context.workDirectory.path
        workspace = context.workspace.path
        threads = context.threads
        logPath = context.log.url.path
    }

    /// What the job reports back: metrics on success, the error message otherwise.
    package struct Result: Codable, Sendable {
        package var ok: Bool
        package var error: String?
        package var metrics: [MetricRecord]
        package var cpuSeconds: Double?
        package var peakRSSKB: Int?
    }

    package struct MetricRecord: Codable, Sendable {
        package var name: String
        package var value: Double
        package var step: Int?
    }

    /// Where the result of the job described at `url` is written.
    package static func resultURL(for url: URL) -> URL { url.deletingPathExtension().appendingPathExtension("result.json") }

    package func write(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url, options: .atomic)
    }

    package static func read(_ url: URL) throws -> StageJob {
        try JSONDecoder().decode(StageJob.self, from: Data(contentsOf: url))
    }

    /// Progress as lines on the descriptor the parent named (`ProcessBackend`), or nowhere.
    static func progressReporter() -> @Sendable (Double, String) -> Void {
        guard let fd = ProcessInfo.processInfo.environment[ProcessBackend.progressVariable].flatMap(Int32.init), fcntl(fd, F_GETFD) >= 0 else {
            return { _, _ in }
        }
        let lock = NSLock()
        return { fraction, message in
            let text = message.replacingOccurrences(of: "\n", with: " ")
            let line = fraction < 0 ? text + "\n" : "\(fraction)\t\(text)\n"
            lock.lock(); defer { lock.unlock() }
            _ = line.withCString { Glibc.write(fd, $0, strlen($0)) }
        }
    }

    /// Runs the job described in `url` with the matching stage from `stages`; writes the result
    /// file beside it (atomically) and returns whether the stage succeeded.
    package static func execute(_ url: URL, stages: [Stage], cancellation: Cancellation) throws -> Bool {
        let job = try read(url)
        guard let stage = stages.first(where: { $0.descriptor.kind == job.kind }) else {
            throw StageFailure.message("this pleinair has no stage kind '\(job.kind)'")
        }
        let report = progressReporter()
        // A notice travels on the progress descriptor as `note<TAB>text`.
        let log = StageLog(url: URL(fileURLWithPath: job.logPath), append: true, progress: report,
                           notice: { report(-1, "note\t" + $0) })
        log.write("pleinair exec-stage: \(job.stageID) fingerprint \(job.fingerprint) on \(ProcessInfo.processInfo.hostName), "
                  + "pid \(getpid()), \(job.threads) thread\(job.threads == 1 ? "" : "s")")
        let context = StageContext(stageID: job.stageID, fingerprint: job.fingerprint, params: job.params,
                                   inputs: job.inputs.mapValues { URL(fileURLWithPath: $0) },
                                   outputs: job.outputs.mapValues { URL(fileURLWithPath: $0) },
                                   workDirectory: URL(fileURLWithPath: job.workDirectory), workspace: URL(fileURLWithPath: job.workspace),
                                   threads: job.threads, log: log, cancellation: cancellation)
        let before = LocalBackend.threadCPUSeconds()
        var result: Result
        do {
            let outcome = try stage.run(context)
            result = Result(ok: true, error: nil, metrics: outcome.metrics.map { MetricRecord(name: $0.name, value: $0.value, step: $0.step) },
                            cpuSeconds: outcome.cost?.cpuSeconds ?? LocalBackend.threadCPUSeconds() - before, peakRSSKB: outcome.cost?.peakRSSKB)
        } catch {
            log.write("error: \(error)")
            result = Result(ok: false, error: "\(error)", metrics: [], cpuSeconds: nil, peakRSSKB: nil)
        }
        try JSONEncoder().encode(result).write(to: resultURL(for: url), options: .atomic)
        return result.ok
    }
}
