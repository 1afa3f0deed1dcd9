import ArgumentParser
import Foundation
import Pipeline
import Report

/// `pleinair results`: one table of metrics, a row per matrix combination; optionally pivoted,
/// compared with an earlier run, or written as an HTML report.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "Print the metrics table of experiments.")

    @Argument(help: "Experiment files (YAML).") var files: [String]
    @Option(help: "table, markdown, csv or json.") var format: TableFormat = .table
    @Option(help: "Move this matrix axis into the columns (e.g. --pivot method: a column per method × metric).") var pivot: String?
    @Option(help: "Show each value beside the one of an earlier run: a run id, or 'previous'.") var compare: String?
    @Option(parsing: .upToNextOption, help: "Keep only the columns matching these patterns (shell globs such as '*.psnr' 'fid_*.fid2048*').")
    var columns: [String] = []
    @Option(help: "Also write a self-contained HTML report to this file: the chosen columns as a table and bar charts, every metric in a folded table, training curves, image sheets.") var html: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        var documents: [[String: Any]] = []
        defer { if format == .json { print(JSON.text(["experiments": documents])) } }
        for file in files {
            let plan = try runner.plan(try workspace.load(file, with: runner))
            let metrics: (String) throws -> [Metric]? = { fingerprint in
                guard try runner.ledger.producer(fingerprint: fingerprint) != nil else { return nil }
                return try runner.ledger.metrics(fingerprint: fingerprint)
            }
            var table = try ResultsTable.build(plan: plan, metrics: metrics)
            var earlier: ResultsTable?
            var changes: [String] = []
            if let compare {
                let (run, fingerprints, lines) = try earlierRun(compare, plan: plan, runner: runner)
                changes = ["compared with run \(run)"] + lines
                earlier = try ResultsTable.build(plan: plan, fingerprint: { fingerprints[$0.instance.id] }, metrics: metrics)
            }
            if let pivot {
                guard let pivoted = table.pivoted(on: pivot) else {
                    throw CLIUsageError(message: "no matrix axis '\(pivot)' in the table (axes: \(table.axes.joined(separator: ", ")))")
                }
                table = pivoted
                earlier = earlier?.pivoted(on: pivot)
            }
            let full = table
            if !columns.isEmpty {
                table.columns = table.columns.filter { column in columns.contains { fnmatch($0, column, 0) == 0 } }
                table.shared = table.shared.filter { entry in columns.contains { fnmatch($0, entry.column, 0) == 0 } }
                earlier?.columns = table.columns
            }
            if format == .table { print(plan.experiment.name) }
            for line in changes where format == .table || format == .markdown { print(line) }
            let header = table.axes + table.columns
            let rows = table.rows.enumerated().map { i, row in
                row.values + table.columns.map { column -> String in
                    let now = TableRenderer.cell(row.metrics[column], exact: format.isExact)
                    guard let earlier, i < earlier.rows.count, earlier.rows[i].values == row.values else { return now }
                    let before = TableRenderer.cell(earlier.rows[i].metrics[column], exact: format.isExact)
                    return before == now ? now : "\(before.isEmpty ? "–" : before) → \(now.isEmpty ? "–" : now)"
                }
            }
            if format == .json {
                // One document for the whole command: per experiment its rows and its experiment-level metrics.
                var shared: [String: Any] = [:]
                for entry in table.shared { shared[entry.column] = entry.value.isFinite ? entry.value : TableRenderer.cell(entry.value, exact: true) }
                documents.append(["experiment": plan.experiment.name, "file": plan.experiment.file,
                                  "rows": TableRenderer.objects(header: header, rows: rows), "metrics": shared, "notes": changes])
                if let html { try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes) }
                continue
            }
            if !table.columns.isEmpty {
                print(TableRenderer.render(header: header, rows: rows, format: format), terminator: "")
            } else if format == .table {
                print("(no per-matrix metrics)")
            }
            if !table.shared.isEmpty {
                if format == .table { print("") }
                print(TableRenderer.render(header: ["metric", "value"], rows: table.shared.map { [$0.column, TableRenderer.cell($0.value, exact: format.isExact)] },
                                           format: format), terminator: "")
            }
            if !table.missing.isEmpty && format == .table {
                print("\n\(table.missing.count) stage(s) not computed for the current spec: \(table.missing.joined(separator: ", "))")
            }
            if let html {
                try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes)
                if format == .table { print("report: \(html)") }
            }
        }
    }

    /// The run to compare with, the fingerprint each stage had in it, and the param changes since.
    private func earlierRun(_ selector: String, plan: Plan, runner: Runner) throws -> (Int64, [String: String], [String]) {
        let runs = try runner.ledger.runs(experiment: plan.experiment.name)
        let run: Int64
        if selector == "previous" {
            guard runs.count >= 2 else { throw CLIUsageError(message: "experiment \(plan.experiment.name) has fewer than two runs to compare") }
            run = runs[1].id
        } else {
            guard let id = Int64(selector), runs.contains(where: { $0.id == id }) else {
                throw RunnerError.unknownRun("\(selector) of experiment \(plan.experiment.name)")
            }
            run = id
        }
        var fingerprints: [String: String] = [:]
        var keys: [String: FingerprintKey] = [:]
        for execution in try runner.ledger.executions(run: run) {
            fingerprints[execution.stageID] = execution.fingerprint
            keys[execution.stageID] = execution.key
        }
        var lines: [String] = []
        for stage in plan.stages {
            guard let old = keys[stage.instance.id], old != stage.key,
                  let reason = RunReason.between(previous: old, current: stage.key, upstreamIDs: [:]),
                  case .paramsChanged = reason else { continue }
            lines.append("  \(stage.instance.id): \(reason)")
        }
        return (run, fingerprints, lines)
    }

    private func writeReport(_ path: String, plan: Plan, table: ResultsTable, full: ResultsTable, runner: Runner, notes: [String]) throws {
        var series: [(stage: String, metric: String, points: [(Double, Double)])] = []
        var images: [(caption: String, png: Data)] = []
        for stage in plan.stages {
            let metrics = try runner.ledger.metrics(fingerprint: stage.fingerprint).filter { $0.step != nil }
            var names: [String] = []
            for m in metrics where !names.contains(m.name) { names.append(m.name) }
            for name in names {
                series.append((stage.instance.id, name, metrics.filter { $0.name == name }.map { (Double($0.step!), $0.value) }))
            }
            // A stage that draws something for people writes it as sheet.png in an output folder.
            for output in try runner.ledger.outputs(fingerprint: stage.fingerprint) where output.type == "tree" {
                let sheet = runner.store.outputURL(fingerprint: stage.fingerprint, name: output.name).appendingPathComponent("sheet.png")
                if let png = try? Data(contentsOf: sheet) { images.append(("\(stage.instance.id) · \(output.name)", png)) }
            }
        }
        let report = HTMLReport(title: "PleinAir · \(plan.experiment.name)", description: plan.experiment.description,
                                table: table, full: full, series: series, images: images, notes: notes)
        try Data(report.render().utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
