import Foundation
import Pipeline
import TestSupport
import UI
import XCTest

/// `work`: a stage for the live view's tests. It reports `steps` series points (waiting
/// `step_seconds` after each, with progress), burns `spin` million rounds of arithmetic, writes
/// `images` PNG files into `out` (a folder then; a file otherwise), and reports `value`.
struct WorkStage: Stage {
    var descriptor: StageDescriptor {
        StageDescriptor(kind: "work", version: 1, summary: "test stage for the live view",
                        params: [ParamSpec("value", .number, default: .double(1), doc: "the metric reported"),
                                 ParamSpec("tag", .string, default: .string(""), doc: "a label (and the images' colour)"),
                                 ParamSpec("steps", .number, default: .double(0), doc: "series points to report"),
                                 ParamSpec("step_seconds", .number, default: .double(0), doc: "wait after each point"),
                                 ParamSpec("spin", .number, default: .double(0), doc: "millions of rounds of arithmetic"),
                                 ParamSpec("images", .number, default: .double(0), doc: "PNG files to write")],
                        inputs: [("in", false)], outputs: ["out"])
    }

    func run(_ context: StageContext) throws -> StageResult {
        let scheduled = SchedStat.thread()
        defer {
            if let scheduled, let now = SchedStat.thread() { SchedStat.stages.add(from: scheduled, to: now) }
        }
        let steps = Int(context.params["steps"]?.doubleValue ?? 0)
        let pause = context.params["step_seconds"]?.doubleValue ?? 0
        let tag = context.params["tag"]?.stringValue ?? ""
        var metrics: [Metric] = []
        context.log.write("work \(tag): \(steps) steps")
        for step in 0..<steps {
            try context.checkCancelled()
            let loss = 1 / Double(step + 1)
            context.log.series("loss", step: step, value: loss)
            metrics.append(Metric(name: "loss", value: loss, step: step))
            context.log.progress(Double(step + 1) / Double(steps), "step \(step + 1)/\(steps)")
            if pause > 0 { usleep(useconds_t(pause * 1_000_000)) }
        }
        var x: UInt64 = 1
        for _ in 0..<Int((context.params["spin"]?.doubleValue ?? 0) * 1_000_000) { x = x &* 6364136223846793005 &+ 1442695040888963407 }
        let out = context.outputs["out"]!
        let images = Int(context.params["images"]?.doubleValue ?? 0)
        if images > 0 {
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let colour = TinyPNG.colour(for: tag)
            for i in 0..<images {
                try TinyPNG.gradient(width: 48, height: 32, colour: colour, shift: i * 40)
                    .write(to: out.appendingPathComponent(String(format: "img_%02d.png", i)))
            }
        } else {
            try Data("tag=\(tag) \(x % 2)\n".utf8).write(to: out)
        }
        context.log.write("work \(tag): done")
        return StageResult(metrics: metrics + [Metric(name: "value", value: context.params["value"]!.doubleValue!)])
    }
}

/// Hears nothing: the tests read the ledger, as the view does.
final class QuietObserver: RunObserver, @unchecked Sendable {
    func stageCached(_ id: String) {}
    func stageStarted(_ id: String, reason: RunReason) {}
    func stageSucceeded(_ id: String, seconds: Double) {}
    func stageFailed(_ id: String, error: String, log: String?) {}
    func stageSkipped(_ id: String, because: String) {}
    func stageInterrupted(_ id: String) {}
    func progress(_ id: String, fraction: Double, message: String) {}
}

/// An experiment with a painting stage, a translation per method and a score per method.
let liveSpec = """
    experiment: live
    matrix:
      method: [cyclegan, ours]
    stages:
      paint:
        kind: work
        params: {images: 3, tag: painting}
      translate:
        kind: work
        foreach: method
        inputs: {in: paint.out}
        params: {images: 3, tag: "${matrix.method}", steps: 20, value: 2}
      score:
        kind: work
        foreach: method
        inputs: {in: translate.out}
        params: {tag: "${matrix.method}", value: 0.5}

    """

/// A temporary workspace, its runs, and the live view serving it on a free loopback port.
final class LiveWorkspace {
    let root: URL
    let workspace: Workspace
    let token = UIToken.random()
    private(set) var server: HTTPServer?
    /// The stage kinds runs and the view know.
    var stages: [any Stage] = [WorkStage()]

    init() throws {
        root = TemporaryFolder.url("pleinair-ui")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        workspace = Workspace(root: root)
    }

