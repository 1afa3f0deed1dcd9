@testable import Pipeline
import XCTest

/// The `compare:` section: read beside the stages, checked against them with the spec's usual
/// errors, resolved per matrix combination, and kept out of every fingerprint.
final class CompareSpecTests: XCTestCase {
    let kinds = [
        StageDescriptor(kind: "scenes", version: 1, summary: "", params: [], inputs: [], outputs: ["data"], imageOutputs: ["data"]),
        StageDescriptor(kind: "translate", version: 1, summary: "", params: [], inputs: [("images", true)], outputs: ["images"],
                        imageOutputs: ["images"]),
        StageDescriptor(kind: "score", version: 1, summary: "", params: [], inputs: [("images", true), ("reference", true)], outputs: ["report"]),
        StageDescriptor(kind: "fid", version: 1, summary: "", params: [], inputs: [("images", true)], outputs: ["stats"]),
    ]

    /// Two artists × two seeds; `compare` is the section (indented two spaces), or none.
    func text(compare: String?) -> String {
        """
        experiment: e
        matrix: {artist: [monet, cezanne], seed: ["1", "2"]}
        replicates: [seed]
        \(compare.map { "compare:\n" + $0 } ?? "")
        stages:
          scenes: {kind: scenes}
          cyclegan: {kind: translate, foreach: [artist, seed], inputs: {images: "scenes.data/${matrix.artist}/test"}}
          ours: {kind: translate, foreach: [artist, seed], inputs: {images: "scenes.data/${matrix.artist}/test"}}
          style: {kind: translate, foreach: artist, inputs: {images: "scenes.data/${matrix.artist}/test"}}
          ours_vs_truth: {kind: score, foreach: [artist, seed], inputs: {images: ours.images, reference: "scenes.data/${matrix.artist}/test_truth"}}
          fid_ours: {kind: fid, foreach: [artist, seed], inputs: {images: ours.images}}
        """
    }

    let section = """
          source: scenes.data/${matrix.artist}/test
          methods: {CycleGAN: cyclegan, Ours: {images: ours.images, metrics: ours_vs_truth}, Style transfer: style}
          truth: scenes.data/${matrix.artist}/test_truth
        """

