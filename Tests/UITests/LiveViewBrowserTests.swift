import Foundation
import Pipeline
import TestSupport
import UI
import XCTest

/// The pages in a real headless browser (Debian's chromium): what the DOM shows after the page's
/// script fetched its data. With PLEINAIR_UI_SCREENSHOTS=DIR each page is also saved as DIR/NAME.png
/// (how docs/ui-*.png were made).
final class LiveViewBrowserTests: XCTestCase {
    var live: LiveWorkspace!

    override func setUpWithError() throws {
        live = try LiveWorkspace()
        try live.write("live.yaml", liveSpec)
        try live.serve(namedThumbnails: false)
    }

    override func tearDown() { live = nil }

    static var chromium: String? { LiveWorkspace.chromium }

    func requireChromium() throws -> String {
        try Requirement.chromium.check(Self.chromium != nil, "no chromium binary (apt-get install chromium)", in: self)
        return Self.chromium!
    }

    func dom(_ chromium: String, _ fragment: String, budget: Int = 4000, screenshot: String? = nil) throws -> String {
        try live.dom(chromium, fragment, budget: budget, screenshot: screenshot)
    }

    func count(_ pattern: String, in text: String) -> Int {
        (try? NSRegularExpression(pattern: pattern)).map { $0.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) } ?? 0
    }

    func testTheRunListLinksEachRun() throws {
        let chromium = try requireChromium()
        try live.run()
        let page = try dom(chromium, "/", screenshot: "ui-runs")
        XCTAssertTrue(page.contains("href=\"#/run/1\""), String(page.suffix(2000)))
        XCTAssertTrue(page.contains(">succeeded<"))
    }

    func testTheDAGShowsEachStageWithItsState() throws {
        let chromium = try requireChromium()
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "value: 0.5", with: "value: 0.75"))
        try live.run()
        let page = try dom(chromium, "/run/2", screenshot: "ui-dag")
        for id in ["paint", "translate@cyclegan", "translate@ours"] {
            XCTAssertEqual(count("id=\"node-\(id)\" data-state=\"cached\"", in: page), 1, "\(id): \(page.suffix(3000))")
        }
        for id in ["score@cyclegan", "score@ours"] {
            XCTAssertEqual(count("id=\"node-\(id)\" data-state=\"done\"", in: page), 1, id)
        }
        XCTAssertEqual(count("<path d=\"M", in: page), 4, "one edge per input")
        XCTAssertTrue(page.contains("live · run 2 · succeeded"))
    }

    func testAFirstRunsDAGShowsItsPlannedStagesWaitingBeforeTheyStart() throws {
        let chromium = try requireChromium()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "params: {images: 3, tag: painting}",
                                                                  with: "params: {images: 3, tag: painting, steps: 60, step_seconds: 0.1}"))
        let finished = expectation(description: "run 1 ends")
        Thread { [live] in _ = try? live!.run(); finished.fulfill() }.start()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, (try? live.get("/api/run?run=1").status) != 200 { usleep(20_000) }
        let page = try dom(chromium, "/run/1", budget: 1500, screenshot: "ui-dag-first-run")
        wait(for: [finished], timeout: 60)
        XCTAssertEqual(count("id=\"node-paint\" data-state=\"running\"", in: page), 1, String(page.suffix(3000)))
        for id in ["translate@cyclegan", "translate@ours", "score@cyclegan", "score@ours"] {
            XCTAssertEqual(count("id=\"node-\(id)\" data-state=\"waiting\"", in: page), 1, id)
        }
        XCTAssertEqual(count("<path d=\"M", in: page), 4, "the planned edges too")
    }

    func testAStagePageShowsItsParamsReasonAndLog() throws {
        let chromium = try requireChromium()
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "value: 0.5", with: "value: 0.75"))
        try live.run()
        let page = try dom(chromium, "/stage/2/score%40ours", screenshot: "ui-stage")
        XCTAssertTrue(page.contains("<td>value</td><td><code>0.75</code></td>"), String(page.suffix(4000)))
        XCTAssertTrue(page.contains("<td>tag</td><td><code>ours</code></td>"))
        XCTAssertTrue(page.contains("why it ran: params changed: value 0.5 → 0.75"))
        XCTAssertTrue(page.contains("work ours: done"), "the log tail")
        XCTAssertTrue(page.contains("href=\"#/stage/2/translate%40ours\""), "lineage links upstream")
    }

    func testALossChartAppearsAndGrowsWhileAStageRuns() throws {
        let chromium = try requireChromium()
        try live.run()
        try live.write("live.yaml", liveSpec.replacingOccurrences(of: "steps: 20, value: 2", with: "steps: 200, step_seconds: 0.05, value: 3"))
        let finished = expectation(description: "run 2 ends")
        Thread { [live] in _ = try? live!.run(); finished.fulfill() }.start()
        func points() throws -> Int? {
            let page = try dom(chromium, "/metrics/2", budget: 1500, screenshot: "ui-metrics")
            guard let match = page.range(of: "data-metric=\"loss\" data-points=\"[0-9]+\" data-live=\"true\"", options: .regularExpression) else { return nil }
            return Int(page[match].split(separator: "\"")[3])
        }
        var seen: [Int] = []
        let deadline = Date().addingTimeInterval(40)
        while Date() < deadline && seen.count < 2 {
            if let n = try points(), n > 0, n != seen.last { seen.append(n) }
        }
        wait(for: [finished], timeout: 120)
        XCTAssertEqual(seen.count, 2, "two loads of the page saw the live chart with different numbers of points: \(seen)")
        if seen.count == 2 { XCTAssertLessThan(seen[0], seen[1]) }
    }

    func testTheImageGridPutsEachStagesFileSideBySide() throws {
        let chromium = try requireChromium()
        try live.run()
        let graph = try live.json(RunGraph.self, "/api/run?run=1")
        let page = try dom(chromium, "/images/1/out/0", screenshot: "ui-images")
        XCTAssertTrue(page.contains("<th>file</th><th>paint</th><th>translate@cyclegan</th><th>translate@ours</th>"), String(page.suffix(3000)))
        for stage in ["paint", "translate@cyclegan", "translate@ours"] {
            let fingerprint = try XCTUnwrap(graph.nodes.first { $0.id == stage }?.fingerprint)
            XCTAssertEqual(count("src=\"/thumbs/\(fingerprint)/out/img_0[0-2].png\\?token=", in: page), 3, stage)
            XCTAssertEqual(count("href=\"/files/\(fingerprint)/out/img_0[0-2].png\\?token=", in: page), 3, stage)
        }
    }

    func testTheMetricsPageShowsTheIntervalTableAndEachComparisonsVerdict() throws {
        let chromium = try requireChromium()
        try live.write("reps.yaml", """
            experiment: reps
            matrix: {artist: [monet, cezanne], seed: ["1", "2", "3"]}
            replicates: [seed]
            comparisons:
              value: {a: ours.value, b: base.value, better: higher, labels: [ours, base]}
            stages:
              ours:
                kind: work
                foreach: [artist, seed]
                params: {value: 20.1}
                overrides: {"monet,2": {value: 20.2}, "monet,3": {value: 20.3}, "cezanne,2": {value: 20.2}, "cezanne,3": {value: 20.3}}
              base:
                kind: work
                foreach: [artist, seed]
                params: {value: 19.15}
                overrides: {"monet,2": {value: 19.25}, "monet,3": {value: 19.35}, "cezanne,1": {value: 20.3}, "cezanne,3": {value: 20.25}}

            """)
        try live.run("reps.yaml")
        let page = try dom(chromium, "/metrics/1", screenshot: "ui-results")
        XCTAssertTrue(page.contains("<table id=\"replicates\"><tr><th>artist</th><th>ours.value</th><th>base.value</th></tr>"),
                      String(page.suffix(4000)))
        // mean 20.2, half-width t(0.975, 2) · 0.1 / √3 = 0.2484, as `pleinair results` prints it
        XCTAssertEqual(count(">20.2 ± 0.2484</span>", in: page), 2, "ours on both artists")
        XCTAssertTrue(page.contains("95% Student-t interval over seed (n = 3)"))
        XCTAssertTrue(page.contains("<li data-verdict=\"ours better\">value [monet]: ours − base = 0.95 [0.95, 0.95], n=3"), "a verdict")
        XCTAssertTrue(page.contains("<strong class=\"verdict\">ours better</strong>"))
        XCTAssertTrue(page.contains("<strong class=\"verdict\">no difference shown</strong>"), "cezanne: mixed")
    }
}
