/// A value type a stage parameter can hold, with its `ParamType` and its conversion from `ParamValue`.
package protocol ParamDecodable: Sendable {
    static var paramType: ParamType { get }
    init?(param: ParamValue)
    var paramValue: ParamValue { get }
}

/// A typed parameter of a stage kind, declared once: its `spec` feeds validation, `pleinair kinds`
/// and the fingerprint's canonical params; `context.params[Kind.name]` reads it as `Value`.
package struct Param<Value: ParamDecodable>: Sendable {
    package let spec: ParamSpec

    /// `default: nil` makes the parameter required; `fingerprintsDefault: false` keeps the default
    /// out of the fingerprint (`ParamSpec.fingerprintsDefault`).
    package init(_ name: String, default value: Value?, rule: ParamRule? = nil, doc: String, fileUnless: [String]? = nil,
                 fingerprintsDefault: Bool = true) {
        spec = ParamSpec(name, Value.paramType, default: value?.paramValue, doc: doc, fileUnless: fileUnless, rule: rule,
                         fingerprintsDefault: fingerprintsDefault)
    }

    package var name: String { spec.name }
}

extension Dictionary where Key == String, Value == ParamValue {
    /// The parameter's value: the spec loader has checked every declared parameter's type and rule
    /// and filled in defaults, so a value that does not decode is a programmer error.
    package subscript<V>(_ param: Param<V>) -> V {
        if let given = self[param.name] {
            guard let value = V(param: given) else {
                preconditionFailure("parameter '\(param.name)' holds \(given), not \(V.paramType): it was not validated")
            }
            return value
        }
        guard let fallback = param.spec.defaultValue.flatMap(V.init(param:)) else {
            preconditionFailure("required parameter '\(param.name)' is missing: it was not validated")
        }
        return fallback
    }
}

/// A rule a parameter's value must follow beyond its type (a range, a set of allowed values),
/// checked when the spec is loaded.
package struct ParamRule: Sendable, CustomStringConvertible {
    /// How `pleinair kinds` shows it: "≥ 1", "in 64, 192, 768, 2048".
    package let description: String
    private let accepts: @Sendable (ParamValue) -> Bool

    package init(_ description: String, accepts: @escaping @Sendable (ParamValue) -> Bool) {
        self.description = description
        self.accepts = accepts
    }

    /// Nil when `value` follows the rule, otherwise why not.
    package func violation(_ value: ParamValue) -> String? {
        accepts(value) ? nil : "must be \(description), got \(value)"
    }

    /// A number at least `bound` (every element of a list of numbers).
    package static func atLeast(_ bound: Double) -> ParamRule {
        ParamRule("≥ \(show(bound))") { value in numbers(value).allSatisfy { $0 >= bound } }
    }

    /// A number greater than `bound` (every element of a list of numbers).
    package static func above(_ bound: Double) -> ParamRule {
        ParamRule("> \(show(bound))") { value in numbers(value).allSatisfy { $0 > bound } }
    }

    /// A number in `lower...upper` (every element of a list of numbers).
    package static func within(_ lower: Double, _ upper: Double) -> ParamRule {
        ParamRule("in [\(show(lower)), \(show(upper))]") { value in
            numbers(value).allSatisfy { $0 >= lower && $0 <= upper }
        }
    }

    /// An integer (or every element of a list of integers) among `allowed`.
    package static func among(_ allowed: [Int]) -> ParamRule {
        ParamRule("among " + allowed.map(String.init).joined(separator: ", ")) { value in
            numbers(value).allSatisfy { allowed.contains(Int($0)) && Double(Int($0)) == $0 }
        }
    }

    /// A string (or every string of a list) among `options`, for choices known only at run time
    /// such as a catalogue's names or a network's layers.
    package static func oneOf(_ options: [String]) -> ParamRule {
        ParamRule("one of " + options.joined(separator: ", ")) { value in
            if case .list(let items) = value { return items.allSatisfy { $0.stringValue.map(options.contains) ?? true } }
            return value.stringValue.map(options.contains) ?? true
        }
    }

    /// A non-empty list of integers, each among `allowed`.
    package static func nonEmptyAmong(_ allowed: [Int]) -> ParamRule {
        let among = among(allowed)
        return ParamRule("a non-empty list of " + allowed.map(String.init).joined(separator: ", ")) { value in
            nonEmpty.violation(value) == nil && among.violation(value) == nil
        }
    }

    /// A list with at least one element.
    package static let nonEmpty = ParamRule("a non-empty list") { value in
        if case .list(let items) = value { return !items.isEmpty }
        return true
    }

    private static func show(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : "\(d)" }

    private static func numbers(_ value: ParamValue) -> [Double] {
        if case .list(let items) = value { return items.flatMap(numbers) }
        return value.doubleValue.map { [$0] } ?? []
    }
}

