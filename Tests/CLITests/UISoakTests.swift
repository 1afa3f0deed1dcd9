import Foundation
import TestSupport
import XCTest

/// The live view's soak as a user has it: `pleinair ui` in its own process, `pleinair run` writing the
/// ledger from other processes (about a run a second), and 50 clients (this process) polling every page and a stored file.
/// The view's memory and descriptors are read from its own `/proc/PID`, so the writer and the clients
/// are not in the figure. Asserted: every request answered, no descriptor left open in the view; the
/// RSS is printed. `scripts/ui-abuse.sh` runs it for 10 minutes (PLEINAIR_UI_ABUSE_SOAK_SECONDS);
/// PLEINAIR_UI_ABUSE_SAMPLE_SECONDS=N prints the view's RSS and threads every N seconds.
final class UISoakTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    static func setting(_ name: String, _ fallback: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
    }

    /// A field of `/proc/PID/status` (`VmRSS`, `Threads`): its first number.
    static func status(_ pid: Int32, _ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
    }

    static func residentBytes(_ pid: Int32) -> Int { status(pid, "VmRSS") * 1024 }

    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        private(set) var requests = 0
        private(set) var errors: [String] = []
        var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }
        func stop() { lock.lock(); running = false; lock.unlock() }
        func add(_ error: String?) { lock.lock(); requests += 1; if let error, errors.count < 20 { errors.append(error) }; lock.unlock() }
    }

    /// Two stages over a matrix of two, rerun each round by `--set round=N`; `paint` writes a series.
    static let spec = """
        experiment: soak
        vars: {round: 0}
        matrix: {part: [a, b]}
        stages:
          paint:
            kind: cmd
            foreach: part
            params: {round: "${round}"}
            cmd: "head -c 200000 /dev/zero > ${outputs.image} && echo '{\\"loss\\": [0.5, 0.4, ${params.round}]}' > ${metrics}"
            outputs: {image: file}
            metric_names: [loss]
          score:
            kind: cmd
            foreach: part
            inputs: {in: paint.image}
            cmd: "wc -c < ${inputs.in} > ${outputs.count}"
            outputs: {count: file}

        """

    func testFiftyPollingClientsWhileRunsWriteLeaveTheViewWithoutErrorsOrDescriptorLeaks() throws {
        let seconds = Double(Self.setting("PLEINAIR_UI_ABUSE_SOAK_SECONDS", 30))
        try cli.write("soak.yaml", Self.spec)
        let first = try cli.run(["run", "soak.yaml"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let folder = cli.workspace.appendingPathComponent("artifacts/cache/feed0001/out")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 300_000).write(to: folder.appendingPathComponent("image.png"))
        let (view, url) = try cli.startUI([])
        defer { view.terminate(); view.waitUntilExit() }
        let port = try XCTUnwrap(url.port), pid = view.processIdentifier
        let token = try XCTUnwrap(url.queryItems?.first { $0.name == "token" }?.value)
        let paths = ["/api/run?run=1", "/api/experiments", "/api/metrics?run=1", "/api/stage?run=1&stage=paint@a",
                     "/files/feed0001/out/image.png", "/"]
        for path in paths {  // each page answers before the soak starts, so an error in the soak is the soak's
            let reply = try HTTPClient.request(port: port, target: path + (path.contains("?") ? "&" : "?") + "token=\(token)")
            XCTAssertEqual(reply.status, 200, "\(path): \(reply.text)")
        }
        usleep(500_000)
        let descriptors = Self.openDescriptors(pid)
        let tally = Tally(), group = DispatchGroup()
        for client in 0..<Self.setting("PLEINAIR_UI_ABUSE_SOAK_CLIENTS", 50) {
            group.enter()
            Thread {
                defer { group.leave() }
                usleep(useconds_t(client * 20_000))
                var round = 0
                while tally.isRunning {
                    let path = paths[(client + round) % paths.count]
                    do {
                        let reply = try HTTPClient.request(port: port, target: path + (path.contains("?") ? "&" : "?") + "token=\(token)")
                        tally.add(reply.status == 200 ? nil : "\(path): \(reply.status) \(reply.text.prefix(200))")
                    } catch {
                        tally.add("\(path): \(error)")
                    }
                    round += 1
                    usleep(1_000_000)
                }
            }.start()
        }
        let began = Date()
        var runs = 0, warm = 0, samples: [Int] = []
        let every = Double(Self.setting("PLEINAIR_UI_ABUSE_SAMPLE_SECONDS", 0))
        var nextSample = every
        while Date().timeIntervalSince(began) < seconds {
            let elapsed = Date().timeIntervalSince(began)
            if every > 0 && elapsed >= nextSample {
                nextSample += every
                print(String(format: "ui-abuse sample: %4.0f s, %4d runs, %d requests; view RSS %.1f MB (anonymous %.1f, files %.1f, shared %.1f), "
                             + "%d threads, %d descriptors", elapsed, runs, tally.requests, Double(Self.residentBytes(pid)) / 1e6,
                             Double(Self.status(pid, "RssAnon")) / 1e3, Double(Self.status(pid, "RssFile")) / 1e3,
                             Double(Self.status(pid, "RssShmem")) / 1e3, Self.status(pid, "Threads"), Self.openDescriptors(pid)))
            }
            runs += 1
            let started = Date()
            let run = try cli.run(["run", "soak.yaml", "--set", "round=\(runs)"])
            XCTAssertEqual(run.status, 0, run.stderr)
            // About a run a second, as a training run's stages land: the ledger grows as a researcher's does.
            usleep(useconds_t(max(0, 1 - Date().timeIntervalSince(started)) * 1e6))
            samples.append(Self.residentBytes(pid))
            if warm == 0 && Date().timeIntervalSince(began) > seconds / 3 { warm = samples.last! }
        }
        tally.stop()
        group.wait()
        let last = samples.last ?? 0
        usleep(3_000_000)  // connections finishing their lingering close
        let after = Self.openDescriptors(pid)
        // The highest sample after warm-up too: a plateau's noise (thread stacks, the allocator between trims) versus a climb.
        let peak = samples.suffix(from: samples.firstIndex(of: warm) ?? samples.count).max() ?? 0
        print(String(format: "ui-abuse soak (the view's own process): %.0f s, %d runs, %d requests, %d errors; RSS after warm-up %.1f MB, "
                     + "at the end %.1f MB (%+.1f%%), highest after warm-up %.1f MB; descriptors %d at the start, %d at the end",
                     seconds, runs, tally.requests, tally.errors.count, Double(warm) / 1e6, Double(last) / 1e6,
                     warm > 0 ? Double(last - warm) / Double(warm) * 100 : 0, Double(peak) / 1e6, descriptors, after))
        XCTAssertEqual(tally.errors, [], "every request answered")
        XCTAssertGreaterThan(tally.requests, 50)
        XCTAssertEqual(after, descriptors, "no descriptor left open in the view")
        XCTAssertTrue(view.isRunning, "the view still serving")
    }
}
