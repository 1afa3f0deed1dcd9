import Foundation
import XCTest

/// Replicate axes, paired comparisons and declared tables, from a `cmd` experiment whose metric
/// values are known: ours is 20.1/20.2/20.3 over seeds, CycleGAN 0.95 lower on monet and mixed
/// on cezanne; `paintings` runs once per artist (one value, so no interval).
final class ReplicateResultsTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws {
        cli = try CLIHarness()
        try cli.write("reps.yaml", """
        experiment: reps
        matrix: {artist: [monet, cezanne], seed: ["1", "2", "3"]}
        replicates: [seed]
        comparisons:
          psnr: {a: ours.psnr, b: cyclegan.psnr, better: higher, labels: [ours, CycleGAN]}
          per_image: {a: ours_img.psnr, b: base_img.psnr, over: images, labels: [ours, base]}
        tables:
          quality:
            caption: "PSNR to ground truth_1"
            rows: {Paintings: paintings, CycleGAN: cyclegan, Ours: ours}
            columns: {axis: artist, metrics: [psnr]}
            better: higher
        stages:
          ours:
            kind: cmd
            foreach: [artist, seed]
            cmd: "echo '{\\"psnr\\": 20.${matrix.seed}, \\"loss\\": [3, 2.${matrix.seed}, 1]}' > ${metrics}"
          cyclegan:
            kind: cmd
            foreach: [artist, seed]
            params: {monet: "19.${matrix.seed}5", cezanne: "${matrix.seed}"}
            cmd: "case ${matrix.artist}:${params.cezanne} in monet:*) v=${params.monet};; *:1) v=20.3;; *:2) v=20.1;; *) v=20.25;; esac; echo \\"{\\\\\\"psnr\\\\\\": $v}\\" > ${metrics}"
          paintings:
            kind: cmd
            foreach: artist
            cmd: "echo '{\\"psnr\\": 15.5}' > ${metrics}"
          ours_img:
            kind: cmd
            foreach: [artist, seed]
            cmd: "printf 'image,psnr\\na.png,2${matrix.seed}\\nb.png,3${matrix.seed}\\n' > ${outputs.report}; echo '{\\"psnr\\": 1}' > ${metrics}"
            outputs: {report: file}
          base_img:
            kind: cmd
            foreach: artist
            cmd: "printf 'image,psnr\\na.png,20\\nb.png,30\\n' > ${outputs.report}; echo '{\\"psnr\\": 1}' > ${metrics}"
            outputs: {report: file}
        """)
        let run = try cli.run(["run", "reps.yaml"])
        XCTAssertEqual(run.status, 0, run.stderr)
    }

    override func tearDown() { cli.cleanUp() }

    func testTheTableShowsMeanAndIntervalOverSeedsAndOneValueWithoutAnInterval() throws {
        let out = try cli.run(["results", "reps.yaml", "--all"]).stdout
        // mean 20.2, half-width t(0.975, 2) · 0.1 / √3 = 0.2484
        XCTAssertTrue(out.contains("20.2 ± 0.2484"), out)
        // A column of single values (paintings runs once per artist) says n=1 once, in its header.
        XCTAssertTrue(out.contains("paintings.psnr (n=1)"), out)
        XCTAssertFalse(out.contains("no interval)"), out)
        XCTAssertTrue(out.split(separator: "\n").contains { $0.hasPrefix("monet") && $0.contains(" 15.5") }, out)
        XCTAssertTrue(out.contains("95% Student-t interval over seed"), out)
        XCTAssertFalse(out.contains("\n1 "), "rows are per artist, not per seed:\n\(out)")
        let each = try cli.run(["results", "reps.yaml", "--each-replicate"]).stdout
        let seedRows = each.split(separator: "\n").filter { $0.hasPrefix("monet ") }
        XCTAssertEqual(seedRows.count, 3, each)
        XCTAssertTrue(seedRows[0].contains(" 20.1 "), each)
    }

    /// An experiment with declared tables is read through them: the table, the verdicts, and a pointer
    /// to --all, and none of the other metrics (the cmd's series, the per-image stages).
    func testTheDefaultViewIsTheDeclaredTablesAndTheVerdicts() throws {
        let out = try cli.run(["results", "reps.yaml"]).stdout
        XCTAssertTrue(out.contains("PSNR to ground truth_1"), out)
        XCTAssertTrue(out.contains("psnr [monet]: ours − CycleGAN = 0.95"), out)
        XCTAssertTrue(out.contains("--all shows every metric"), out)
        XCTAssertFalse(out.contains("ours_img.psnr"), out)
        XCTAssertTrue(try cli.run(["results", "reps.yaml", "--all"]).stdout.contains("ours_img.psnr"))
    }

    func testComparisonsGiveTheDifferenceItsIntervalTheTestsAndAVerdict() throws {
        let out = try cli.run(["results", "reps.yaml"]).stdout
        XCTAssertTrue(out.contains("psnr [monet]: ours − CycleGAN = 0.95 [0.95, 0.95], n=3, Wilcoxon p=0.25, sign p=0.25: ours better"), out)
        XCTAssertTrue(out.contains("psnr [cezanne]: ours − CycleGAN = -0.01667"), out)
        XCTAssertTrue(out.contains("no difference shown"), out)
    }

    func testAComparisonOverImagesPairsEachImageOfEachSeed() throws {
        let out = try cli.run(["results", "reps.yaml"]).stdout
        // a.png: 21, 22, 23 against 20; b.png: 31, 32, 33 against 30: six differences 1, 2, 3, 1, 2, 3.
        XCTAssertTrue(out.contains("per_image [monet]: ours − base per image = 2 ["), out)
        XCTAssertTrue(out.contains("n=6"), out)
        XCTAssertTrue(out.contains("ours better"), out)
    }

    func testMachineFormatsCarryMeanSdIntervalNAndEveryValue() throws {
        let csv = try cli.run(["results", "reps.yaml", "--format", "csv"]).stdout
        let lines = csv.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].contains(",ours.psnr,ours.psnr.sd,ours.psnr.ci_low,ours.psnr.ci_high,ours.psnr.n,ours.psnr.values,"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("monet,"), lines[1])
        XCTAssertTrue(lines[1].contains(",20.2,0.09999999999999"), lines[1])
        XCTAssertTrue(lines[1].contains(",3,20.1;20.2;20.3"), lines[1])
        XCTAssertTrue(lines[1].contains("15.5,,,,1,15.5"), "one value: no sd and no interval: \(lines[1])")
        struct Document: Decodable {
            struct Experiment: Decodable {
                struct Cell: Decodable { let mean: Double; let n: Int; let ci_low: Double?; let values: [String: Double] }
                struct Row: Decodable {
                    let artist: String
                    let ours: Cell, paintings: Cell
                    enum CodingKeys: String, CodingKey { case artist, ours = "ours.psnr", paintings = "paintings.psnr" }
                }
                struct Comparison: Decodable { let verdict: String; let row: [String]; let mean_difference: Double }
                let rows: [Row]
                let comparisons: [Comparison]
            }
            let experiments: [Experiment]
        }
        let json = try cli.run(["results", "reps.yaml", "--format", "json"]).stdout
        let experiment = try JSONDecoder().decode(Document.self, from: Data(json.utf8)).experiments[0]
        XCTAssertEqual(experiment.comparisons.map(\.verdict), ["ours better", "no difference shown", "ours better", "ours better"])
        XCTAssertEqual(experiment.comparisons[0].mean_difference, 0.95, accuracy: 1e-12)
        XCTAssertEqual(experiment.rows[0].ours.values, ["1": 20.1, "2": 20.2, "3": 20.3])
        XCTAssertEqual(experiment.rows[0].ours.n, 3)
        XCTAssertEqual(experiment.rows[0].paintings.n, 1)
        XCTAssertNil(experiment.rows[0].paintings.ci_low)
    }

    func testTheLiveViewShowsTheSameIntervalsAndComparisonsAsPleinairResults() throws {
        let out = try cli.run(["results", "reps.yaml", "--format", "json"]).stdout
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let experiment = try XCTUnwrap((document["experiments"] as? [[String: Any]])?.first)
        let (process, url) = try cli.startUI([])
        defer { process.terminate(); process.waitUntilExit() }
        let token = try XCTUnwrap(url.queryItems?.first { $0.name == "token" }?.value)
        let (status, body) = cli.getFromUI(port: try XCTUnwrap(url.port), "/api/results?run=1&token=\(token)")
        XCTAssertEqual(status, 200, String(decoding: body, as: UTF8.self))
        let page = try XCTUnwrap(JSONSerialization.jsonObject(with: body) as? [String: Any])
        // `pleinair results` writes null where the view leaves a field out; the figures must be equal, unrounded.
        let present = { (object: [String: Any]) in object.filter { !($0.value is NSNull) } }
        let view = try XCTUnwrap(page["replicates"] as? [String: Any])
        XCTAssertEqual(view["replicates"] as? [String], ["seed"])
        let axes = try XCTUnwrap(view["axes"] as? [String])
        let rows = try XCTUnwrap(view["rows"] as? [[String: Any]]).map { row -> NSDictionary in
            var object: [String: Any] = Dictionary(uniqueKeysWithValues: zip(axes, row["values"] as? [String] ?? []).map { ($0, $1 as Any) })
            for (column, cell) in row["cells"] as? [String: [String: Any]] ?? [:] { object[column] = cell.filter { $0.key != "text" } }
            return NSDictionary(dictionary: object)
        }
        let expectedRows = try XCTUnwrap(experiment["rows"] as? [[String: Any]]).map { row in
            NSDictionary(dictionary: row.mapValues { ($0 as? [String: Any]).map(present) ?? $0 })
        }
        XCTAssertEqual(rows, expectedRows)
        let comparisons = try XCTUnwrap(page["comparisons"] as? [[String: Any]])
        XCTAssertEqual(comparisons.map { NSDictionary(dictionary: $0.filter { $0.key != "line" }) },
                       try XCTUnwrap(experiment["comparisons"] as? [[String: Any]]).map { NSDictionary(dictionary: present($0)) })
        XCTAssertEqual(comparisons.count, 4)
        // And the text of each cell and comparison line is what `pleinair results` prints.
        let printed = try cli.run(["results", "reps.yaml", "--all"]).stdout
        for line in comparisons.compactMap({ $0["line"] as? String }) { XCTAssertTrue(printed.contains(line), line) }
        let cells = (view["rows"] as? [[String: Any]] ?? []).flatMap { ($0["cells"] as? [String: [String: Any]] ?? [:]).values }
        XCTAssertTrue(cells.contains { $0["text"] as? String == "20.2 ± 0.2484" })
        for text in cells.compactMap({ $0["text"] as? String }) { XCTAssertTrue(printed.contains(text), text) }
    }

    func testTheReportOpensWithTheTablesAndVerdictsAndBandsTheCurvesOverSeeds() throws {
        let out = try cli.run(["results", "reps.yaml", "--html", "report.html"])
        XCTAssertEqual(out.status, 0, out.stderr)
        let html = try String(contentsOf: cli.workspace.appendingPathComponent("report.html"), encoding: .utf8)
        let table = try XCTUnwrap(html.range(of: "<h2>PSNR to ground truth_1</h2>"))
        let results = try XCTUnwrap(html.range(of: "<h2>Results</h2>"))
        XCTAssertLessThan(table.lowerBound, results.lowerBound, "the declared table comes first")
        XCTAssertTrue(html.contains("<b>20.2 ± 0.2484</b>"), "best in bold with its interval")
        XCTAssertTrue(html.contains("<th>paintings.psnr (n=1)</th>") && html.contains("<td class=\"num\">15.5</td>"), "the results table is collapsed over seeds too")
        XCTAssertTrue(html.contains("psnr [monet]: ours − CycleGAN = 0.95 [0.95, 0.95], n=3"), "verdicts in the report")
        XCTAssertTrue(html.contains("■ Paintings") && html.contains("■ Ours"), "methods side by side in one chart")
        XCTAssertTrue(html.contains("loss · monet") && html.contains("<polygon"), "a curve per artist with a band over seeds")
    }

    func testTheDeclaredTableRendersWithTheBestMarkedAndAsBooktabsLaTeX() throws {
        let terminal = try cli.run(["results", "reps.yaml", "--table", "quality"])
        XCTAssertEqual(terminal.status, 0, terminal.stderr)
        XCTAssertTrue(terminal.stdout.contains("20.2 ± 0.2484 *"), terminal.stdout)
        let latex = try cli.run(["results", "reps.yaml", "--table", "quality", "--format", "latex"]).stdout
        for piece in ["\\begin{table}[t]", "\\caption{PSNR to ground truth\\_1}", "\\begin{tabular}{l r r}", "\\toprule",
                      "\\multicolumn{1}{c}{monet} & \\multicolumn{1}{c}{cezanne}", "\\cmidrule(lr){2-2} \\cmidrule(lr){3-3}",
                      "Ours & \\textbf{20.2} {\\scriptsize $\\pm$ 0.2484}", "Paintings & 15.5 & 15.5", "\\bottomrule", "\\end{table}"] {
            XCTAssertTrue(latex.contains(piece), "missing \(piece) in:\n\(latex)")
        }
        let unknown = try cli.run(["results", "reps.yaml", "--table", "nope"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("declares no table 'nope' (tables: quality)"), unknown.stderr)
    }
}