/// What a stage kind's configuration check sees: the parameters (defaults filled in, types and
/// rules already checked) and which inputs the stage was given.
package struct StageConfiguration: Sendable {
    package var params: [String: ParamValue]
    package var inputs: Set<String>

    package init(params: [String: ParamValue], inputs: Set<String>) {
        self.params = params
        self.inputs = inputs
    }
}

/// A configuration a stage kind cannot run, found before anything runs; the spec loader reports it
/// at the parameter's (or the stage's) line and column. Stages also throw it if run unchecked.
package struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The parameter the problem is about, nil for the stage as a whole (e.g. missing inputs).
    package var param: String?
    package var message: String

    package init(param: String? = nil, _ message: String) {
        self.param = param
        self.message = message
    }

    package var description: String { message }

    /// The problems `body` throws: a `ConfigurationProblem` as it is, any other error as a stage-wide one.
    package static func collect(_ body: () throws -> Void) -> [ConfigurationProblem] {
        do {
            try body()
            return []
        } catch let problem as ConfigurationProblem {
            return [problem]
        } catch {
            return [ConfigurationProblem("\(error)")]
        }
    }
}

extension Int: ParamDecodable {
    package static var paramType: ParamType { .int }
    package init?(param: ParamValue) { guard let i = param.intValue else { return nil }; self = i }
    package var paramValue: ParamValue { .int(self) }
}

extension Double: ParamDecodable {
    package static var paramType: ParamType { .number }
    package init?(param: ParamValue) { guard let d = param.doubleValue else { return nil }; self = d }
    package var paramValue: ParamValue { .double(self) }
}

extension Bool: ParamDecodable {
    package static var paramType: ParamType { .bool }
    package init?(param: ParamValue) { guard let b = param.boolValue else { return nil }; self = b }
    package var paramValue: ParamValue { .bool(self) }
}

extension String: ParamDecodable {
    package static var paramType: ParamType { .string }
    package init?(param: ParamValue) { guard let s = param.stringValue else { return nil }; self = s }
    package var paramValue: ParamValue { .string(self) }
}

extension Array: ParamDecodable where Element: ParamDecodable {
    package static var paramType: ParamType { .list(Element.paramType) }
    package init?(param: ParamValue) {
        guard case .list(let items) = param else { return nil }
        var out: [Element] = []
        for item in items {
            guard let element = Element(param: item) else { return nil }
            out.append(element)
        }
        self = out
    }
    package var paramValue: ParamValue { .list(map(\.paramValue)) }
}

extension ParamValue: ParamDecodable {
    /// A parameter of structured values (lists of maps) that its kind checks itself.
    package static var paramType: ParamType { .any }
    package init?(param: ParamValue) { self = param }
    package var paramValue: ParamValue { self }
}

/// A parameter whose values are an enumeration's raw values (`one of fail, skip`).
package protocol ParamChoice: ParamDecodable, RawRepresentable, CaseIterable where RawValue == String {}

extension ParamChoice {
    package static var paramType: ParamType { .oneOf(allCases.map(\.rawValue)) }
    package init?(param: ParamValue) {
        guard let text = param.stringValue, let value = Self(rawValue: text) else { return nil }
        self = value
    }
    package var paramValue: ParamValue { .string(rawValue) }
}
