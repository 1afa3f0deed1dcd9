import Foundation

/// A figure `pleinair-bench` reports with the goal it is held to (issue 30's table, or the goal of
/// the issue that introduced the measure), kept in the history file after the run.
struct BenchFigure: Codable, Equatable {
    /// Which way is better: a time or a share of the step (lower), a speed-up or a recall (higher).
    enum Better: String, Codable {
        case lower, higher
    }

    /// A stable name, `GROUP.MEASURE` (`pipeline.noop_1000_ms`): the history matches runs by it.
    var name: String
    var value: Double
    var goal: Double
    var better: Better
    /// Printed after the value and the goal (" ms", "%", " GB", "x"); empty for a plain ratio.
    var unit: String = ""

    var meetsGoal: Bool { better == .lower ? value <= goal : value >= goal }

    /// `goal ≤ 100 ms: met` or `goal ≥ 1.4: NOT met`.
    var goalText: String {
        "goal \(better == .lower ? "≤" : "≥") \(Self.format(goal))\(unit): \(meetsGoal ? "met" : "NOT met")"
    }

    /// A number as a person writes it: no trailing zeros, at most three decimals.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension Bench {
    /// The figures this run reported, in order; main.swift keeps them in the history file.
    private(set) static var figures: [BenchFigure] = []

    /// Records a figure and returns its goal text, to print beside it.
    static func goal(_ name: String, _ value: Double, goal: Double, _ better: BenchFigure.Better, unit: String = "") -> String {
        let figure = BenchFigure(name: name, value: value, goal: goal, better: better, unit: unit)
        figures.append(figure)
        return figure.goalText
    }
}
