/// One problem found in a spec, with where it is and which key path it concerns.
public struct SpecDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var keyPath: String
    public var message: String
    /// A warning does not stop the experiment from running (a `cmd` whose metrics are undeclared).
    public var isWarning = false

    public init(_ location: SourceLocation, keyPath: String, _ message: String, warning: Bool = false) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.isWarning = warning
    }

    public var description: String {
        let severity = isWarning ? "warning" : "error"
        return keyPath.isEmpty ? "\(location): \(severity): \(message)" : "\(location): \(severity): \(keyPath): \(message)"
    }
}

/// Every problem found while loading a spec; validation collects them all before failing.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [SpecDiagnostic]

    public init(_ diagnostics: [SpecDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
