@testable import Pipeline
import XCTest

/// A world the planner can ask about, held in memory: file hashes, scripts' text, verified outputs
/// and the last execution of each stage. It counts what it was asked, so tests can say what
/// planning touched. A folder is any prefix of a file's path.
final class FakePlanEnvironment: PlanEnvironment {
    var hashes: [String: String] = [:]
    /// Workspace scripts: path → text. A script is a file whose hash is its text.
    var scripts: [String: String] = [:]
    var validFingerprints: Set<String> = []
    var last: [String: (key: FingerprintKey, status: ExecutionStatus)] = [:]
    private(set) var hashRequests: [String] = []
    private(set) var scanned: [String] = []

    func contentHash(ofInput path: String) throws -> String {
        hashRequests.append(path)
        guard let hash = hashes[path] ?? scripts[path].map({ "text:" + $0 }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return hash
    }

    func fileKind(ofInput path: String) -> FileKind? {
        if hashes[path] != nil || scripts[path] != nil { return .file }
        let prefix = path.isEmpty ? "" : path + "/"
        return hashes.keys.contains(where: { $0.hasPrefix(prefix) }) || scripts.keys.contains(where: { $0.hasPrefix(prefix) }) ? .folder : nil
    }

    func scriptReferences(ofInput path: String, language: ScriptLanguage) throws -> ScriptReferences {
        guard let text = scripts[path] else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        scanned.append(path)
        return ScriptReferences.scan(Array(text.utf8), as: language)
    }

    func hasValidOutputs(fingerprint: String, outputs: [String]) -> Bool { validFingerprints.contains(fingerprint) }

    func lastExecution(experiment: String, stage: String) -> (key: FingerprintKey, status: ExecutionStatus)? { last[stage] }

    /// Records `plan`'s stages as having run successfully: their outputs verify, their keys are remembered.
    func remember(_ plan: Plan, status: ExecutionStatus = .succeeded, valid: Bool = true) {
        for stage in plan.stages {
            last[stage.instance.id] = (stage.key, status)
            if valid { validFingerprints.insert(stage.fingerprint) }
        }
    }
}

/// The planner alone: decisions and reasons as data, from a spec and a fake environment, no disk.
final class PlannerTests: XCTestCase {
    let toy = StageDescriptor(kind: "toy", version: 1, summary: "",
                              params: [ParamSpec("lr", .number, default: .double(0.1), doc: "learning rate"),
                                       ParamSpec("weights", .string, default: .string("none"), doc: "a file", fileUnless: ["none"])],
                              inputs: [("in", false)], outputs: ["out"])

    private func experiment(lr: Double = 0.1, version: Int = 1, weights: String = "none") throws -> Experiment {
        var kind = toy
        kind.version = version
        let text = """
        experiment: e
        stages:
          prep:
            kind: toy
            inputs: {in: data/photos}
          train:
            kind: toy
            inputs: {in: prep.out}
            params: {lr: \(lr), weights: \(weights)}
          score:
            kind: toy
            inputs: {in: train.out/sub}
        """
        return try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [kind])
    }

    private func environment() -> FakePlanEnvironment {
        let env = FakePlanEnvironment()
        env.hashes = ["data/photos": "h-photos-1", "models/w.pth": "h-weights-1"]
        return env
    }

    private func decisions(_ plan: Plan) -> [String: StageDecision] {
        Dictionary(uniqueKeysWithValues: plan.stages.map { ($0.instance.id, $0.decision) })
    }

    func testEveryStageOfAFirstRunIsNew() throws {
        let plan = try Planner.plan(try experiment(), environment: environment())
        XCTAssertEqual(decisions(plan), ["prep": .run(.new), "train": .run(.new), "score": .run(.new)])
        XCTAssertEqual(plan.stages.map(\.instance.id), ["prep", "train", "score"])
    }

