import Foundation
import Pipeline
import Results

extension LiveQueries {
    /// The Compare page of run `id`: group `group` (values of the non-replicate axes joined with ",";
    /// empty: the first), replicate `replicate` (`all`, or values joined with ","; empty: the first),
    /// `limit` rows from `offset`. Files are named by their path under the store's `cache/`.
    package func compare(run id: Int64, group: String, replicate: String, offset: Int, limit: Int,
                         load: (String) throws -> Experiment) throws -> ComparePage {
        let (run, experiment) = try self.experiment(run: id, load: load)
        let prints = try storedFingerprints(run: id, latest: latestStored(experiment: run.experiment))
        let builder = ComparisonGrid.Builder(experiment: experiment, fingerprints: prints, cache: workspace.cache, workspace: workspace.root)
        let groups = builder.groups.map { $0.joined(separator: ",") }, replicates = builder.replicates.map { $0.joined(separator: ",") }
        let chosenGroup = groups.contains(group) ? group : groups.first ?? ""
        let chosenReplicate = replicate == "all" && replicates.count > 1 ? "all" : replicates.contains(replicate) ? replicate : replicates.first ?? ""
        var page = ComparePage(run: id, experiment: run.experiment, declared: builder.compare != nil, snippet: nil,
                               groupAxes: builder.groupAxes, groups: groups, replicateAxes: builder.replicateAxes, replicates: replicates,
                               group: chosenGroup, replicate: chosenReplicate, columns: [], rows: [], total: 0, offset: 0, notes: [])
        guard let grid = builder.grid(group: Self.values(chosenGroup), replicate: chosenReplicate == "all" ? nil : Self.values(chosenReplicate),
                                      offset: offset, limit: max(1, min(limit, 200))) else {
            page.snippet = ComparisonGrid.suggestion(for: experiment)
            return page
        }
        page.columns = grid.columns
        page.rows = grid.rows.map { row in
            ComparePage.Row(name: row.name, cells: row.cells.map { cell in
                cell.map { ComparePage.Cell(path: $0.store?.joined(separator: "/"), name: $0.file.lastPathComponent,
                                            metrics: $0.metrics.map { ComparePage.Metric(name: $0.name, value: $0.value) }) }
            })
        }
        page.total = grid.total
        page.offset = grid.offset
        page.notes = grid.notes
        return page
    }

    private static func values(_ joined: String) -> [String] {
        joined.isEmpty ? [] : joined.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}
