@testable import Pipeline
import XCTest

final class SpecTests: XCTestCase {
    let toy = StageDescriptor(kind: "toy", version: 1, summary: "",
                              params: [ParamSpec("lr", .number, default: .double(0.1), doc: "learning rate"),
                                       ParamSpec("name", .string, default: .string(""), doc: "a name"),
                                       ParamSpec("mode", .oneOf(["fast", "slow"]), default: .string("fast"), doc: "mode")],
                              inputs: [("in", false)], outputs: ["out"])

    private func expand(_ text: String) throws -> Experiment {
        try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [toy])
    }

    private func errors(_ text: String) -> [String] {
        do {
            let (spec, prior) = try SpecLoader.parseCollecting(text, file: "t.yaml")
            _ = try SpecExpander.expand(spec, kinds: [toy], prior: prior)
            return []
        } catch let error as SpecError {
            return error.diagnostics.map(\.description)
        } catch {
            return ["\(error)"]
        }
    }

    func testForeachOverTwoAxesNamesInstancesStablyInAxisOrder() throws {
        let e = try expand("""
        experiment: e
        matrix: {artist: [monet, cezanne], size: [64, 128]}
        stages:
          a: {kind: toy, foreach: [artist, size], params: {name: "${matrix.artist}-${matrix.size}"}}
        """)
        XCTAssertEqual(e.instances.map(\.id), ["a@monet,64", "a@monet,128", "a@cezanne,64", "a@cezanne,128"])
        XCTAssertEqual(e.instances[1].params["name"], .string("monet-128"))
    }

    func testDefaultsFillMissingParamsAndIntegersWidenToNumbers() throws {
        let e = try expand("experiment: e\nstages:\n  a: {kind: toy, params: {lr: 1}}\n")
        XCTAssertEqual(e.instances[0].params, ["lr": .double(1), "name": .string(""), "mode": .string("fast")])
    }

    func testAParamThatDoesNotFingerprintItsDefaultIsLeftOutWhenItHoldsIt() throws {
        var kind = toy
        kind.params! += [ParamSpec("recompute", .bool, default: .bool(false), doc: "a memory knob", fingerprintsDefault: false)]
        let e = try SpecExpander.expand(try SpecLoader.parse("""
        experiment: e
        stages:
          absent: {kind: toy}
          default: {kind: toy, params: {recompute: false}}
          set: {kind: toy, params: {recompute: true}}
        """, file: "t.yaml"), kinds: [kind])
        let params = Dictionary(uniqueKeysWithValues: e.instances.map { ($0.id, $0.params) })
        XCTAssertEqual(params["absent"], ["lr": .double(0.1), "name": .string(""), "mode": .string("fast")])
        XCTAssertEqual(params["default"], params["absent"])
        XCTAssertEqual(params["set"]?["recompute"], .bool(true))
    }

    func testVariablesAndMatrixValuesAreSubstitutedAndDollarDollarEscapes() throws {
        let e = try expand("""
        experiment: e
        vars: {root: data, tag: "x"}
        matrix: {artist: [monet]}
        stages:
          a: {kind: toy, foreach: artist, inputs: {in: "${root}/${matrix.artist}"}, params: {name: "$${tag}"}}
        """)
        XCTAssertEqual(e.instances[0].inputs["in"], .path("data/monet"))
        XCTAssertEqual(e.instances[0].params["name"], .string("${tag}"))
    }

    func testAForeachStageReadsTheMatchingInstanceOfAnotherForeachStage() throws {
        let e = try expand("""
        experiment: e
        matrix: {artist: [monet, cezanne]}
        stages:
          train: {kind: toy, foreach: artist}
          eval: {kind: toy, foreach: artist, inputs: {in: train.out}}
          pick: {kind: toy, inputs: {in: train@cezanne.out}}
        """)
        XCTAssertEqual(e.instance("eval@monet")?.inputs["in"], .output(stage: "train@monet", output: "out", subpath: ""))
        XCTAssertEqual(e.instance("pick")?.inputs["in"], .output(stage: "train@cezanne", output: "out", subpath: ""))
        let order = e.instances.map(\.id)
        XCTAssertLessThan(order.firstIndex(of: "train@cezanne")!, order.firstIndex(of: "pick")!)
    }

    func testForeachMayRunAStageForSomeValuesOfAnAxisOnly() throws {
        let e = try expand("""
        experiment: e
        matrix: {dataset: [monet2photo, landscape2photo, portrait2photo]}
        stages:
          data: {kind: toy, foreach: dataset}
          zoo: {kind: toy, foreach: {dataset: [monet2photo]}, inputs: {in: data.out}}
          fid: {kind: toy, foreach: {dataset: monet2photo}, inputs: {in: zoo.out}}
          pick: {kind: toy, inputs: {in: zoo@monet2photo.out}}
        """)
        XCTAssertEqual(e.instances.filter { $0.id.hasPrefix("zoo") }.map(\.id), ["zoo@monet2photo"])
        XCTAssertEqual(e.instance("zoo@monet2photo")?.inputs["in"], .output(stage: "data@monet2photo", output: "out", subpath: ""))
        XCTAssertEqual(e.instance("fid@monet2photo")?.matrixValues.map(\.value), ["monet2photo"])
        XCTAssertEqual(e.instance("pick")?.inputs["in"], .output(stage: "zoo@monet2photo", output: "out", subpath: ""))
    }

    func testAStageCannotReadAnInstanceItsTargetDoesNotRunFor() {
        let found = errors("""
        experiment: e
        matrix: {dataset: [monet2photo, landscape2photo]}
        stages:
          zoo: {kind: toy, foreach: {dataset: [monet2photo]}}
          all: {kind: toy, foreach: dataset, inputs: {in: zoo.out}}
          pick: {kind: toy, inputs: {in: zoo@landscape2photo.out}}
          bad: {kind: toy, foreach: {dataset: [monet]}}
        """)
        XCTAssertTrue(found.contains { $0.contains("stage 'zoo' runs only for dataset monet2photo, not landscape2photo") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("'zoo@landscape2photo.out' names no instance") }, "\(found)")
        XCTAssertTrue(found.contains { $0.contains("stages.bad.foreach.dataset") && $0.contains("'monet' is not a value of axis 'dataset'") },
                      "\(found)")
    }

    func testAReferenceMayNameAPathInsideAnOutput() throws {
        let e = try expand("""
        experiment: e
        matrix: {artist: [monet]}
        stages:
          scenes: {kind: toy}
          use: {kind: toy, foreach: artist, inputs: {in: "scenes.out/${matrix.artist}/test"}}
        """)
        XCTAssertEqual(e.instance("use@monet")?.inputs["in"], .output(stage: "scenes", output: "out", subpath: "monet/test"))
        XCTAssertEqual(errors("experiment: e\nstages:\n  s: {kind: toy}\n  u: {kind: toy, inputs: {in: s.out/../x}}\n").count, 1)
    }

    func testADottedPathThatIsNoStageIsAPath() throws {
        let e = try expand("experiment: e\nstages:\n  a: {kind: toy, inputs: {in: data.csv}}\n")
        XCTAssertEqual(e.instances[0].inputs["in"], .path("data.csv"))
    }

    func testParamErrorsNameTheParamWithSuggestionAndExpectedType() {
        let found = errors("experiment: e\nstages:\n  a: {kind: toy, params: {lrr: 1, mode: medium, name: [1]}}\n")
        XCTAssertEqual(found, [
            "t.yaml:3:32: error: stages.a.params.lrr: unknown parameter 'lrr' for kind 'toy' (did you mean 'lr'?)",
            "t.yaml:3:41: error: stages.a.params.mode: expected one of fast, slow, found string 'medium'",
            "t.yaml:3:55: error: stages.a.params.name: expected string, found list '[1]'",
        ])
    }

    func testAllErrorsAreCollectedNotJustTheFirst() {
        let found = errors("""
        experiment: e
        colour: blue
        stages:
          a: {kind: toi}
          b: {kind: toy, inputs: {in: a.nothing}, foreach: missing}
        """)
        XCTAssertEqual(found.count, 3, found.joined(separator: "\n"))
    }

    func testScalarsAreTypedLikeYAMLCoreSchemaButQuotedScalarsStayStrings() {
        XCTAssertEqual(ParamValue.fromScalar("42", quoted: false), .int(42))
        XCTAssertEqual(ParamValue.fromScalar("0.5", quoted: false), .double(0.5))
        XCTAssertEqual(ParamValue.fromScalar("1e-3", quoted: false), .double(0.001))
        XCTAssertEqual(ParamValue.fromScalar("true", quoted: false), .bool(true))
        XCTAssertEqual(ParamValue.fromScalar("~", quoted: false), .null)
        XCTAssertEqual(ParamValue.fromScalar("42", quoted: true), .string("42"))
        XCTAssertEqual(ParamValue.fromScalar("off", quoted: false), .string("off"))
    }

    func testAnchorsAndAliasesAreResolved() throws {
        let e = try expand("""
        experiment: e
        stages:
          a: {kind: toy, params: &shared {lr: 0.5}}
          b: {kind: toy, params: *shared}
        """)
        XCTAssertEqual(e.instance("b")?.params["lr"], .double(0.5))
    }

    func testMergeKeysCopyAnAnchoredMappingAndExplicitKeysWin() throws {
        let e = try expand("""
        experiment: e
        stages:
          a: {kind: toy, params: &base {lr: 0.5, name: base}}
          b:
            kind: toy
            params:
              <<: *base
              name: own
        """)
        XCTAssertEqual(e.instance("b")?.params["lr"], .double(0.5))
        XCTAssertEqual(e.instance("b")?.params["name"], .string("own"))
    }
}

final class SlurmFlagsTests: XCTestCase {
    func testDeclaredMemoryBecomesMemUnlessTheUsersFlagsSizeMemory() {
        var config = SlurmConfig()
        XCTAssertEqual(config.sbatchFlags(kind: "train", cpus: 2, memoryMB: 8192), ["--cpus-per-task=2", "--mem=8192M"])
        XCTAssertEqual(config.sbatchFlags(kind: "train", cpus: 2, memoryMB: nil), ["--cpus-per-task=2"])
        config.kindFlags = ["train": ["--mem-per-cpu=4G"]]
        XCTAssertEqual(config.sbatchFlags(kind: "train", cpus: 2, memoryMB: 8192), ["--cpus-per-task=2", "--mem-per-cpu=4G"])
        XCTAssertEqual(config.sbatchFlags(kind: "fid", cpus: 1, memoryMB: 100), ["--cpus-per-task=1", "--mem=100M"])
    }
}
