import Foundation
import Pipeline
import Report
import Results

/// Why a page cannot be answered.
package enum LiveQueryError: Error, Equatable {
    case notFound(String)
}

/// Reads what the pages show from a ledger opened read-only and from the store's `cache/` folder.
/// Never writes either: it has no ledger call that writes and no file call but reads.
package struct LiveQueries {
    package let ledger: Ledger
    package let workspace: Workspace
    /// Clock for `now` and the ETA; injected so tests can fix it.
    package var now: () -> Double = { Date().timeIntervalSince1970 }

    package init(ledger: Ledger, workspace: Workspace) {
        self.ledger = ledger
        self.workspace = workspace
    }

    // MARK: runs

    package func experiments() throws -> [ExperimentRow] {
        let runs = try ledger.runs(limit: 500)
        // Counts for the runs listed only (the newest 500, so every id from the oldest of them up):
        // the work and memory of this page stay bounded however long the history grows.
        let counts = try stageCounts(from: runs.map(\.id).min() ?? 0)
        return try ledger.experimentNames().map { name in
            ExperimentRow(name: name, runs: runs.filter { $0.experiment == name }.map { row($0, counts[$0.id] ?? [:]) })
        }
    }

    /// status → count, per run, in one query: for run `run`, or for every run from `first` on.
    private func stageCounts(run: Int64? = nil, from first: Int64 = 0) throws -> [Int64: [String: Int]] {
        let filter = run.map { "WHERE run_id = \($0)" } ?? "WHERE run_id >= \(first)"
        var counts: [Int64: [String: Int]] = [:]
        for r in try ledger.query("SELECT run_id, status, COUNT(*) FROM executions \(filter) GROUP BY run_id, status") {
            counts[r[0].int ?? 0, default: [:]][r[1].text ?? ""] = Int(r[2].int ?? 0)
        }
        return counts
    }

    private func row(_ run: RunRecord, _ counts: [String: Int]) -> RunRow {
        RunRow(id: run.id, experiment: run.experiment, status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt,
               ran: counts["succeeded"] ?? 0, cached: counts["cached"] ?? 0,
               failed: (counts["failed"] ?? 0) + (counts["interrupted"] ?? 0), running: counts["started"] ?? 0)
    }

    static func state(_ status: ExecutionStatus) -> String {
        switch status {
        case .started: return "running"
        case .succeeded: return "done"
        case .cached: return "cached"
        case .failed: return "failed"
        case .interrupted: return "interrupted"
        case .skipped: return "skipped"
        }
    }

    /// The latest execution of each stage in the run and, while the run is in progress, the stages
    /// it has not started yet (waiting). A run that recorded its plan lists its stages in plan order
    /// and waits on exactly the planned ones; a run without a plan (its ledger predates plans, or has
    /// not been migrated yet) lists them as recorded and waits on the stages of the experiment's
    /// previous run it has not recorded yet.
    private func stages(of run: RunRecord) throws -> (current: [ExecutionRecord], waiting: [ExecutionRecord], all: [ExecutionRecord]) {
        var latest: [String: ExecutionRecord] = [:]
        var order: [String] = []
        let executions = try ledger.executions(run: run.id)
        for e in executions {
            if latest[e.stageID] == nil { order.append(e.stageID) }
            latest[e.stageID] = e
        }
        var waiting: [ExecutionRecord] = []
        var all = executions
        if let plan = try ledger.plannedStages(run: run.id) {
            var position: [String: Int] = [:]
            for stage in plan where position[stage.stageID] == nil { position[stage.stageID] = stage.position }
            order = order.enumerated().sorted { a, b in
                (position[a.element] ?? Int.max, a.offset) < (position[b.element] ?? Int.max, b.offset)
            }.map(\.element)
            let planned = plan.map { ExecutionRecord(waiting: $0, run: run.id) }
            all += planned
            if run.status == "running" {
                var seen = Set(order)
                waiting = planned.filter { seen.insert($0.stageID).inserted }
            }
        } else if run.status == "running", let previous = try ledger.runs(experiment: run.experiment, limit: 50).first(where: { $0.id < run.id }) {
            let earlier = try ledger.executions(run: previous.id)
            all += earlier
            var seen = Set(order)
            for e in earlier where seen.insert(e.stageID).inserted { waiting.append(e) }
        }
        return (order.map { latest[$0]! }, waiting, all)
    }

    /// The stage id of each fingerprint seen, and the upstream edges of an execution.
    private static func upstream(of e: ExecutionRecord, stages: [String: String]) -> [(stage: String, label: String)] {
        (e.key?.upstream ?? [:]).sorted { $0.key < $1.key }.compactMap { input, reference in
            let parts = reference.split(separator: ":", maxSplits: 1)
            guard let fingerprint = parts.first, let stage = stages[String(fingerprint)] else { return nil }
            let output = parts.count > 1 ? String(parts[1]) : ""
            return (stage, "\(output)→\(input)")
        }
    }

    package func graph(run id: Int64) throws -> RunGraph {
        guard let run = try ledger.run(id) else { throw LiveQueryError.notFound("no run \(id)") }
        let (current, waiting, all) = try stages(of: run)
        var stageOf: [String: String] = [:]
        for e in all { stageOf[e.fingerprint] = e.stageID }
        for e in current { stageOf[e.fingerprint] = e.stageID }
        let nodes = current + waiting
        var edges: [GraphEdge] = []
        for e in nodes {
            for (from, label) in Self.upstream(of: e, stages: stageOf) where from != e.stageID {
                edges.append(GraphEdge(from: from, to: e.stageID, label: label))
            }
        }
        let places = DAGLayout.place(ids: nodes.map(\.stageID), edges: edges.map { ($0.from, $0.to) })
        var width = 0.0, height = 0.0
        let waitingIDs = Set(waiting.map(\.stageID))
        let typicalSeconds = try lastDurations(experiment: run.experiment)
        let graphNodes = nodes.map { e -> GraphNode in
            let place = places[e.stageID]!
            let origin = DAGLayout.origin(column: place.column, row: place.row)
            width = max(width, origin.x + DAGLayout.nodeWidth + DAGLayout.margin)
            height = max(height, origin.y + DAGLayout.nodeHeight + DAGLayout.margin)
            let isWaiting = waitingIDs.contains(e.stageID)
            let state = isWaiting ? "waiting" : Self.state(e.status)
            let typical = state == "running" || state == "waiting" ? typicalSeconds[e.stageID] : nil
            let progress = state == "running" ? liveProgress(e) : nil
            return GraphNode(id: e.stageID, kind: e.kind, state: state, fingerprint: isWaiting ? nil : e.fingerprint,
                             x: origin.x, y: origin.y, startedAt: isWaiting ? nil : e.startedAt,
                             finishedAt: isWaiting ? nil : e.finishedAt, typicalSeconds: typical, progress: progress?.fraction,
                             progressMessage: progress?.message, reason: isWaiting ? nil : e.reason)
        }
        let counts = try stageCounts(run: id)[id] ?? [:]
        return RunGraph(run: row(run, counts), nodes: graphNodes, edges: edges, width: width, height: height, now: now(),
                        nodeWidth: DAGLayout.nodeWidth, nodeHeight: DAGLayout.nodeHeight)
    }

    /// How long each stage of an experiment took the last time it succeeded (one query for the whole DAG).
    private func lastDurations(experiment: String) throws -> [String: Double] {
        var seconds: [String: Double] = [:]
        // One row per stage (SQLite takes the bare columns from the row of MAX(e.id)): the answer and
        // this page's memory stay the size of the DAG however long the history grows.
        for r in try ledger.query("""
            SELECT e.stage_id, e.finished_at - e.started_at, MAX(e.id) FROM executions e JOIN runs r ON e.run_id = r.id
            JOIN experiments x ON r.experiment_id = x.id
            WHERE x.name = ? AND e.status = 'succeeded' AND e.finished_at IS NOT NULL GROUP BY e.stage_id
            """, [.text(experiment)]) {
            if let stage = r[0].text, let s = r[1].double { seconds[stage] = s }
        }
        return seconds
    }

    // MARK: a stage

    package func stage(run id: Int64, stage: String, logBytes: Int = 16 * 1024) throws -> StagePage {
        guard let run = try ledger.run(id) else { throw LiveQueryError.notFound("no run \(id)") }
        let (current, waiting, all) = try stages(of: run)
        guard let e = (current + waiting).first(where: { $0.stageID == stage }) else {
            throw LiveQueryError.notFound("no stage \(stage) in run \(id)")
        }
        let isWaiting = !current.contains { $0.stageID == stage }
        var stageOf: [String: String] = [:]
        for x in all { stageOf[x.fingerprint] = x.stageID }
        for x in current { stageOf[x.fingerprint] = x.stageID }
        let key = e.key
        let outputs = try ledger.outputs(fingerprint: e.fingerprint).map { HashRow(name: $0.name, hash: $0.hash, detail: $0.type) }
        let producer = try ledger.producer(fingerprint: e.fingerprint)
        let lineage = try producer.map { try ledger.lineage(execution: $0.id) }?.map { HashRow(name: $0.name, hash: $0.hash, detail: $0.role) } ?? []
        var consumed: [String: String] = [:]
        for row in lineage where row.detail == "consumed" { consumed[row.name] = row.hash }
        var inputs: [HashRow] = (key?.inputs ?? [:]).sorted { $0.key < $1.key }.map { HashRow(name: $0.key, hash: $0.value, detail: "file") }
        for (name, reference) in (key?.upstream ?? [:]).sorted(by: { $0.key < $1.key }) {
            // The content hash the producer recorded when it consumed it; else the upstream's fingerprint.
            let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
            let output = parts.count > 1 ? "output \(parts[1]) of " : ""
            inputs.append(HashRow(name: name, hash: consumed[name] ?? parts[0],
                                  detail: consumed[name] == nil ? "\(output)fingerprint \(parts[0].prefix(12))" : "\(output)an upstream stage",
                                  stage: stageOf[parts[0]]))
        }
        let upstream = Self.upstream(of: e, stages: stageOf).map(\.stage)
        let downstream = (current + waiting).filter { other in Self.upstream(of: other, stages: stageOf).contains { $0.stage == stage } }.map(\.stageID)
        let metrics = try !isWaiting && e.status == .started ? liveSeries(e) : ledger.metrics(fingerprint: e.fingerprint)
        var scalars: [String: Double] = [:]
        var series: [String] = []
        for m in metrics {
            if m.step == nil { scalars[m.name] = m.value } else if !series.contains(m.name) { series.append(m.name) }
        }
        let history = try ledger.executions(experiment: run.experiment, stage: stage, limit: 20)
        let rows = history.map { x in
            ExecutionRow(run: x.runID, status: x.status.rawValue, reason: x.reason, startedAt: x.startedAt,
                         seconds: x.startedAt.map { (x.finishedAt ?? now()) - $0 }, cpuSeconds: x.cpuSeconds,
                         peakRSSKB: x.peakRSSKB, host: x.host, error: x.error)
        }
        let logPath = (isWaiting ? nil : e.logPath) ?? history.first { $0.logPath != nil }?.logPath
        return StagePage(run: id, stage: stage, kind: e.kind, state: isWaiting ? "waiting" : Self.state(e.status),
                         fingerprint: isWaiting ? nil : e.fingerprint, reason: isWaiting ? nil : e.reason,
                         params: (key?.params ?? [:]).mapValues(\.description), inputs: inputs, outputs: outputs, lineage: lineage,
                         upstream: upstream, downstream: downstream, metrics: scalars, series: series, executions: Array(rows),
                         log: logPath.flatMap { tail($0, bytes: logBytes) }, logPath: logPath)
    }

    /// The last `bytes` of a log, if it lies inside the workspace's artifacts folder.
    func tail(_ path: String, bytes: Int) -> String? {
        guard let real = SafePath(root: workspace.artifacts).contained(path), let handle = FileHandle(forReadingAtPath: real) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: what a running stage reports beside its log

    /// A file `StageLog` keeps beside a log, if the log lies inside the workspace's artifacts.
    private func sidecar(_ e: ExecutionRecord, _ url: (URL) -> URL) -> String? {
        guard let log = e.logPath else { return nil }
        return SafePath(root: workspace.artifacts).contained(url(URL(fileURLWithPath: log)).path)
    }

    /// The latest progress a running stage reported.
    func liveProgress(_ e: ExecutionRecord) -> (fraction: Double, message: String)? {
        guard let path = sidecar(e, StageLog.progressURL(forLog:)),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let fields = text.trimmingCharacters(in: .newlines).split(separator: "\t", omittingEmptySubsequences: false)
        guard let fraction = fields.first.flatMap({ Double($0) }) else { return nil }
        return (fraction, fields.count > 1 ? String(fields[1]) : "")
    }

    /// The series points a running stage reported so far, as metrics with steps.
    func liveSeries(_ e: ExecutionRecord) -> [Metric] {
        guard let path = sidecar(e, StageLog.seriesURL(forLog:)), let data = FileManager.default.contents(atPath: path) else { return [] }
        var metrics: [Metric] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 3, let step = Int(f[1]), let value = Double(f[2]) else { continue }  // a line being written
            metrics.append(Metric(name: String(f[0]), value: value, step: step))
        }
        return metrics
    }

    // MARK: metrics

    /// One chart per series name, a line per stage of run `id` that has it, plus a line per stage of
    /// run `compare` whose outputs differ (`train@monet · run 3`); the scalars of run `id`.
    package func metrics(run id: Int64, compare: Int64? = nil) throws -> MetricsPage {
        guard let run = try ledger.run(id) else { throw LiveQueryError.notFound("no run \(id)") }
        let (current, _, _) = try stages(of: run)
        var lines = current.map { (execution: $0, label: $0.stageID) }
        if let compare {
            guard let other = try ledger.run(compare) else { throw LiveQueryError.notFound("no run \(compare)") }
            let shown = Set(current.map(\.fingerprint))
            lines += try stages(of: other).current.filter { !shown.contains($0.fingerprint) && $0.status != .started }
                .map { (execution: $0, label: "\($0.stageID) · run \(compare)") }
        }
        var byMetric: [String: [(name: String, points: [(Double, Double)])]] = [:]
        var order: [String] = []
        var scalars: [MetricsPage.Scalar] = []
        var live = Set<String>()
        for (e, label) in lines {
            let running = e.status == .started
            let metrics = try running ? liveSeries(e) : ledger.metrics(fingerprint: e.fingerprint)
            var names: [String] = []
            for m in metrics where m.step != nil && !names.contains(m.name) { names.append(m.name) }
            for name in names {
                if byMetric[name] == nil { order.append(name) }
                let points = metrics.filter { $0.name == name && $0.step != nil }.sorted { $0.step! < $1.step! }.map { (Double($0.step!), $0.value) }
                byMetric[name, default: []].append((running ? label + " (running)" : label, points))
                if running { live.insert(name) }
            }
            if e.runID == id {
                for m in metrics where m.step == nil { scalars.append(.init(stage: e.stageID, metric: m.name, value: m.value)) }
            }
        }
        let charts = order.map { name in
            MetricsPage.Chart(metric: name, points: byMetric[name]!.map { $0.points.count }.reduce(0, +), live: live.contains(name),
                              svg: SVGChart.lines(title: name, series: byMetric[name]!, width: 480, height: 240))
        }
        return MetricsPage(run: id, charts: charts, scalars: scalars)
    }

    // MARK: results

    /// The experiment's results with each stage's outputs as of run `id` (a stage the run did not
    /// record: its latest stored outputs), cells shown as `before → now` against run `compare`.
    /// `load` expands the experiment file the ledger recorded (the CLI passes the built-in kinds).
    package func results(run id: Int64, compare: Int64?, load: (String) throws -> Experiment) throws -> ResultsPage {
        let (run, experiment) = try experiment(run: id, load: load)
        let latest = try latestStored(experiment: run.experiment)
        let metrics: (String) throws -> [Metric]? = { fingerprint in
            guard try ledger.producer(fingerprint: fingerprint) != nil else { return nil }
            return try ledger.metrics(fingerprint: fingerprint)
        }
        func fingerprints(_ run: Int64) throws -> [String: String] { try storedFingerprints(run: run, latest: latest) }
        func table(_ prints: [String: String]) throws -> ResultsTable {
            try ResultsTable.build(experiment: experiment, instances: experiment.instances, fingerprint: { prints[$0.id] }, metrics: metrics)
        }
        let prints = try fingerprints(id)
        let current = try table(prints)
        let before = try compare.map { try table(fingerprints($0)) }
        var notes: [String] = []
        if let compare { notes.append("compared with run \(compare): cells show before → now where they differ") }
        let rows = current.rows.enumerated().map { i, row in
            row.values + current.columns.map { column -> String in
                let cell = TableRenderer.cell(row.metrics[column])
                guard let before, i < before.rows.count, before.rows[i].values == row.values else { return cell }
                let old = TableRenderer.cell(before.rows[i].metrics[column])
                return old == cell ? cell : "\(old.isEmpty ? "–" : old) → \(cell.isEmpty ? "–" : cell)"
            }
        }
        let design = experiment.results
        let view = ReplicateTable(current, replicates: design.replicates)
        let papers = design.tables.compactMap { try? PaperTable($0, table: view) }.map(HTMLReport.paperHTML)
        var page = ResultsPage(run: id, experiment: run.experiment, header: current.axes + current.columns, rows: rows,
                               shared: current.shared.map { [$0.column, TableRenderer.cell($0.value)] }, papers: papers,
                               missing: current.missing, notes: notes, compare: compare)
        // As `pleinair results` collapses them: when every replicate axis is an axis of the table.
        if !design.replicates.isEmpty && design.replicates.allSatisfy(current.axes.contains) {
            page.replicates = ReplicateResults(view)
            let items = PerImageValues(instances: experiment.instances, fingerprints: prints, cache: workspace.cache,
                                       axes: view.axes, replicates: view.replicateAxes)
            page.comparisons = design.comparisons.flatMap { spec in
                PairedComparison.evaluate(spec, in: view, items: items.callAsFunction).map { ComparisonResult($0, spec) }
            }
        }
        return page
    }

    /// A run and its experiment, expanded from the file the ledger recorded.
    func experiment(run id: Int64, load: (String) throws -> Experiment) throws -> (RunRecord, Experiment) {
        guard let run = try ledger.run(id) else { throw LiveQueryError.notFound("no run \(id)") }
        guard let file = try ledger.query("SELECT file FROM experiments WHERE name = ?", [.text(run.experiment)]).first?[0].text else {
            throw LiveQueryError.notFound("no file recorded for experiment \(run.experiment)")
        }
        return (run, try load(workspace.resolve(file).path))
    }

    /// The fingerprint of each stage's outputs as of run `run`: what it ran or found cached, else
    /// the latest stored (`latest`, from `latestStored`).
    func storedFingerprints(run: Int64, latest: [String: String]) throws -> [String: String] {
        var prints = latest
        for e in try ledger.executions(run: run) where e.status == .succeeded || e.status == .cached { prints[e.stageID] = e.fingerprint }
        return prints
    }

    /// The fingerprint each stage of an experiment last succeeded or was cached with.
    func latestStored(experiment: String) throws -> [String: String] {
        var prints: [String: String] = [:]
        for r in try ledger.query("""
            SELECT e.stage_id, e.fingerprint, MAX(e.id) FROM executions e JOIN runs r ON e.run_id = r.id JOIN experiments x ON r.experiment_id = x.id
            WHERE x.name = ? AND e.status IN ('succeeded', 'cached') GROUP BY e.stage_id
            """, [.text(experiment)]) {
            if let stage = r[0].text, let print = r[1].text { prints[stage] = print }
        }
        return prints
    }

    // MARK: images

    /// Image files under the run's outputs named `output` (`stage/output` picks one stage's), side by
    /// side: a column per stage, a row per relative path, `limit` rows from `offset`.
    package func images(run id: Int64, output: String?, offset: Int, limit: Int) throws -> ImagesPage {
        guard let run = try ledger.run(id) else { throw LiveQueryError.notFound("no run \(id)") }
        let (current, _, _) = try stages(of: run)
        let safe = SafePath(root: workspace.cache)
        var found: [(stage: String, fingerprint: String, output: String, files: [String])] = []
        for e in current {
            for recorded in try ledger.outputs(fingerprint: e.fingerprint) {
                guard let folder = safe.resolve([e.fingerprint, recorded.name]) else { continue }
                let files = Self.imageFiles(under: folder)
                if !files.isEmpty { found.append((e.stageID, e.fingerprint, recorded.name, files)) }
            }
        }
        let choices = found.map { "\($0.stage)/\($0.output)" }
        let chosen = output ?? found.first.map { $0.output } ?? ""
        let columns = found.filter { $0.output == chosen || "\($0.stage)/\($0.output)" == chosen }
        var rows: [String] = []
        var seen = Set<String>()
        for column in columns { for file in column.files where seen.insert(file).inserted { rows.append(file) } }
        rows.sort()
        let start = min(max(offset, 0), rows.count)
        return ImagesPage(run: id, output: chosen,
                          columns: columns.map { .init(stage: $0.stage, fingerprint: $0.fingerprint, output: $0.output) },
                          rows: Array(rows[start..<min(rows.count, start + max(1, min(limit, 500)))]),
                          total: rows.count, offset: start, outputs: choices)
    }

    /// Relative paths of image files in a folder (or the file itself), sorted; symlinks are not followed.
    static func imageFiles(under folder: String) -> [String] { ComparisonGrid.imageFiles(under: folder) }
}
