import Foundation
import Pipeline

/// Reads the metrics JSON a `cmd` stage writes: numbers become metrics, lists of numbers become
/// series with steps 0, 1, …, nested objects are flattened with dots (booleans count as 0 and 1).
/// Numbers are decoded as exact doubles (Foundation's JSONSerialization on Linux goes through
/// NSDecimalNumber and loses the last digits).
enum MetricsFile {
    static func read(_ url: URL) throws -> [Metric] {
        let data = try Data(contentsOf: url)
        guard case .object(let object)? = try? JSONDecoder().decode(Value.self, from: data) else {
            throw StageFailure.message("metrics file \(url.lastPathComponent) is not a JSON object")
        }
        var metrics: [Metric] = []
        flatten(object, prefix: "", into: &metrics)
        return metrics
    }

    private static func flatten(_ object: [String: Value], prefix: String, into metrics: inout [Metric]) {
        for key in object.keys.sorted() {
            let name = prefix + key
            switch object[key] {
            case .number(let value)?:
                metrics.append(Metric(name: name, value: value))
            case .list(let items)?:
                for (step, item) in items.enumerated() {
                    if case .number(let value) = item { metrics.append(Metric(name: name, value: value, step: step)) }
                }
            case .object(let nested)?:
                flatten(nested, prefix: name + ".", into: &metrics)
            default:
                break
            }
        }
    }

    /// A JSON value with numbers as doubles.
    enum Value: Decodable {
        case number(Double), list([Value]), object([String: Value]), other

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let bool = try? container.decode(Bool.self) {
                self = .number(bool ? 1 : 0)
            } else if let list = try? container.decode([Value].self) {
                self = .list(list)
            } else if let object = try? container.decode([String: Value].self) {
                self = .object(object)
            } else {
                self = .other
            }
        }
    }
}
