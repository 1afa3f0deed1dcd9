import Foundation

/// Each run's figures, kept per CPU model in a JSON-lines file outside the repository, and the
/// warning when a figure is more than 15% worse than the last run on the same CPU model. Figures
/// are compared only within a CPU model: the same code gives the patch loss 28% of the step on one
/// CPU and 45–50% on another.
enum BenchHistory {
    /// One figure of one run.
    struct Entry: Codable, Equatable {
        /// When the run ended, ISO 8601 in UTC.
        var date: String
        /// /proc/cpuinfo's "model name".
        var cpu: String
        var name: String
        var value: Double
        var goal: Double
        var better: BenchFigure.Better
    }

    /// How much worse than the last run a figure may be before the run warns.
    static let tolerance = 0.15

    /// `$PLEINAIR_BENCH_HISTORY`, else `$XDG_CACHE_HOME/pleinair/bench-history.jsonl`, else
    /// `~/.cache/pleinair/bench-history.jsonl`.
    static func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let path = environment["PLEINAIR_BENCH_HISTORY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let cache = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return cache.appendingPathComponent("pleinair/bench-history.jsonl")
    }

    /// The first "model name" of a /proc/cpuinfo text; "unknown CPU" when it has none.
    static func cpuModel(cpuinfo: String) -> String {
        for line in cpuinfo.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "model name" {
                let model = parts[1].trimmingCharacters(in: .whitespaces)
                if !model.isEmpty { return model }
            }
        }
        return "unknown CPU"
    }

    static func cpuModel() -> String {
        cpuModel(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
    }

    /// How many times worse `value` is than `previous`, in the figure's direction: 1.2 is 20%
    /// worse (a time 20% longer, or a speed-up 1.2× smaller), 1 or less is as good or better.
    /// nil where either is not a positive number, which a ratio cannot compare.
    static func worsening(_ value: Double, from previous: Double, better: BenchFigure.Better) -> Double? {
        guard value > 0, previous > 0, value.isFinite, previous.isFinite else { return nil }
        return better == .lower ? value / previous : previous / value
    }

    /// One line per figure more than `tolerance` worse than the same figure's last entry on `cpu`.
    static func warnings(for figures: [BenchFigure], cpu: String, history: [Entry]) -> [String] {
        var last: [String: Entry] = [:]
        for entry in history where entry.cpu == cpu { last[entry.name] = entry }
        return figures.compactMap { figure in
            guard let previous = last[figure.name],
                  let factor = worsening(figure.value, from: previous.value, better: figure.better),
                  factor > 1 + tolerance else { return nil }
            let percent = String(format: "%.0f", (factor - 1) * 100)
            return "warning: \(figure.name) is \(BenchFigure.format(figure.value))\(figure.unit), \(percent)% worse than the last run "
                + "on this CPU (\(BenchFigure.format(previous.value))\(figure.unit) on \(previous.date); \(figure.better.rawValue) is better)"
        }
    }

    /// The entries of a history file; lines that do not read are left out (a run killed mid-write).
    static func read(_ file: URL) -> [Entry] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        let decoder = JSONDecoder()
        return text.split(separator: "\n").compactMap { try? decoder.decode(Entry.self, from: Data($0.utf8)) }
    }

    /// Appends a run's figures to the file (created with its folder), one JSON object a line.
    static func append(_ entries: [Entry], to file: URL) throws {
        guard !entries.isEmpty else { return }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = ""
        for entry in entries { text += String(decoding: try encoder.encode(entry), as: UTF8.self) + "\n" }
        if !FileManager.default.fileExists(atPath: file.path) { FileManager.default.createFile(atPath: file.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    /// Compares a run's figures with the history, then appends them; returns the warnings.
    static func record(_ figures: [BenchFigure], cpu: String, date: Date = Date(), file: URL) throws -> [String] {
        let warnings = warnings(for: figures, cpu: cpu, history: read(file))
        let stamp = ISO8601DateFormatter().string(from: date)
        try append(figures.map { Entry(date: stamp, cpu: cpu, name: $0.name, value: $0.value, goal: $0.goal, better: $0.better) }, to: file)
        return warnings
    }
}
