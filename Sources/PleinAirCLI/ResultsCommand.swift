import ArgumentParser
import Foundation
import Pipeline

/// `pleinair results`: one table of metrics, a row per matrix combination.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "Print the metrics table of experiments.")

    @Argument(help: "Experiment files (YAML).") var files: [String]
    @Option(help: "table, markdown, csv or json.") var format: TableFormat = .table
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        for file in files {
            let plan = try runner.plan(try runner.load(file))
            let table = try ResultsTable.build(plan: plan) { fingerprint in
                guard try runner.ledger.producer(fingerprint: fingerprint) != nil else { return nil }
                return try runner.ledger.metrics(fingerprint: fingerprint)
            }
            let header = table.axes + table.columns
            let rows = table.rows.map { row in row.values + table.columns.map { TableRenderer.cell(row.metrics[$0]) } }
            if format == .table { print("\(plan.experiment.name)") }
            if !header.isEmpty && !table.columns.isEmpty {
                print(TableRenderer.render(header: header, rows: rows, format: format), terminator: "")
            } else if format == .table {
                print("(no per-matrix metrics)")
            }
            if !table.shared.isEmpty {
                let sharedRows = table.shared.map { [$0.column, TableRenderer.cell($0.value)] }
                if format == .table { print("") }
                print(TableRenderer.render(header: ["metric", "value"], rows: sharedRows, format: format), terminator: "")
            }
            if !table.missing.isEmpty && format == .table {
                print("\n\(table.missing.count) stage(s) not computed for the current spec: \(table.missing.joined(separator: ", "))")
            }
        }
    }
}
