import Foundation
import Pipeline

/// Reads the metrics JSON a `cmd` stage writes: numbers become metrics, lists of numbers become
/// series with steps 0, 1, …, nested objects are flattened with dots (booleans count as 0 and 1).
enum MetricsFile {
    static func read(_ url: URL) throws -> [Metric] {
        let data = try Data(contentsOf: url)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StageFailure.message("metrics file \(url.lastPathComponent) is not a JSON object")
        }
        var metrics: [Metric] = []
        flatten(object, prefix: "", into: &metrics)
        return metrics
    }

    private static func flatten(_ object: [String: Any], prefix: String, into metrics: inout [Metric]) {
        for key in object.keys.sorted() {
            let name = prefix + key
            switch object[key] {
            case let number as NSNumber:
                metrics.append(Metric(name: name, value: number.doubleValue))
            case let list as [Any]:
                for (step, item) in list.enumerated() {
                    if let n = item as? NSNumber { metrics.append(Metric(name: name, value: n.doubleValue, step: step)) }
                }
            case let nested as [String: Any]:
                flatten(nested, prefix: name + ".", into: &metrics)
            default:
                break
            }
        }
    }
}
