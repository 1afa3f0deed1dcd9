@testable import Pipeline
import XCTest

/// Load-time checks of text inside values and of the results sections (issue 32), on toy kinds.
final class SpecChecksTests: XCTestCase {
    /// A toy kind whose metric names depend on a parameter, as the FID taps do.
    let scorer = StageDescriptor(kind: "scorer", version: 1, summary: "",
                                 params: [ParamSpec("random", .bool, default: .bool(false), doc: "random weights")],
                                 inputs: [], outputs: ["out"],
                                 metrics: { p in
                                     let suffix = p["random"]?.boolValue == true ? "_random_weights" : ""
                                     return [MetricDeclaration("fid" + suffix), MetricDeclaration("images", bookkeeping: true)]
                                 })

    private func errors(_ text: String, kinds: [StageDescriptor]? = nil) -> [String] {
        do {
            _ = try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: kinds ?? [scorer, StageDescriptor(
                kind: "cmd", version: 1, summary: "", params: nil, inputs: nil, outputs: nil)])
            return []
        } catch let error as SpecError {
            return error.diagnostics.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testASuggestionIsNeverTheWordItself() {
        XCTAssertEqual(DidYouMean.suffix(for: "matrix.artist", in: ["matrix.artist", "seed"]), "")
        XCTAssertEqual(DidYouMean.suffix(for: "matrix.artst", in: ["matrix.artist"]), " (did you mean 'matrix.artist'?)")
    }

    func testAReferenceInABlockCommandIsReportedAtItsOwnLineAndColumn() {
        let found = errors("""
        experiment: e
        stages:
          a:
            kind: cmd
            inputs: {imgs: data}
            cmd: |
              echo start
              python3 x.py ${inputs.img} > ${outputs.o}
            outputs: {o: file}
        """)
        XCTAssertEqual(found, ["t.yaml:8:20: error: stages.a.cmd: the command refers to '${inputs.img}', but the stage has no input 'img' (did you mean 'imgs'?)"])
    }

    func testMetricNamesFollowTheParametersOfEachInstance() {
        let spec = """
        experiment: e
        stages:
          s: {kind: scorer, params: {random: RANDOM}}
        comparisons:
          c: {a: s.fid, b: "s.fid*"}
        """
        XCTAssertEqual(errors(spec.replacingOccurrences(of: "RANDOM", with: "false")), [])
        XCTAssertEqual(errors(spec.replacingOccurrences(of: "RANDOM", with: "true")),
                       ["t.yaml:5:12: error: comparisons.c.a: stage 's' records no metric 'fid' (it records: fid_random_weights, images)"])
    }

    func testAPathThatLooksLikeAMisspeltStageOutputIsAnError() {
        let spec = """
        experiment: e
        stages:
          train: {kind: scorer}
          use: {kind: cmd, inputs: {m: trian.out, f: notes.txt}, cmd: "true > ${outputs.o}", outputs: {o: file}}
        """
        XCTAssertEqual(errors(spec).count, 1)
        XCTAssertTrue(errors(spec)[0].hasPrefix("t.yaml:4:32: error: stages.use.inputs.m: no stage 'trian' (did you mean 'train'?)"), "\(errors(spec))")
    }

    func testAMisspeltStageKeyIsReadAsTheKeyItIsCloseToSoNothingCascades() {
        let found = errors("""
        experiment: e
        matrix: {artist: [monet, cezanne]}
        stages:
          a:
            kind: cmd
            for_each: artist
            cmd: "echo ${matrix.artist} > ${outputs.o}"
            outputs: {o: file}
        """)
        XCTAssertEqual(found, ["t.yaml:6:5: error: stages.a.for_each: unknown key 'for_each' (did you mean 'foreach'?)"])
    }

    func testAnAxisTheStageDoesNotRunOverIsSaidSo() {
        let found = errors("""
        experiment: e
        matrix: {artist: [monet, cezanne]}
        stages:
          a: {kind: cmd, cmd: "echo ${matrix.artist} > ${outputs.o}", outputs: {o: file}}
        """)
        XCTAssertEqual(found, ["t.yaml:4:29: error: stages.a.cmd: '${matrix.artist}': this stage does not run for each 'artist' (add it to its `foreach`)"])
    }

    func testEveryMissingInputIsReportedAtItsOwnLine() throws {
        let experiment = try SpecExpander.expand(try SpecLoader.parse("""
        experiment: e
        matrix: {artist: [monet, cezanne]}
        stages:
          a:
            kind: cmd
            foreach: artist
            inputs:
              x: data/${matrix.artist}
              y: data/shared
            cmd: "true > ${outputs.o}"
            outputs: {o: file}
        """, file: "t.yaml"), kinds: [StageDescriptor(kind: "cmd", version: 1, summary: "", params: nil, inputs: nil, outputs: nil)])
        XCTAssertThrowsError(try Planner.plan(experiment, environment: FakePlanEnvironment())) { error in
            let lines = "\(error)".split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.count, 4, "\(error)")
            XCTAssertEqual(lines.filter { $0.hasPrefix("t.yaml:8:10: error: stage a@") }.count, 2, "\(error)")
            XCTAssertEqual(lines.filter { $0.hasPrefix("t.yaml:9:10: error: stage a@") }.count, 2, "\(error)")
        }
    }
}
