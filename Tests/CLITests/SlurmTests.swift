import Foundation
import Pipeline
import TestSupport
import XCTest

/// Runs experiments through a real Slurm cluster; scripts/test.sh starts a single-node one
/// (scripts/slurm-cluster.sh) and exports SLURM_CONF. Skipped where no cluster answers.
final class SlurmTests: XCTestCase {
    var cli: CLIHarness!

    override func setUpWithError() throws {
        try Requirement.slurm.check(ProcessInfo.processInfo.environment["SLURM_CONF"] != nil && Bench.run("sinfo", ["-h"]) == 0,
                                    "no Slurm cluster (run scripts/slurm-cluster.sh start and export SLURM_CONF)", in: self)
        cli = try CLIHarness()
    }

    override func tearDown() { cli?.cleanUp() }

    let spec = """
    experiment: cluster
    matrix: {artist: [monet, cezanne]}
    executor:
      slurm: {poll_interval: 0.3, retries: 0}
    stages:
      prep:
        kind: cmd
        cmd: "echo prepared > ${outputs.out}"
        outputs: {out: file}
        resources: {memory: 64MB}
      score:
        kind: cmd
        foreach: artist
        inputs: {in: prep.out}
        params: {name: "${matrix.artist}"}
        cmd: "mkdir -p ${outputs.out} && cat ${inputs.in} > ${outputs.out}/result.txt && echo ${params.name} >> ${outputs.out}/result.txt && echo '{\\"score\\": 2}' > ${metrics}"
        outputs: {out: dir}
    """

    private func fingerprintsAndOutputs(_ harness: CLIHarness) throws -> [String: String] {
        var out: [String: String] = [:]
        for stage in ["prep", "score@monet", "score@cezanne"] {
            let shown = try harness.run(["show", "exp.yaml", stage, "--json"])
            let object = try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as! [String: Any]
            let outputs = (object["outputs"] as! [[String: Any]]).map { "\($0["name"]!)=\($0["hash"]!)" }.joined(separator: ",")
            out[stage] = "\(object["fingerprint"]!) \(outputs)"
        }
        return out
    }

    func testTheSameExperimentOnSlurmAndLocallyHasIdenticalFingerprintsAndOutputs() throws {
        try cli.write("exp.yaml", spec)
        let slurm = try cli.run(["run", "exp.yaml", "--executor", "slurm"])
        XCTAssertEqual(slurm.status, 0, slurm.stderr)
        let local = try CLIHarness()
        defer { local.cleanUp() }
        try local.write("exp.yaml", spec)
        XCTAssertEqual(try local.run(["run", "exp.yaml"]).status, 0)
        XCTAssertEqual(try fingerprintsAndOutputs(cli), try fingerprintsAndOutputs(local))
        let ledger = try Ledger(path: cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
        let prep = try ledger.lastExecution(experiment: "cluster", stage: "prep")!
        let jobs = try ledger.jobs(execution: prep.id)
        XCTAssertEqual(jobs.last?.state, "COMPLETED")
        XCTAssertNotNil(jobs.last?.node, "the ledger records the node the job ran on")
        // The declared memory is requested from Slurm.
        let shown = Process()
        shown.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        shown.arguments = ["scontrol", "show", "job", jobs.last?.jobID ?? ""]
        let pipe = Pipe()
        shown.standardOutput = pipe
        try shown.run()
        let description = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shown.waitUntilExit()
        XCTAssertTrue(description.contains("MinMemoryNode=64M"), description)
        XCTAssertEqual(try cli.run(["results", "exp.yaml", "--format", "csv"]).stdout, "artist,score.score\nmonet,2\ncezanne,2\n")
    }

    func testAJobCancelledWithScancelFailsItsStageWithTheSlurmReasonAndLog() throws {
        try cli.write("exp.yaml", """
        experiment: cancelled
        executor:
          slurm: {poll_interval: 0.3}
        stages:
          slow:
            kind: cmd
            cmd: "sleep 120"
        """)
        let (process, _, err) = try cli.start(["run", "exp.yaml", "--executor", "slurm"])
        var jobID = ""
        XCTAssertTrue(cli.waitFor(30) {
            let ledger = try? Ledger(path: self.cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
            let execution = try? ledger?.lastExecution(experiment: "cancelled", stage: "slow")
            jobID = (execution.flatMap { try? ledger?.jobs(execution: $0.id) })?.last?.jobID ?? ""
            return !jobID.isEmpty
        })
        XCTAssertEqual(Bench.run("scancel", [jobID]), 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, stderr)
        XCTAssertTrue(stderr.contains("Slurm job \(jobID) ended CANCELLED"), stderr)
        XCTAssertTrue(stderr.contains("log: "), stderr)
        let ledger = try Ledger(path: cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path)
        XCTAssertEqual(try ledger.lastExecution(experiment: "cancelled", stage: "slow")?.status, .failed)
        XCTAssertEqual(try ledger.executionsStillStarted().count, 0)
    }
}

/// Runs a command quietly and returns its status.
enum Bench {
    static func run(_ tool: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
