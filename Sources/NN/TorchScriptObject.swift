/// A module instance in a TorchScript archive's pickle: its class name (a name only, its code is
/// never run) and the attributes BUILD gives it.
final class TorchScriptObject: PickleStateful {
    let className: String
    /// Attribute names and values in the archive's order.
    private(set) var attributes: [(name: String, value: PickleValue)] = []
    var depth = 1
    var sealed = false
    private var built = false

    init(className: String) { self.className = className }

    /// A state this object cannot have: not a dictionary of named attributes, or a second one.
    struct StateError: Error, CustomStringConvertible {
        let className: String, reason: String
        var description: String { "module of class \(className): \(reason)" }
    }

    func setState(_ state: PickleValue) throws {
        guard !built else { throw StateError(className: className, reason: "built twice") }
        guard case .dict(let d) = state else { throw StateError(className: className, reason: "its state is not a dictionary") }
        var out: [(name: String, value: PickleValue)] = []
        for (key, value) in d.entries {
            guard let name = key.stringValue else { throw StateError(className: className, reason: "an attribute name is not a string") }
            out.append((name, value))
        }
        attributes = out
        built = true
    }
}