    deinit {
        server?.stop()
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            for case let p as String in walker { chmod(root.appendingPathComponent(p).path, 0o755) }
        }
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ name: String, _ text: String) throws {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    /// Runs `file` to the end (from this thread) and returns the run's summary.
    @discardableResult
    func run(_ file: String = "live.yaml", jobs: Int = 1) throws -> RunSummary {
        let runner = try Runner(workspace: workspace, stages: stages)
        var options = RunOptions()
        options.jobs = jobs
        let (_, summary) = try runner.run(try runner.load(root.appendingPathComponent(file).path), options: options, observer: QuietObserver())
        return summary!
    }

    /// Starts the view; its port is `port`. With `namedThumbnails`, a thumbnail is a text naming its
    /// file (the tests see which file the grid asked for, without a codec); otherwise `/thumbs/`
    /// serves the image itself, as `pleinair ui` does for a file it cannot decode.
    func serve(namedThumbnails: Bool = true, host: String = "127.0.0.1", limits: HTTPServer.Limits = .init()) throws {
        let kinds = stages.map(\.descriptor)
        let thumbnails = namedThumbnails
            ? ThumbnailCache { path, side in Data("thumbnail \(side) of \((path as NSString).lastPathComponent)".utf8) } : nil
        let view = LiveView(workspace: workspace, token: token, thumbnails: thumbnails) { try SpecExpander.load($0, kinds: kinds) }
        server = try HTTPServer(host: host, port: 0, limits: limits) { view.respond($0) }
    }

    var port: Int { server!.port }

    /// `GET path` with the token added to its query.
    func get(_ path: String) throws -> HTTPClient.Reply {
        try HTTPClient.request(port: port, target: path + (path.contains("?") ? "&" : "?") + "token=\(token.value)")
    }

    /// Decodes a JSON page.
    func json<T: Decodable>(_ type: T.Type, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> T {
        let reply = try get(path)
        XCTAssertEqual(reply.status, 200, reply.text, file: file, line: line)
        return try JSONDecoder().decode(T.self, from: reply.body)
    }

    /// A JSON page while polling: nil until it answers 200 (a run started on another thread may not
    /// be in the ledger yet), and no failure recorded for the answers before that.
    func poll<T: Decodable>(_ type: T.Type, _ path: String) -> T? {
        guard let reply = try? get(path), reply.status == 200 else { return nil }
        return try? JSONDecoder().decode(T.self, from: reply.body)
    }
}

/// The view in a real headless browser (Debian's chromium).
extension LiveWorkspace {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func address(_ fragment: String) -> String { "http://127.0.0.1:\(port)/?token=\(token.value)#\(fragment)" }

    /// Runs chromium headless on the page for `budget` ms of virtual time; returns the DOM it ends with.
    /// With PLEINAIR_UI_SCREENSHOTS=DIR the page is also saved as DIR/`screenshot`.png.
    func dom(_ chromium: String, _ fragment: String, budget: Int = 4000, screenshot: String? = nil) throws -> String {
        let arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--user-data-dir=\(root.appendingPathComponent("chromium-\(UUID().uuidString)").path)",
                         "--virtual-time-budget=\(budget)", "--window-size=1280,860", "--hide-scrollbars"]
        if let screenshot, let folder = ProcessInfo.processInfo.environment["PLEINAIR_UI_SCREENSHOTS"], !folder.isEmpty {
            _ = try browse(chromium, arguments + ["--screenshot=\(folder)/\(screenshot).png", address(fragment)])
        }
        return try browse(chromium, arguments + ["--dump-dom", address(fragment)])
    }

    private func browse(_ chromium: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
}

/// Small real PNG files (stored deflate blocks), so the image pages show pictures without a codec.
enum TinyPNG {
    static func colour(for tag: String) -> (UInt8, UInt8, UInt8) {
        switch tag {
        case "painting": return (200, 120, 60)
        case "cyclegan": return (60, 140, 200)
        case "ours": return (80, 180, 90)
        default: return (150, 150, 150)
        }
    }

    static func gradient(width: Int, height: Int, colour: (UInt8, UInt8, UInt8), shift: Int) -> Data {
        var raw: [UInt8] = []
        for y in 0..<height {
            raw.append(0)
            for x in 0..<width {
                raw.append(UInt8((Int(colour.0) + x * 2 + shift) % 256))
                raw.append(UInt8((Int(colour.1) + y * 3) % 256))
                raw.append(UInt8((Int(colour.2) + shift / 2) % 256))
            }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65535, raw.count - offset)
            let last: UInt8 = offset + count == raw.count ? 1 : 0
            zlib += [last, UInt8(count & 0xff), UInt8(count >> 8), UInt8(~count & 0xff), UInt8((~count >> 8) & 0xff)]
            zlib += raw[offset..<offset + count]
            offset += count
        } while offset < raw.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in raw { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        zlib += bigEndian((b << 16) | a)
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, 2, 0, 0, 0])
        png += chunk("IDAT", zlib)
        png += chunk("IEND", [])
        return Data(png)
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)] }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        var crc: UInt32 = 0xffffffff
        for byte in body {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1 }
        }
        return bigEndian(UInt32(data.count)) + body + bigEndian(~crc)
    }
}
