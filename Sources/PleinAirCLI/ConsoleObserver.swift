import Foundation
import Pipeline

/// Prints a run as it happens: a progress line on a terminal, plain lines otherwise, nothing but
/// the final JSON with `--json`.
final class ConsoleObserver: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let tty: Bool
    private let quiet: Bool
    private var lastProgress: [String: Date] = [:]
    private var progressShown = false

    init(quiet: Bool) {
        self.quiet = quiet
        tty = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    private func say(_ line: String) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)); progressShown = false }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func stageCached(_ id: String) { say("  cached   \(id)") }
    func stageStarted(_ id: String, reason: RunReason) {
        lock.lock(); lastProgress[id] = Date(); lock.unlock()
        say("  running  \(id)  (\(reason))")
    }
    func stageSucceeded(_ id: String, seconds: Double) { say("  done     \(id)  \(String(format: "%.1f s", seconds))") }
    /// The failure, the last lines of the stage's log (a command's stderr says why), and where the log is.
    func stageFailed(_ id: String, error: String, log: String?) {
        let tail = log.map { Self.tail(ofLog: $0, lines: 5, leaving: error) } ?? []
        say("  FAILED   \(id): \(error)" + tail.map { "\n           | \($0)" }.joined() + (log.map { "\n           log: \($0)" } ?? ""))
    }
    func stageNotice(_ id: String, message: String) { say("  note     \(id): \(message)") }

    /// The last `lines` non-empty lines of a log, without the command echo (`$ …`) and without
    /// lines the error message already holds (a crash message quotes the log's end).
    static func tail(ofLog path: String, lines: Int, leaving error: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("$ ") && !$0.hasPrefix("pleinair exec-stage: ") }
            .suffix(lines).filter { !error.contains($0) }
    }
    func stageSkipped(_ id: String, because: String) { say("  skipped  \(id)  (\(because))") }
    func stageInterrupted(_ id: String) { say("  stopped  \(id)") }

    func progress(_ id: String, fraction: Double, message: String) {
        guard !quiet else { return }
        lock.lock(); defer { lock.unlock() }
        if tty {
            let width = 24
            let filled = Int((fraction * Double(width)).rounded())
            let bar = String(repeating: "█", count: max(0, min(width, filled))) + String(repeating: "·", count: max(0, width - filled))
            FileHandle.standardError.write(Data("\r\u{1B}[2K  \(bar) \(Int(fraction * 100))% \(id) \(message)".utf8))
            progressShown = true
        } else if Date().timeIntervalSince(lastProgress[id] ?? .distantPast) >= 10 {
            // Plain output (a log, CI): a line per stage every ten seconds at most.
            lastProgress[id] = Date()
            FileHandle.standardError.write(Data("  progress \(id) \(Int(fraction * 100))% \(message)\n".utf8))
        }
    }
}
