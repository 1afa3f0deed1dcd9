/// One problem found in a spec, with where it is and which key path it concerns.
public struct SpecDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var keyPath: String
    public var message: String

    public init(_ location: SourceLocation, keyPath: String, _ message: String) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.isEmpty ? "\(location): error: \(message)" : "\(location): error: \(keyPath): \(message)"
    }
}

/// Every problem found while loading a spec; validation collects them all before failing.
public struct SpecError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [SpecDiagnostic]

    public init(_ diagnostics: [SpecDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