    func testNothingRunsWhenEveryFingerprintHasVerifiedOutputs() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env))
        let again = try Planner.plan(try experiment(), environment: env)
        XCTAssertEqual(again.toRun.count, 0)
        XCTAssertEqual(env.hashRequests, ["data/photos", "data/photos"])
    }

    func testAChangedParamRerunsThatStageAndItsDownstreamWithReasons() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env))
        let plan = try Planner.plan(try experiment(lr: 0.5), environment: env)
        XCTAssertEqual(decisions(plan), [
            "prep": .cached,
            "train": .run(.paramsChanged([ParamChange(name: "lr", old: .double(0.1), new: .double(0.5))])),
            "score": .run(.upstreamChanged(["train"])),
        ])
        XCTAssertEqual(plan.stage("train")?.decision.reasonText, "params changed: lr 0.1 → 0.5")
    }

    func testAChangedInputFileRerunsFromTheStageThatReadsIt() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env))
        env.hashes["data/photos"] = "h-photos-2"
        let plan = try Planner.plan(try experiment(), environment: env)
        XCTAssertEqual(decisions(plan), ["prep": .run(.inputsChanged(["in"])), "train": .run(.upstreamChanged(["prep"])),
                                         "score": .run(.upstreamChanged(["train"]))])
    }

    func testAReplacedWeightsFileNamedByAParamIsAnInputChange() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(weights: "models/w.pth"), environment: env))
        env.hashes["models/w.pth"] = "h-weights-2"
        let plan = try Planner.plan(try experiment(weights: "models/w.pth"), environment: env)
        XCTAssertEqual(plan.stage("train")?.decision, .run(.inputsChanged(["params.weights"])))
        XCTAssertEqual(plan.stage("prep")?.decision, .cached)
    }

    func testAMissingFileNamedByAParamStillPlans() throws {
        let plan = try Planner.plan(try experiment(weights: "models/absent.pth"), environment: environment())
        XCTAssertEqual(plan.stage("train")?.key.inputs["params.weights"], "missing models/absent.pth")
    }

    func testABumpedKindVersionIsACodeVersionChange() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env))
        let plan = try Planner.plan(try experiment(version: 2), environment: env)
        XCTAssertEqual(plan.stage("prep")?.decision, .run(.codeVersionChanged(kind: "toy", from: 1, to: 2)))
    }

    func testOutputsThatNoLongerVerifyRerunWithThatReason() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env), valid: false)
        let plan = try Planner.plan(try experiment(), environment: env)
        XCTAssertEqual(decisions(plan), ["prep": .run(.outputsMissing), "train": .run(.outputsMissing), "score": .run(.outputsMissing)])
    }

    func testAFailedOrInterruptedLastAttemptIsTheReason() throws {
        let env = environment()
        let first = try Planner.plan(try experiment(), environment: env)
        env.remember(first, status: .failed, valid: false)
        env.last["train"]!.status = .started
        let plan = try Planner.plan(try experiment(), environment: env)
        XCTAssertEqual(decisions(plan), ["prep": .run(.previousFailed), "train": .run(.previousInterrupted),
                                         "score": .run(.previousFailed)])
    }

    func testForcingAStageRunsItEvenWhenCached() throws {
        let env = environment()
        env.remember(try Planner.plan(try experiment(), environment: env))
        let plan = try Planner.plan(try experiment(), environment: env, force: ["train"])
        XCTAssertEqual(decisions(plan), ["prep": .cached, "train": .run(.forced), "score": .cached])
    }

    func testAPathInsideAnUpstreamOutputIsPartOfTheUpstreamKey() throws {
        let plan = try Planner.plan(try experiment(), environment: environment())
        let train = try XCTUnwrap(plan.stage("train")), score = try XCTUnwrap(plan.stage("score"))
        XCTAssertEqual(score.key.upstream["in"], train.fingerprint + ":out/sub")
        XCTAssertEqual(score.upstreamOutputs["in"]?.stage, "train")
    }

    func testAMissingInputFileIsAPlanErrorNamingTheStageAndInput() throws {
        let env = environment()
        env.hashes["data/photos"] = nil
        XCTAssertThrowsError(try Planner.plan(try experiment(), environment: env)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("stage prep") && text.contains("input 'in'"), text)
            XCTAssertTrue(text.hasPrefix("t.yaml:"), text)
        }
    }

    func testFingerprintsDependOnParamsAndNotOnPlanningOrder() throws {
        let a = try Planner.plan(try experiment(), environment: environment())
        let b = try Planner.plan(try experiment(), environment: environment())
        XCTAssertEqual(a.stages.map(\.fingerprint), b.stages.map(\.fingerprint))
        let c = try Planner.plan(try experiment(lr: 0.2), environment: environment())
        XCTAssertEqual(a.stage("prep")?.fingerprint, c.stage("prep")?.fingerprint)
        XCTAssertNotEqual(a.stage("train")?.fingerprint, c.stage("train")?.fingerprint)
    }
}

