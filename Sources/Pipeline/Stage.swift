import Foundation

/// A stage kind: the pipeline knows stages only through this protocol.
package protocol Stage: Sendable {
    var descriptor: StageDescriptor { get }
    /// Does the stage's work: reads `context.inputs`, writes every output at `context.outputs[name]`
    /// (a file or a folder). Throwing, or being cancelled, records no outputs.
    func run(_ context: StageContext) throws -> StageResult
}

/// What a finished stage reports besides its outputs.
package struct StageResult: Sendable {
    package var metrics: [Metric]
    /// Set by stages that run a child process, whose cost the pipeline cannot see.
    package var cost: ExecutionCost?

    package init(metrics: [Metric] = [], cost: ExecutionCost? = nil) {
        self.metrics = metrics
        self.cost = cost
    }
}

/// Everything a running stage may use. Paths are absolute.
package struct StageContext: Sendable {
    package var stageID: String
    package var fingerprint: String
    package var params: [String: ParamValue]
    package var inputs: [String: URL]
    /// Where each output must be written; the parent folder exists, the output itself does not.
    package var outputs: [String: URL]
    /// A folder kept across attempts of this fingerprint (checkpoints), removed after success.
    package var workDirectory: URL
    package var workspace: URL
    /// Threads the stage may use for numeric work.
    package var threads: Int
    package var log: StageLog
    package var cancellation: Cancellation
    /// The memory the spec declares for the stage (`resources: {memory: …}`), in MB; cluster
    /// backends request it for the job.
    package var memoryMB: Int? = nil

    /// The input named `name`; the spec loader has checked that required inputs are given.
    package func input(_ name: String) throws -> URL {
        guard let url = inputs[name] else { throw StageFailure.message("input '\(name)' is not given") }
        return url
    }

    /// Where output `name` must be written.
    package func output(_ name: String) throws -> URL {
        guard let url = outputs[name] else { throw StageFailure.message("output '\(name)' is not declared") }
        return url
    }

    /// Throws `StageFailure.cancelled` once cancellation was asked for; long stages call it often.
    package func checkCancelled() throws {
        if cancellation.isCancelled { throw StageFailure.cancelled }
    }
}

/// Stage failures with a message meant for the user.
package enum StageFailure: Error, CustomStringConvertible {
    case cancelled
    case message(String)

    package var description: String {
        switch self {
        case .cancelled: return "cancelled"
        case .message(let m): return m
        }
    }
}

/// A cancellation flag shared by the executor and its stages, with handlers (e.g. kill a child).
package final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var handlers: [Int: () -> Void] = [:]
    private var next = 0

    package init() {}

    package var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    package func cancel() {
        lock.lock()
        cancelled = true
        let run = Array(handlers.values)
        lock.unlock()
        run.forEach { $0() }
    }

    /// Registers `handler` to run on cancellation (at once if already cancelled); returns a token for `remove`.
    @discardableResult
    package func onCancel(_ handler: @escaping () -> Void) -> Int {
        lock.lock()
        if cancelled {
            lock.unlock()
            handler()
            return -1
        }
        next += 1
        let token = next
        handlers[token] = handler
        lock.unlock()
        return token
    }

    package func remove(_ token: Int) {
        lock.lock(); handlers[token] = nil; lock.unlock()
    }
}

/// One write(2) of a short line: whole lines even while a reader polls the file.
private func appendLine(_ fd: Int32, _ line: String) {
    _ = line.withCString { write(fd, $0, strlen($0)) }
}

/// A stage's log file; also forwards progress to whoever watches the run, and keeps the latest
/// progress and the series points reported so far in two files beside the log, which `pleinair ui`
/// reads while the stage runs (the ledger records metrics only when the stage ends).
package final class StageLog: @unchecked Sendable {
    package let url: URL
    private let handle: FileHandle?
    private let lock = NSLock()
    private let progressSink: @Sendable (Double, String) -> Void
    private let noticeSink: @Sendable (String) -> Void
    private var seriesFD: Int32 = -1
    private var lastProgressWrite = 0.0

    /// `LOG.progress`: the latest `fraction<TAB>message<TAB>unix time`, rewritten at most twice a second.
    package static func progressURL(forLog url: URL) -> URL { URL(fileURLWithPath: url.path + ".progress") }
    /// `LOG.series`: one `name<TAB>step<TAB>value` line per point reported with `series`.
    package static func seriesURL(forLog url: URL) -> URL { URL(fileURLWithPath: url.path + ".series") }

    /// Opens the log at `url`, emptied unless `append` (a fresh log also drops the last attempt's
    /// progress and series).
    package init(url: URL, append: Bool = false, progress: @escaping @Sendable (Double, String) -> Void = { _, _ in },
                notice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.url = url
        // O_APPEND: a cluster job appends to the same file, and every write must land at its end.
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (append ? 0 : O_TRUNC), 0o644)
        handle = fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil
        progressSink = progress
        noticeSink = notice
        if !append {
            unlink(Self.progressURL(forLog: url).path)
            unlink(Self.seriesURL(forLog: url).path)
        }
    }

    deinit { if seriesFD >= 0 { close(seriesFD) } }


    /// The log's file descriptor, for a child process to write to directly.
    package var fileDescriptor: Int32 { handle?.fileDescriptor ?? -1 }

    package func write(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        handle?.write(Data((line + "\n").utf8))
    }

    /// Writes `line` to the log and shows it where the run is watched: what a person running the
    /// experiment must see without opening the log (a stage resuming from a checkpoint says where).
    package func notice(_ line: String) {
        write(line)
        noticeSink(line)
    }

    /// Shows a notice a stage process already wrote to this log (`ProcessBackend`).
    func forwardNotice(_ line: String) { noticeSink(line) }

    /// Reports progress in [0, 1] with a short message (shown as a bar on a terminal).
    package func progress(_ fraction: Double, _ message: String = "") {
        progressSink(fraction, message)
        let now = Date().timeIntervalSince1970
        lock.lock()
        let due = now - lastProgressWrite >= 0.5 || fraction >= 1
        if due { lastProgressWrite = now }
        lock.unlock()
        guard due else { return }
        let line = "\(fraction)\t\(message.replacingOccurrences(of: "\n", with: " "))\t\(now)\n"
        try? Data(line.utf8).write(to: Self.progressURL(forLog: url), options: .atomic)
    }

    /// Reports one point of a series while the stage runs (a training loss at an iteration), for a
    /// live chart; the stage still returns its series as metrics, which the ledger records at the end.
    package func series(_ name: String, step: Int, value: Double) {
        lock.lock(); defer { lock.unlock() }
        if seriesFD < 0 {
            seriesFD = open(Self.seriesURL(forLog: url).path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        }
        guard seriesFD >= 0 else { return }
        let line = "\(name.replacingOccurrences(of: "\t", with: " "))\t\(step)\t\(value)\n"
        appendLine(seriesFD, line)
    }
}
