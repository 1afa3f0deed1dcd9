/// Suggests the closest known word for a misspelt one.
package enum DidYouMean {
    /// " (did you mean 'x'?)" when a candidate is close enough, otherwise "". The word itself is
    /// never suggested (it is known, so the problem lies elsewhere).
    package static func suffix(for word: String, in candidates: [String]) -> String {
        closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// The candidate close enough to `word` to be what was meant, other than `word` itself.
    package static func closest(to word: String, in candidates: [String]) -> String? {
        guard let best = candidates.filter({ $0 != word }).min(by: { distance(word, $0) < distance(word, $1) }) else { return nil }
        return distance(word, best) <= max(2, word.count / 3) ? best : nil
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
