/// One problem found in a spec, with where it is and which key path it concerns.
package struct SpecDiagnostic: Hashable, Sendable, CustomStringConvertible {
    package var location: SourceLocation
    package var keyPath: String
    package var message: String
    /// A warning does not stop the experiment from running (a `cmd` whose metrics are undeclared).
    package var isWarning = false

    package init(_ location: SourceLocation, keyPath: String, _ message: String, warning: Bool = false) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.isWarning = warning
    }

    package var description: String {
        let severity = isWarning ? "warning" : "error"
        return keyPath.isEmpty ? "\(location): \(severity): \(message)" : "\(location): \(severity): \(keyPath): \(message)"
    }
}

/// Every problem found while loading a spec; validation collects them all before failing.
package struct SpecError: Error, Sendable, CustomStringConvertible {
    package var diagnostics: [SpecDiagnostic]

    package init(_ diagnostics: [SpecDiagnostic]) { self.diagnostics = diagnostics }

    package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
