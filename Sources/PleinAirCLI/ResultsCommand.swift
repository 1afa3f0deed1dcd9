import ArgumentParser
import Foundation
import Pipeline
import Report
import Results

/// `pleinair results`: one table of metrics, a row per matrix combination; optionally pivoted,
/// compared with an earlier run, or written as an HTML report.
struct ResultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "Print the metrics table of experiments.")

    @Argument(help: "Experiment files (YAML).") var files: [String]
    @Option(help: "table, markdown, csv, json, latex, or html (the whole report, as --html writes, on stdout).") var format: TableFormat = .table
    @Option(help: "Move this matrix axis into the columns (e.g. --pivot method: a column per method × metric).") var pivot: String?
    @Option(help: "Show each value beside the one of an earlier run: a run id, or 'previous'.") var compare: String?
    @Option(parsing: .upToNextOption, help: "Keep only the columns matching these patterns (shell globs such as '*.psnr' 'fid_*.fid2048*').")
    var columns: [String] = []
    @Option(help: "Print the table the experiment declares under this name (tables: in the spec), e.g. with --format latex.")
    var table: String?
    @Flag(help: "A row per replicate (seed) instead of mean ± interval over the replicate axes.") var eachReplicate = false
    @Flag(help: "Show every metric: the table and Markdown views leave out bookkeeping ones (image counts, iterations, bytes) unless --all or --columns.")
    var all = false
    @Option(help: "Also write a self-contained HTML report to this file: the chosen columns as a table and bar charts, every metric in a folded table, training curves, image sheets.") var html: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let runner = try workspace.runner()
        var documents: [[String: Any]] = []
        defer { if format == .json && table == nil { print(JSON.text(["experiments": documents])) } }
        for file in files {
            let plan = try runner.plan(try workspace.load(file, with: runner))
            let design = plan.experiment.results
            let metrics: (String) throws -> [Metric]? = { fingerprint in
                guard try runner.ledger.producer(fingerprint: fingerprint) != nil else { return nil }
                return try runner.ledger.metrics(fingerprint: fingerprint)
            }
            var table = try ResultsTable.build(plan: plan, metrics: metrics)
            if let name = self.table {
                guard let spec = design.tables.first(where: { $0.name == name }) else {
                    throw CLIUsageError(message: "\(plan.experiment.file) declares no table '\(name)' (tables: \(design.tables.map(\.name).joined(separator: ", ")))")
                }
                do {
                    print(try PaperTable(spec, table: ReplicateTable(table, replicates: design.replicates)).render(format), terminator: "")
                } catch let error as PaperTableError {
                    throw CLIUsageError(message: error.message)
                }
                continue
            }
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
                // A pivoted column (`monet:ours_vs_truth.psnr`) matches by its metric as well.
                let bare = { (column: String) -> String in self.pivot == nil ? column : String(column.drop { $0 != ":" }.dropFirst()) }
                table.columns = table.columns.filter { column in
                    columns.contains { fnmatch($0, column, 0) == 0 || fnmatch($0, bare(column), 0) == 0 }
                }
                table.shared = table.shared.filter { entry in columns.contains { fnmatch($0, entry.column, 0) == 0 } }
                earlier?.columns = table.columns
            }
            // What a person reads leaves out what each kind declares bookkeeping; machine formats keep everything.
            // (`random_weights` is no bookkeeping: it labels numbers that mean nothing outside this bench.)
            var hidden = 0
            if columns.isEmpty, !all, format == .table || format == .markdown {
                let bookkeeping = Self.bookkeeping(plan.experiment)
                let isBookkeeping = { (column: String) -> Bool in
                    let bare = pivot == nil ? column : String(column.drop { $0 != ":" }.dropFirst())
                    return bookkeeping.contains { fnmatch($0, bare, 0) == 0 }
                }
                hidden = Set(table.columns.filter(isBookkeeping).map { pivot == nil ? $0 : String($0.drop { $0 != ":" }.dropFirst()) }).count
                    + table.shared.filter { isBookkeeping($0.column) }.count
                table.columns = table.columns.filter { !isBookkeeping($0) }
                table.shared = table.shared.filter { !isBookkeeping($0.column) }
                earlier?.columns = table.columns
            }
            // Replicates collapse into mean ± interval, unless each is asked for or runs are compared.
            let collapse = !design.replicates.isEmpty && !eachReplicate && earlier == nil
                && design.replicates.allSatisfy(table.axes.contains)
            let collapsed = collapse ? ReplicateTable(table, replicates: design.replicates) : nil
            // Comparisons read the whole table, whatever --columns shows.
            let wholeView = ReplicateTable(full, replicates: design.replicates)
            let items = PerImageValues(plan: plan, cache: runner.workspace.cache, axes: wholeView.axes, replicates: wholeView.replicateAxes)
            let comparisons = collapse
                ? design.comparisons.map { ($0, PairedComparison.evaluate($0, in: wholeView, items: items.callAsFunction)) } : []
            let verdicts = comparisons.flatMap { spec, results in results.map { $0.line(spec) } }
            // An experiment that declares its tables is read through them by default: the tables, then
            // the comparisons' verdicts; --all (or any option choosing columns or rows) shows every metric.
            let declaredView = self.table == nil && columns.isEmpty && !all && pivot == nil && compare == nil && !eachReplicate
                && !design.tables.isEmpty && (format == .table || format == .markdown)
            if declaredView {
                if format == .table { print(plan.experiment.name) }
                for spec in design.tables {
                    do {
                        print(try PaperTable(spec, table: ReplicateTable(full, replicates: design.replicates)).render(format))
                    } catch let error as PaperTableError {
                        print("table \(spec.name): \(error.message)\n")
                    }
                }
                for line in verdicts { print(format == .markdown ? "- " + line : line) }
                print((verdicts.isEmpty ? "" : "\n") + (format == .markdown ? "- every metric: `pleinair results --all`"
                                                                             : "(the declared tables and comparisons; --all shows every metric)"))
                if let html { try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes, verdicts: verdicts, wholeView: wholeView) }
                continue
            }
            if format == .table { print(plan.experiment.name) }
            for line in changes where format == .table { print(line) }
            var (header, rows) = collapsed.map { cells($0) } ?? cells(table, earlier: earlier)
            if collapsed != nil && !format.isExact {
                // A series shows by its last value: its header says so.
                header = header.map { name in
                    let column = name.hasSuffix(" (n=1)") ? String(name.dropLast(6)) : name
                    return table.seriesColumns.contains(column) ? column + " (last)" + String(name.dropFirst(column.count)) : name
                }
            }
            if format == .html {
                print(try reportHTML(plan: plan, table: table, full: full, runner: runner, notes: changes, verdicts: verdicts, wholeView: wholeView),
                      terminator: "")
                if let html { try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes, verdicts: verdicts, wholeView: wholeView) }
                continue
            }
            if format == .json {
                // One document for the whole command: per experiment its rows and its experiment-level metrics.
                var shared: [String: Any] = [:]
                for entry in table.shared { shared[entry.column] = entry.value.isFinite ? entry.value : TableRenderer.cell(entry.value, exact: true) }
                var document: [String: Any] = ["experiment": plan.experiment.name, "file": plan.experiment.file, "metrics": shared, "notes": changes]
                if let collapsed {
                    document["replicates"] = design.replicates
                    document["rows"] = Self.objects(collapsed)
                    document["comparisons"] = comparisons.flatMap { spec, results in results.map { Self.object($0, spec) } }
                } else {
                    document["rows"] = TableRenderer.objects(header: header, rows: rows)
                }
                documents.append(document)
                if let html { try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes, verdicts: verdicts, wholeView: wholeView) }
                continue
            }
            if let collapsed, format == .table { print(collapsed.legend) }
            if !table.columns.isEmpty {
                print(TableRenderer.render(header: header, rows: rows, format: format), terminator: "")
            } else if format == .table {
                print("(no per-matrix metrics)")
            }
            if !table.shared.isEmpty {
                if format == .table || (format == .markdown && !table.columns.isEmpty) { print("") }
                print(TableRenderer.render(header: ["metric", "value"], rows: table.shared.map {
                    [$0.column + (table.seriesColumns.contains($0.column) && !format.isExact ? " (last)" : ""), TableRenderer.cell($0.value, exact: format.isExact)]
                },
                                           format: format), terminator: "")
            }
            if format == .markdown {
                // A clean table to paste, and what a reader needs to read it below it, as a list.
                let notes = changes + (collapsed.map { [$0.legend] } ?? []) + verdicts
                    + (hidden > 0 ? ["\(hidden) bookkeeping metric\(hidden == 1 ? "" : "s") hidden (--all shows them)"] : [])
                if !notes.isEmpty { print("\n" + notes.map { "- " + $0 }.joined(separator: "\n")) }
            }
            if !comparisons.isEmpty && format == .table {
                print("")
                for (spec, results) in comparisons { for result in results { print(result.line(spec)) } }
            }
            if hidden > 0 && format == .table {
                print("\n(\(hidden) bookkeeping metric\(hidden == 1 ? "" : "s") hidden: --all shows them)")
            }
            if !table.missing.isEmpty && format == .table {
                print("\n\(table.missing.count) stage(s) not computed for the current spec: \(table.missing.joined(separator: ", "))")
            }
            if let html {
                try writeReport(html, plan: plan, table: table, full: full, runner: runner, notes: changes, verdicts: verdicts, wholeView: wholeView)
                if format == .table { print("report: \(html)") }
            }
        }
    }

    /// `stage.metric` patterns of the metrics the experiment's kinds declare bookkeeping.
    static func bookkeeping(_ experiment: Experiment) -> Set<String> {
        Set(experiment.instances.flatMap { instance in
            (instance.metrics ?? []).filter(\.bookkeeping).map { "\(instance.stageName).\($0.name)" }
        })
    }

    /// Header and cells of the per-replicate table, each cell beside the earlier run's when they differ.
    private func cells(_ table: ResultsTable, earlier: ResultsTable?) -> ([String], [[String]]) {
        let rows = table.rows.enumerated().map { i, row in
            row.values + table.columns.map { column -> String in
                let now = TableRenderer.cell(row.metrics[column], exact: format.isExact)
                guard let earlier, i < earlier.rows.count, earlier.rows[i].values == row.values else { return now }
                let before = TableRenderer.cell(earlier.rows[i].metrics[column], exact: format.isExact)
                return before == now ? now : "\(before.isEmpty ? "–" : before) → \(now.isEmpty ? "–" : now)"
            }
        }
        return (table.axes + table.columns.map { table.seriesColumns.contains($0) && !format.isExact ? $0 + " (last)" : $0 }, rows)
    }

    /// Header and cells of the collapsed table: `mean ± half` for people; every figure for CSV.
    private func cells(_ view: ReplicateTable) -> ([String], [[String]]) {
        if format.isExact {
            let header = view.axes + view.columns.flatMap { column in ReplicateTable.fieldSuffixes.map { column + $0 } }
            return (header, view.rows.map { row in row.values + view.columns.flatMap { ReplicateTable.fields(row.cells[$0]) } })
        }
        return (view.axes + view.columns.map(view.header), view.rows.map { row in row.values + view.columns.map { view.text(row.cells[$0], in: $0) } })
    }

    private static func objects(_ view: ReplicateTable) -> [[String: Any]] {
        view.rows.map { row in
            var object: [String: Any] = Dictionary(uniqueKeysWithValues: zip(view.axes, row.values.map { $0 as Any }))
            for column in view.columns {
                guard let cell = row.cells[column] else { continue }
                object[column] = ["mean": cell.mean, "sd": cell.sd ?? NSNull(), "ci_low": cell.low ?? NSNull(),
                                  "ci_high": cell.high ?? NSNull(), "n": cell.n, "values": row.replicates[column] ?? [:]] as [String: Any]
            }
            return object
        }
    }

    private static func object(_ result: PairedComparison, _ spec: ComparisonSpec) -> [String: Any] {
        ["comparison": result.name, "row": result.row, "a": spec.a, "b": spec.b, "better": spec.better.rawValue, "pairs": result.pairs,
         "mean_difference": result.meanDifference ?? NSNull(), "ci_low": result.low ?? NSNull(), "ci_high": result.high ?? NSNull(),
         "wilcoxon_p": result.wilcoxonP ?? NSNull(), "sign_p": result.signP ?? NSNull(), "verdict": result.verdict]
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

    private func writeReport(_ path: String, plan: Plan, table: ResultsTable, full: ResultsTable, runner: Runner, notes: [String],
                             verdicts: [String], wholeView: ReplicateTable) throws {
        let text = try reportHTML(plan: plan, table: table, full: full, runner: runner, notes: notes, verdicts: verdicts, wholeView: wholeView)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// The self-contained HTML report: the chosen columns, every metric folded, curves and image sheets.
    private func reportHTML(plan: Plan, table: ResultsTable, full: ResultsTable, runner: Runner, notes: [String],
                            verdicts: [String], wholeView: ReplicateTable) throws -> String {
        var series: [(stage: String, metric: String, points: [(Double, Double)])] = []
        let design = plan.experiment.results
        // Curves of the replicates of one stage and metric, per combination of the other axes.
        var grouped: [String: [String: [[(Double, Double)]]]] = [:]
        var titles: [String] = []
        var images: [(caption: String, png: Data)] = []
        for stage in plan.stages {
            let metrics = try runner.ledger.metrics(fingerprint: stage.fingerprint).filter { $0.step != nil }
            var names: [String] = []
            for m in metrics where !names.contains(m.name) { names.append(m.name) }
            for name in names {
                let points = metrics.filter { $0.name == name }.map { (Double($0.step!), $0.value) }
                series.append((stage.instance.id, name, points))
                let place = stage.instance.matrixValues.filter { !design.replicates.contains($0.axis) }.map(\.value)
                let title = ([name] + place).joined(separator: " · ")
                if grouped[title] == nil { titles.append(title) }
                grouped[title, default: [:]][stage.instance.stageName, default: []].append(points)
            }
            // A stage that draws something for people writes it as sheet.png in an output folder; the
            // `compare:` grids replace the contact sheets.
            if stage.instance.kind == "contact_sheet" && plan.experiment.results.compare != nil { continue }
            for output in try runner.ledger.outputs(fingerprint: stage.fingerprint) where output.type == "tree" {
                let sheet = runner.store.outputURL(fingerprint: stage.fingerprint, name: output.name).appendingPathComponent("sheet.png")
                if let png = try? Data(contentsOf: sheet) { images.append(("\(stage.instance.id) · \(output.name)", png)) }
            }
        }
        var report = HTMLReport(title: "PleinAir · \(plan.experiment.name)", description: plan.experiment.description,
                                table: table, full: full, series: series, images: images, notes: notes)
        report.verdicts = verdicts
        if !design.replicates.isEmpty && design.replicates.allSatisfy(table.axes.contains) {
            report.collapsed = ReplicateTable(table, replicates: design.replicates)
        }
        report.tables = design.tables.compactMap { try? PaperTable($0, table: wholeView) }
        report.comparisons = try comparisonSections(plan: plan, runner: runner)
        if !design.replicates.isEmpty {
            report.curves = titles.map { title in
                (title, grouped[title]!.sorted { $0.key < $1.key }.map { stage, runs in (stage, Self.band(runs)) })
            }
        }
        return report.render()
    }

    /// Per group of the non-replicate axes (an artist), the first rows of the `compare:` grid for the
    /// first replicate, from the planned stages' outputs; each links to the live view's Compare page.
    private func comparisonSections(plan: Plan, runner: Runner) throws -> [HTMLReport.ComparisonSection] {
        guard plan.experiment.results.compare != nil else { return [] }
        var fingerprints: [String: String] = [:]
        for stage in plan.stages { fingerprints[stage.instance.id] = stage.fingerprint }
        let builder = ComparisonGrid.Builder(experiment: plan.experiment, fingerprints: fingerprints,
                                             cache: runner.workspace.cache, workspace: runner.workspace.root)
        let run = try runner.ledger.runs(experiment: plan.experiment.name, limit: 1).first?.id
        let replicate = builder.replicates.first ?? []
        return builder.groups.compactMap { group in
            guard let grid = builder.grid(group: group, replicate: replicate, limit: 6) else { return nil }
            let title = (Array(zip(builder.groupAxes, group)) + Array(zip(builder.replicateAxes, replicate))).map { "\($0) \($1)" }.joined(separator: " · ")
            let more = run.map { run in
                "http://127.0.0.1:8765/#/compare/\(run)/" + [group, replicate].map { $0.isEmpty ? "-" : Self.fragment($0.joined(separator: ",")) }.joined(separator: "/") + "/0"
            }
            return HTMLReport.ComparisonSection(title: title.isEmpty ? plan.experiment.name : title, grid: grid, more: more)
        }
    }

    /// A URL fragment segment, as the live view's `encodeURIComponent` writes it.
    private static func fragment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")) ?? text
    }

    /// The mean of several runs' curves at each step they all have, with their lowest and highest value.
    static func band(_ runs: [[(Double, Double)]]) -> [(x: Double, mean: Double, low: Double, high: Double)] {
        var byStep: [Double: [Double]] = [:]
        for run in runs { for (step, value) in run { byStep[step, default: []].append(value) } }
        return byStep.keys.sorted().compactMap { step in
            let values = byStep[step]!
            guard values.count == runs.count else { return nil }
            return (step, values.reduce(0, +) / Double(values.count), values.min()!, values.max()!)
        }
    }
}
