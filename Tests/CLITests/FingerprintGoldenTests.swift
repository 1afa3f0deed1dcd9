import Foundation
import Pipeline
import XCTest

/// Fingerprints of a spec with variables, a two-axis matrix, an escaped `$${…}` and file inputs, as
/// the runner computed them at 7e66b89 (`pleinair run --dry-run --json`): expansion and
/// substitution may get faster, but what they produce must not change, or every cached output of
/// every workspace would be computed again.
final class FingerprintGoldenTests: XCTestCase {
    private var cli: CLIHarness!

    static let spec = """
        experiment: golden
        vars:
          greeting: hello
          scale: 0.5
        matrix:
          style: [monet, cezanne]
          seed: [1, 2]
        stages:
          prep:
            kind: cmd
            inputs: {in: data/seed.txt}
            cmd: "cat ${inputs.in} > ${outputs.out}; echo ${greeting} $${HOME} >> ${outputs.out}"
            outputs: {out: file}
          score:
            kind: cmd
            foreach: [style, seed]
            inputs: {in: prep.out}
            cmd: "python3 score.py ${inputs.in} ${matrix.style} ${matrix.seed} ${scale} > ${outputs.out}"
            outputs: {out: file}
        """

    static let golden = [
        "prep": "16580fe906ce48e079cf2a8fa5e96f67fda1af7edd00f581df1132f94d30fd59",
        "score@monet,1": "ce3e7bc8e3ae4e931aa179bdd9fe09502a978a3735a82880fec213ad114c44a3",
        "score@monet,2": "10b6a2c4d3d762cf80b8912984022d111e05f58dd9996059af5da16a65273ba9",
        "score@cezanne,1": "ce848d8b9609fa331a077600e9f40189ae0a0bcbac6844d980726416bb12c3b2",
        "score@cezanne,2": "f35c4123c31de0211805ca06dddf2b2182f53a7f4fed71c2bcc10cf77d6c8096",
    ]

    override func setUpWithError() throws {
        cli = try CLIHarness()
        try cli.write("exp.yaml", Self.spec)
        try cli.write("data/seed.txt", "seed\n")
        try cli.write("score.py", "print(1)\n")
    }

    override func tearDown() { cli.cleanUp() }

    private func fingerprints() throws -> [String: String] {
        let result = try cli.run(["run", "exp.yaml", "--dry-run", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let stages = object?["stages"] as? [[String: String]] ?? []
        return Dictionary(uniqueKeysWithValues: stages.compactMap { s in s["stage"].flatMap { id in s["fingerprint"].map { (id, $0) } } })
    }

    func testFingerprintsAreThoseOfTheRunnerBeforeItsSpeedUps() throws {
        XCTAssertEqual(try fingerprints(), Self.golden)
    }

    /// A no-op rerun records its stages by reference to `stage_keys`; the next change is still
    /// explained from the key the cached execution refers to.
    func testAChangeAfterANoOpRerunIsExplainedFromTheStoredKey() throws {
        XCTAssertEqual(try cli.run(["run", "exp.yaml"]).status, 0)
        let rerun = try cli.run(["run", "exp.yaml"])
        XCTAssertTrue(rerun.stderr.contains("0 ran, 5 cached"), rerun.stderr)
        XCTAssertEqual(try fingerprints(), Self.golden, "a run changes no fingerprint")
        try cli.write("exp.yaml", Self.spec.replacingOccurrences(of: "greeting: hello", with: "greeting: hi"))
        let status = try cli.run(["status", "exp.yaml"]).stdout
        XCTAssertTrue(status.contains("params changed: cmd"), status)
    }
}
