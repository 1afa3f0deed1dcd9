/// Suggests the closest known word for a misspelt one.
enum DidYouMean {
    /// " (did you mean 'x'?)" when a candidate is close enough, otherwise "".
    static func suffix(for word: String, in candidates: [String]) -> String {
        guard let best = candidates.min(by: { distance(word, $0) < distance(word, $1) }) else { return "" }
        let d = distance(word, best)
        return d <= max(2, word.count / 3) ? " (did you mean '\(best)'?)" : ""
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
