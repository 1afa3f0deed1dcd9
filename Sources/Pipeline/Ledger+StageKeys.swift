/// Stage keys stored once per fingerprint (the `stage_keys` table, migration 6).
///
/// A fingerprint is the SHA-256 of its key's stable text, so one fingerprint has one key and one
/// JSON. Rows that repeat a key run after run (cached and skipped executions, run plans) leave
/// their own `key_json` '' and are read through `keyJSON(of:)`; a no-op rerun then encodes and
/// writes no JSON at all for fingerprints it has seen before.
extension Ledger {
    /// How many fingerprints one lookup binds (SQLite allows 32,766 variables; small statements
    /// stay in the statement cache).
    static let keyLookupChunk = 500

    /// Stores the key of each stage whose fingerprint `stage_keys` lacks. Call inside the
    /// transaction that writes the rows referring to them, so none ever lacks its key.
    func storeKeys(_ stages: [PlannedStage]) throws {
        var missing = Set(stages.map(\.fingerprint))
        let fingerprints = Array(missing)
        for start in stride(from: 0, to: fingerprints.count, by: Self.keyLookupChunk) {
            let chunk = fingerprints[start..<min(start + Self.keyLookupChunk, fingerprints.count)]
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try db.query("SELECT fingerprint FROM stage_keys WHERE fingerprint IN (\(placeholders))", chunk.map(SQLValue.text)) {
                if let known = row[0].text { missing.remove(known) }
            }
        }
        guard !missing.isEmpty else { return }
        var rows: [[SQLValue]] = []
        for stage in stages where missing.remove(stage.fingerprint) != nil {
            rows.append([.text(stage.fingerprint), .text(stage.key.json)])
        }
        try db.execute("INSERT OR IGNORE INTO stage_keys(fingerprint, key_json) VALUES (?, ?)", rows: rows)
    }
}
