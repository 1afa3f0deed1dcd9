import Foundation
import TestSupport
import XCTest

/// A generated study sheet in a real headless browser (Debian's chromium): keyboard answers, the
/// page's own CSV download, and `pleinair study ingest` on what it produced.
final class StudyBrowserTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws { cli = try CLIHarness() }
    override func tearDown() { cli.cleanUp() }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func requireChromium() throws -> String {
        try Requirement.chromium.check(Self.chromium != nil, "no chromium binary (apt-get install chromium)", in: self)
        return Self.chromium!
    }

    let spec = """
        experiment: study_browser
        stages:
          scenes:
            kind: demo_scenes
            params: {train_count: 1, test_count: 4, size: 24, seed: 2, styles: [impressionist]}
          study:
            kind: user_study
            inputs:
              paintings: scenes.data/impressionist/test
              baseline: scenes.data/impressionist/test
              method: scenes.data/impressionist/test_truth
              real: scenes.data/photos/test
            params: {raters: 2, trials_per_study: 2, attention_checks: 2, base_size: 48, exposure_ms: 2000, artist: impressionist}
        """

    struct Trial: Decodable {
        var trialID: String
        var role: String
        var oursSide: Int?
        var expectedSide: Int?
    }

    struct Sheet: Decodable {
        var sheetID: String
        var trials: [Trial]
    }

    struct Key: Decodable {
        var sheets: [Sheet]
    }

    /// The DOM of `page` after chromium ran it headless for `budget` ms of virtual time with the autotest fragment.
    func dumpDOM(_ chromium: String, page: URL, digits: String, budget: Int = 20000) throws -> String {
        let profile = cli.workspace.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                             "--virtual-time-budget=\(budget)", "--dump-dom", page.absoluteString + "#autotest=\(digits)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return dom
    }

    /// Opens `page` headless, presses the keys for `digits`, and returns the CSV the page's download link served.
    func answerInBrowser(_ chromium: String, page: URL, digits: String) throws -> (csv: String, filename: String) {
        let dom = try dumpDOM(chromium, page: page, digits: digits)
        guard let start = dom.range(of: "<pre id=\"autotest-csv\" data-filename=\""),
              let close = dom.range(of: "\">", range: start.upperBound..<dom.endIndex),
              let end = dom.range(of: "</pre>", range: close.upperBound..<dom.endIndex) else {
            XCTFail("the page produced no CSV; DOM tail: \(dom.suffix(600))")
            return ("", "")
        }
        return (String(dom[close.upperBound..<end.lowerBound]), String(dom[start.upperBound..<close.lowerBound]))
    }

    func testKeyboardAnswersInChromiumAreDownloadedAsCSVAndIngested() throws {
        let chromium = try requireChromium()
        try cli.write("study.yaml", spec)
        let run = try cli.run(["run", "study.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let view = cli.workspace.appendingPathComponent("artifacts/views/study_browser/study")
        let key = try JSONDecoder().decode(Key.self, from: Data(contentsOf: view.appendingPathComponent("key")))
        XCTAssertEqual(key.sheets.count, 2)

        // Rater 1 passes the attention checks and always picks the method's image.
        let digits = key.sheets[0].trials.map { String($0.expectedSide ?? $0.oursSide!) }.joined()
        let (csv, filename) = try answerInBrowser(chromium, page: view.appendingPathComponent("sheets/rater-01.html"), digits: digits)
        XCTAssertEqual(filename, "answers-\(key.sheets[0].sheetID).csv")
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + key.sheets[0].trials.count, csv)
        XCTAssertEqual(lines.dropFirst().map { String($0.split(separator: ",")[1]) }, key.sheets[0].trials.map(\.trialID),
                       "one answer per trial, in page order")
        XCTAssertEqual(lines.dropFirst().map { String($0.split(separator: ",")[2]) }.joined(), digits, "the keys pressed are the choices")
        let answers = cli.workspace.appendingPathComponent(filename)
        try csv.write(to: answers, atomically: true, encoding: .utf8)
        let ingest = try cli.run(["study", "ingest", answers.path])
        XCTAssertEqual(ingest.status, 0, ingest.stderr)
        XCTAssertTrue(ingest.stdout.contains("accepted sheet \(key.sheets[0].sheetID): 12 answers, 2 attention checks passed"), ingest.stdout)
        XCTAssertTrue(ingest.stdout.contains("1 accepted, 0 excluded, 0 rejected"), ingest.stdout)
        XCTAssertNotNil(ingest.stdout.range(of: "impressionist +realism +[0-9a-f]{12} +2 +2 +1.000", options: .regularExpression), ingest.stdout)

        // The figures reach `pleinair results`.
        let results = try cli.run(["results", "study.yaml", "--format", "csv"])
        XCTAssertEqual(results.status, 0, results.stderr)
        XCTAssertTrue(results.stdout.contains("study.realism.ours,1"), results.stdout)
        XCTAssertTrue(results.stdout.contains("study.sheets_accepted,1"), results.stdout)

        // Rater 2's file, tampered with: one trial id changed.
        let digits2 = key.sheets[1].trials.map { String($0.expectedSide ?? $0.oursSide!) }.joined()
        let (csv2, filename2) = try answerInBrowser(chromium, page: view.appendingPathComponent("sheets/rater-02.html"), digits: digits2)
        let victim = key.sheets[1].trials[3].trialID
        let tampered = cli.workspace.appendingPathComponent(filename2)
        try csv2.replacingOccurrences(of: victim, with: "t0123456789abcdef").write(to: tampered, atomically: true, encoding: .utf8)
        let rejected = try cli.run(["study", "ingest", tampered.path])
        XCTAssertEqual(rejected.status, 1)
        XCTAssertTrue(rejected.stderr.contains("rejected:"), rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("line 5: trial id 't0123456789abcdef' is not on sheet \(key.sheets[1].sheetID)"), rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("incomplete: 11 of 12 trials answered; missing \(victim)"), rejected.stderr)
        XCTAssertTrue(rejected.stdout.contains("0 accepted, 0 excluded, 1 rejected"), rejected.stdout)
    }

    func testImagesHideWhenTheExposureTimeRunsOut() throws {
        let chromium = try requireChromium()
        try cli.write("study.yaml", spec)
        XCTAssertEqual(try cli.run(["run", "study.yaml"]).status, 0)
        let page = cli.workspace.appendingPathComponent("artifacts/views/study_browser/study/sheets/rater-01.html")
        // exposure_ms is 2000: still visible after 1 s of virtual time, masked after 8 s (a margin for decoding).
        let early = try dumpDOM(chromium, page: page, digits: "", budget: 1000)
        XCTAssertTrue(early.contains("<div id=\"trial\" class=\"\">") || early.contains("<div id=\"trial\">"), String(early.prefix(3000)))
        let late = try dumpDOM(chromium, page: page, digits: "", budget: 8000)
        XCTAssertTrue(late.contains("<div id=\"trial\" class=\"masked\">"), String(late.prefix(3000)))
        XCTAssertTrue(late.contains("Trial <span id=\"count\">1</span> of <span id=\"total\">12</span>"), "progress is shown")
    }
}