private extension StageDecision {
    var reasonText: String? {
        if case .run(let reason) = self { return reason.description }
        return nil
    }
}

/// A `cmd` stage's code (the scripts and configs its command names, or what `code:` lists) is part
/// of its fingerprint.
final class CommandCodeTests: XCTestCase {
    private func experiment(_ stage: String) throws -> Experiment {
        let text = """
        experiment: e
        stages:
          score:
        \(stage)
        """
        let cmd = StageDescriptor(kind: "cmd", version: 1, summary: "", params: nil, inputs: nil, outputs: nil)
        return try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [cmd])
    }

    func testDetectsRelativeFilesNamedOnTheCommandLine() {
        XCTAssertEqual(CodeFiles.detect(in: "python3 score.py --config conf/params.yaml ${inputs.x} > ${outputs.o}"),
                       ["score.py", "conf/params.yaml"])
        XCTAssertEqual(CodeFiles.detect(in: "./run.sh; bash tools/x && echo '{\"rows\": 24}' > ${metrics}"), ["run.sh", "tools/x"])
        XCTAssertEqual(CodeFiles.detect(in: "cat /etc/hosts ../up.txt ~/x.py -o=out.txt 1.5 $HOME/a.sh"), ["out.txt"])
    }

    func testEditingAScriptTheCommandNamesRerunsWithCodeChanged() throws {
        let env = FakePlanEnvironment()
        env.hashes = ["score.py": "v1"]
        let stage = """
            kind: cmd
            cmd: "python3 score.py > ${outputs.o}"
            outputs: {o: file}
        """
        env.remember(try Planner.plan(try experiment(stage), environment: env))
        XCTAssertEqual(try Planner.plan(try experiment(stage), environment: env).toRun.count, 0)
        env.hashes["score.py"] = "v2"
        let plan = try Planner.plan(try experiment(stage), environment: env)
        XCTAssertEqual(plan.stage("score")?.decision, .run(.codeChanged(["score.py"])))
        XCTAssertEqual(RunReason.codeChanged(["score.py"]).description, "code changed: score.py")
    }

    func testWordsThatNameNoWorkspaceFileAreNotCode() throws {
        let stage = """
            kind: cmd
            cmd: "echo results.csv > ${outputs.o}"
            outputs: {o: file}
        """
        let plan = try Planner.plan(try experiment(stage), environment: FakePlanEnvironment())
        XCTAssertEqual(plan.stage("score")?.key.inputs, [:])
    }

    func testCodeListsFilesExplicitlyAndAnEmptyListOptsOut() throws {
        let env = FakePlanEnvironment()
        env.hashes = ["score.py": "v1", "lib": "tree1"]
        let listed = try Planner.plan(try experiment("""
            kind: cmd
            cmd: "python3 score.py > ${outputs.o}"
            code: [lib]
            outputs: {o: file}
        """), environment: env)
        XCTAssertEqual(listed.stage("score")?.key.inputs, ["code:lib": "tree1"])
        let none = try Planner.plan(try experiment("""
            kind: cmd
            cmd: "python3 score.py > ${outputs.o}"
            code: []
            outputs: {o: file}
        """), environment: env)
        XCTAssertEqual(none.stage("score")?.key.inputs, [:])
    }

    func testAListedCodeFileThatIsMissingIsAPlanError() throws {
        let e = try experiment("""
            kind: cmd
            cmd: "true > ${outputs.o}"
            code: [missing.py]
            outputs: {o: file}
        """)
        XCTAssertThrowsError(try Planner.plan(e, environment: FakePlanEnvironment())) { error in
            XCTAssertTrue("\(error)".contains("code 'missing.py'"), "\(error)")
        }
    }

    func testCodeOnABuiltinKindIsASpecError() {
        let toy = StageDescriptor(kind: "toy", version: 1, summary: "", params: [], inputs: [], outputs: ["out"])
        let text = """
        experiment: e
        stages:
          s:
            kind: toy
            code: [a.py]
        """
        XCTAssertThrowsError(try SpecExpander.expand(try SpecLoader.parse(text, file: "t.yaml"), kinds: [toy])) { error in
            XCTAssertTrue("\(error)".contains("t.yaml:5:11: error: stages.s.code: only `cmd` stages take `code:`"), "\(error)")
        }
    }
}