    func expand(_ text: String) throws -> Experiment {
        try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: kinds)
    }

    func errors(_ text: String) -> [String] {
        do {
            let (spec, prior) = try SpecLoader.parseCollecting(text, file: "t.yaml")
            _ = try SpecExpander.expand(spec, kinds: kinds, prior: prior)
            return []
        } catch let error as SpecError {
            return error.diagnostics.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testTheSectionNamesItsColumnsInOrderAndResolvesEachCombinationsFolders() throws {
        let compare = try XCTUnwrap(try expand(text(compare: section)).results.compare)
        XCTAssertEqual(compare.methods.map(\.label), ["CycleGAN", "Ours", "Style transfer"])
        XCTAssertEqual(compare.methods.map(\.stage), ["cyclegan", "ours", "style"])
        XCTAssertEqual(compare.methods.map(\.output), ["images", "images", "images"])
        XCTAssertEqual(compare.methods.map(\.metrics), [nil, "ours_vs_truth", nil])
        XCTAssertEqual(compare.match, .stem)
        XCTAssertEqual(compare.axes, ["artist"], "the folders depend on the artist, not the seed")
        XCTAssertEqual(compare.resolved.keys.sorted(), ["cezanne", "monet"])
        XCTAssertEqual(compare.resolved[compare.key(["artist": "cezanne", "seed": "2"])], ResolvedCompare(source: .output(stage: "scenes", output: "data", subpath: "cezanne/test"),
                                                                      truth: .output(stage: "scenes", output: "data", subpath: "cezanne/test_truth")))
    }

    func testASourceFromAStageThatRunsPerArtistResolvesPerArtistWithoutNamingTheAxis() throws {
        let text = self.text(compare: "  source: per_artist.data/test\n  methods: {Ours: ours}\n")
            .replacingOccurrences(of: "  scenes: {kind: scenes}\n", with: "  scenes: {kind: scenes}\n  per_artist: {kind: scenes, foreach: artist}\n")
        let compare = try XCTUnwrap(try expand(text).results.compare)
        XCTAssertEqual(compare.axes, ["artist"])
        XCTAssertEqual(compare.resolved["monet"]?.source, .output(stage: "per_artist@monet", output: "data", subpath: "test"))
    }

    func testTheSectionEntersNoFingerprint() throws {
        func fingerprints(_ compare: String?) throws -> [String] {
            let env = FakePlanEnvironment()
            return try Planner.plan(try expand(text(compare: compare)), environment: env).stages.map { "\($0.instance.id) \($0.fingerprint)" }
        }
        let without = try fingerprints(nil)
        XCTAssertEqual(without.count, 19)
        XCTAssertEqual(try fingerprints(section), without, "adding the section")
        let changed = """
              source: scenes.data/${matrix.artist}/test
              methods: {Ours: ours, CycleGAN: cyclegan.images}
              match: path
              labels: [paint, photo]
            """
        XCTAssertEqual(try fingerprints(changed), without, "changing it")
    }

    func testUnknownStagesAndKeysAreReportedAtTheirLineWithASuggestion() {
        let found = errors(text(compare: """
              source: scenes.data/${matrix.artist}/test
              methds: {CycleGAN: cyclgan}
              truht: scenes.data/${matrix.artist}/test_truth
            """))
        XCTAssertEqual(found, [
            "t.yaml:6:3: error: compare.methds: unknown key 'methds' (did you mean 'methods'?)",
            "t.yaml:6:22: error: compare.methods.CycleGAN: no stage 'cyclgan' (did you mean 'cyclegan'?)",
            "t.yaml:7:3: error: compare.truht: unknown key 'truht' (did you mean 'truth'?)",
        ])
    }

    func testAMethodMustBeAStageWhoseOutputHoldsImagesMadeFromItsInputImages() {
        let found = errors(text(compare: """
              source: scenes.data/${matrix.artist}/test
              methods: {FID: fid_ours.stats, Scores: ours_vs_truth.report, Nothing: ours.imgs, Scenes: scenes.data}
            """))
        XCTAssertEqual(found.count, 4, found.joined(separator: "\n"))
        XCTAssertTrue(found[0].hasPrefix("t.yaml:6:18: error: compare.methods.FID: output 'stats' of stage 'fid_ours' (fid) is not a folder of images;"), found[0])
        XCTAssertTrue(found[0].hasSuffix("images come from scenes, translate stages or a cmd's `dir` output"), found[0])
        XCTAssertTrue(found[1].contains("compare.methods.Scores: output 'report' of stage 'ours_vs_truth' (score) is not a folder of images"), found[1])
        XCTAssertTrue(found[2].contains("compare.methods.Nothing: stage 'ours' has no output 'imgs' (it has: images) (did you mean 'images'?)"), found[2])
        XCTAssertTrue(found[3].contains("compare.methods.Scenes: stage 'scenes' has no input `images`"), found[3])
    }

    func testTheSourceTruthMatchAndMetricsAreChecked() {
        let found = errors(text(compare: """
              source: fid_ours.stats
              methods: {Ours: {images: ours, metrics: fid_ours}, CycleGAN: {metrics: ours_vs_truth}}
              truth: "${matrix.artst}/truth"
              match: stems
            """))
        XCTAssertEqual(found.count, 5, found.joined(separator: "\n"))
        let joined = found.joined(separator: "\n")
        XCTAssertTrue(joined.contains("t.yaml:5:11: error: compare.source: output 'stats' of stage 'fid_ours' (fid) is not a folder of images"), joined)
        XCTAssertTrue(joined.contains("compare.methods.Ours.metrics: stage 'fid_ours' writes no `report`"), joined)
        XCTAssertTrue(joined.contains("compare.methods.CycleGAN.images: a method needs `images`"), joined)
        XCTAssertTrue(joined.contains("compare.truth: undefined variable '${matrix.artst}' (did you mean 'matrix.artist'?)"), joined)
        XCTAssertTrue(joined.contains("t.yaml:8:10: error: compare.match: expected one of stem, path, found 'stems' (did you mean 'stem'?)"), joined)
    }

    func testASectionWithoutSourceOrMethodsSaysWhatItNeeds() {
        XCTAssertEqual(errors(text(compare: "  truth: scenes.data/monet/test_truth\n")), [
            "t.yaml:5:3: error: compare.source: `compare` needs `source`: the images every row starts from (a path or STAGE.OUTPUT)",
        ])
        let found = errors(text(compare: "  source: scenes.data/monet/test\n"))
        XCTAssertEqual(found, ["t.yaml:5:3: error: compare.methods: `compare` needs `methods`: label: stage, one per column"])
    }
}
