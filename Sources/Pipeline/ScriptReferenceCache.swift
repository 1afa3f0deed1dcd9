import Foundation

/// Remembers scanned script references across runs (the ledger's `script_references` table), keyed by
/// scanner and content hash.
package protocol ScriptReferenceStore: AnyObject {
    func loadScriptReferences() throws -> [String: ScriptReferences]
    func saveScriptReferences(_ references: [String: ScriptReferences]) throws
}

/// The references of workspace scripts, read and scanned once per content. Together with the
/// `ContentHasher`'s stat cache this means a script whose inode, size and mtime are unchanged is
/// neither read nor parsed again: its hash comes from `file_state`, its references from here.
package final class ScriptReferenceCache {
    private let store: ScriptReferenceStore?
    private var known: [String: ScriptReferences]?
    private var updated: [String: ScriptReferences] = [:]
    /// Scripts actually read and scanned since creation (tests assert on it).
    package private(set) var filesScanned = 0

    package init(store: ScriptReferenceStore?) {
        self.store = store
    }

    /// The references of the script at `path` whose content hash is `hash`.
    package func references(path: String, hash: String, language: ScriptLanguage) throws -> ScriptReferences {
        let key = language.scannerID + ":" + hash
        if known == nil { known = try store?.loadScriptReferences() ?? [:] }
        if let cached = known?[key] { return cached }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HashError(path: path, message: "cannot read the script")
        }
        let references = ScriptReferences.scan(Array(data), as: language)
        filesScanned += 1
        known?[key] = references
        updated[key] = references
        return references
    }

    /// Writes newly scanned references back to the store.
    package func flush() throws {
        let pending = updated
        updated = [:]
        guard !pending.isEmpty else { return }
        try store?.saveScriptReferences(pending)
    }
}

extension Ledger: ScriptReferenceStore {
    package func loadScriptReferences() throws -> [String: ScriptReferences] {
        let decoder = JSONDecoder()
        var references: [String: ScriptReferences] = [:]
        for row in try db.query("SELECT key, refs FROM script_references") {
            guard let key = row[0].text, let text = row[1].text,
                  let value = try? decoder.decode(ScriptReferences.self, from: Data(text.utf8)) else { continue }
            references[key] = value
        }
        return references
    }

    package func saveScriptReferences(_ references: [String: ScriptReferences]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try db.transaction {
            for (key, value) in references {
                let text = String(decoding: try encoder.encode(value), as: UTF8.self)
                try db.query("INSERT OR REPLACE INTO script_references(key, refs) VALUES (?, ?)", [.text(key), .text(text)])
            }
        }
    }
}
