/// Recall of an approximate search against exact search over the same vectors.
///
/// Real photographs contain near-identical patches (flat sky), so equal distances are common: a
/// result counts as found when its distance is within a relative tolerance of the exact one, not
/// only when the labels match.
public struct RetrievalRecall: Sendable, Equatable {
    /// Fraction of queries whose approximate first result is a true nearest neighbour.
    public var atOne: Double
    /// Mean fraction of the exact k nearest that the approximate k results match.
    public var atK: Double
    public var k: Int

    /// Compares `approximate` with `exact` (both for the same queries and the same k).
    public static func measure(approximate: Neighbors, exact: Neighbors, tolerance: Float = 1e-5) -> RetrievalRecall {
        precondition(approximate.k == exact.k && approximate.labels.count == exact.labels.count,
                     "recall needs results for the same queries and k")
        let k = exact.k, n = exact.queryCount
        guard n > 0 else { return RetrievalRecall(atOne: 1, atK: 1, k: k) }
        func within(_ d: Float, _ bound: Float) -> Bool { d <= bound + tolerance * max(Swift.abs(bound), 1) }
        var hitsAtOne = 0, hitsAtK = 0
        for q in 0..<n {
            let base = q * k
            let a = approximate.labels[base], e = exact.labels[base]
            if a >= 0, a == e || within(approximate.distances[base], exact.distances[base]) { hitsAtOne += 1 }
            // The exact k-th distance bounds every true k-nearest neighbour; ties count as found.
            let exactSet = Set(exact.labels[base..<(base + k)].filter { $0 >= 0 })
            let bound = exact.distances[base + k - 1]
            var found = 0
            for j in 0..<k {
                let label = approximate.labels[base + j]
                if label >= 0, exactSet.contains(label) || within(approximate.distances[base + j], bound) { found += 1 }
            }
            hitsAtK += min(found, k)
        }
        return RetrievalRecall(atOne: Double(hitsAtOne) / Double(n), atK: Double(hitsAtK) / Double(n * k), k: k)
    }
}
