import Foundation
import TestSupport
import Pipeline

/// Counts stage runs per instance id, across threads.
final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    private var active = 0
    /// The most stages that ran at the same time.
    private(set) var maxActive = 0

    func hit(_ id: String) { lock.lock(); counts[id, default: 0] += 1; lock.unlock() }
    func enter() { lock.lock(); active += 1; maxActive = max(maxActive, active); lock.unlock() }
    func leave() { lock.lock(); active -= 1; lock.unlock() }
    var total: Int { lock.lock(); defer { lock.unlock() }; return counts.values.reduce(0, +) }
    func count(_ id: String) -> Int { lock.lock(); defer { lock.unlock() }; return counts[id] ?? 0 }
    func reset() { lock.lock(); counts = [:]; lock.unlock() }
}

/// `toy`: writes its `value` param and its input's bytes to `out`; reports `value` as a metric.
struct ToyStage: Stage {
    let counter: RunCounter
    var version = 1

    var descriptor: StageDescriptor {
        StageDescriptor(kind: "toy", version: version, summary: "test stage",
                        params: [ParamSpec("value", .number, default: .double(1), doc: "a number"),
                                 ParamSpec("tag", .string, default: .string(""), doc: "a label that makes instances differ"),
                                 ParamSpec("fail", .bool, default: .bool(false), doc: "throw instead"),
                                 ParamSpec("sleep", .number, default: .double(0), doc: "seconds to wait, checking cancellation"),
                                 ParamSpec("model", .string, default: .string("none"), doc: "none, or a file the stage would read",
                                           fileUnless: ["none"])],
                        inputs: [("in", false)], outputs: ["out"])
    }

    func run(_ context: StageContext) throws -> StageResult {
        counter.hit(context.stageID)
        counter.enter()
        defer { counter.leave() }
        if context.params["fail"]?.boolValue == true { throw StageFailure.message("asked to fail") }
        let deadline = Date().addingTimeInterval(context.params["sleep"]?.doubleValue ?? 0)
        while Date() < deadline {
            try context.checkCancelled()
            usleep(10_000)
        }
        var data = Data("value=\(context.params["value"]!) tag=\(context.params["tag"]!)\n".utf8)
        if let input = context.inputs["in"] {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder)
            if !isFolder.boolValue { data.append(try Data(contentsOf: input)) }
        }
        try data.write(to: context.outputs["out"]!)
        return StageResult(metrics: [Metric(name: "value", value: context.params["value"]!.doubleValue!),
                                     Metric(name: "loss", value: 2, step: 0), Metric(name: "loss", value: 1, step: 1)])
    }
}

/// Records what the observer heard.
final class RecordingObserver: RunObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [String] = []

    private func add(_ e: String) { lock.lock(); events.append(e); lock.unlock() }
    func stageCached(_ id: String) { add("cached \(id)") }
    func stageStarted(_ id: String, reason: RunReason) { add("started \(id) \(reason)") }
    func stageSucceeded(_ id: String, seconds: Double) { add("succeeded \(id)") }
    func stageFailed(_ id: String, error: String, log: String?) { add("failed \(id)") }
    func stageSkipped(_ id: String, because: String) { add("skipped \(id)") }
    func stageInterrupted(_ id: String) { add("interrupted \(id)") }
    func progress(_ id: String, fraction: Double, message: String) {}
}

/// A temporary workspace with a runner over toy stages.
final class TestWorkspace {
    let root: URL
    let counter = RunCounter()
    var version = 1

    init() throws {
        root = TemporaryFolder.url("pleinair-test")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            for case let p as String in walker { chmod(root.appendingPathComponent(p).path, 0o755) }
        }
        try? FileManager.default.removeItem(at: root)
    }

    func runner() throws -> Runner {
        try Runner(workspace: Workspace(root: root), stages: [ToyStage(counter: counter, version: version)])
    }

    func write(_ name: String, _ text: String) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
        return url
    }

    /// Loads the spec text (written to `name`) and runs it.
    @discardableResult
    func run(_ name: String = "exp.yaml", _ options: RunOptions = RunOptions(), runner given: Runner? = nil) throws -> RunSummary {
        let runner = try given ?? self.runner()
        let experiment = try runner.load(root.appendingPathComponent(name).path)
        return try runner.run(experiment, options: options, observer: RecordingObserver()).summary!
    }

    func plan(_ name: String = "exp.yaml") throws -> Plan {
        let runner = try self.runner()
        return try runner.plan(try runner.load(root.appendingPathComponent(name).path))
    }
}

/// The matrix experiment most tests use: a shared `prep`, then `train` and `eval` per artist.
let matrixSpec = """
experiment: toys
matrix:
  artist: [monet, cezanne, vangogh]
stages:
  prep:
    kind: toy
    inputs: {in: data/raw.txt}
  train:
    kind: toy
    foreach: artist
    inputs: {in: prep.out}
    params: {value: 2, tag: "${matrix.artist}"}
  eval:
    kind: toy
    foreach: artist
    inputs: {in: train.out}
    params: {tag: "${matrix.artist}"}

"""
