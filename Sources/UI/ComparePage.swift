import Results

/// The Compare page: one painting per row across the `compare:` section's columns, for one value of
/// the non-replicate axes (an artist) and one replicate (a seed) or all of them.
package struct ComparePage: Codable, Sendable {
    package struct Cell: Codable, Sendable {
        /// The file's path under the store's `cache/`, for `/files/` and `/thumbs/`; nil outside the store.
        package var path: String?
        package var name: String
        package var metrics: [Metric]
    }
    package struct Metric: Codable, Sendable {
        package var name: String
        package var value: Double
    }
    package struct Row: Codable, Sendable {
        package var name: String
        package var cells: [Cell?]
    }
    package var run: Int64
    package var experiment: String
    /// Whether the experiment declares `compare:`; when not, `snippet` says how.
    package var declared: Bool
    package var snippet: String?
    package var groupAxes: [String]
    package var groups: [String]
    package var replicateAxes: [String]
    package var replicates: [String]
    /// The chosen group and replicate (`all`: every replicate).
    package var group: String
    package var replicate: String
    package var columns: [ComparisonGrid.Column]
    package var rows: [Row]
    package var total: Int
    package var offset: Int
    package var notes: [String]
}
