import Foundation
import TestSupport
import XCTest

/// `pretrained` end to end: a released generator fetched by name from a mirror (the local range
/// server), its hash recorded in the ledger at first download, translated by `translate`, and a
/// file changed afterwards refused.
final class PretrainedStageTests: XCTestCase {
    private var cli: CLIHarness!
    private var server: RangeServer?
    private let fm = FileManager.default
    private var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    override func setUpWithError() throws { cli = try CLIHarness() }

    override func tearDownWithError() throws {
        server?.stop()
        cli.cleanUp()
    }

    /// Serves `folder` over HTTP on 127.0.0.1; returns the base URL.
    private func serve(_ folder: URL) throws -> String {
        let started = try RangeServer(root: folder, log: cli.workspace.appendingPathComponent("server.log"))
        server = started
        return started.url().absoluteString
    }

    func testAZooGeneratorIsFetchedTrustedOnFirstUseAndTranslates() throws {
        let served = cli.workspace.appendingPathComponent("served")
        try fm.createDirectory(at: served, withIntermediateDirectories: true)
        // A junyanz generator (ngf 4, one block) in the zoo's legacy format, standing in for monet2photo.pth.
        try fm.copyItem(at: repository.appendingPathComponent("Tests/CycleGANTests/Fixtures/junyanz/G_A_old_legacy.pth"),
                        to: served.appendingPathComponent("monet2photo.pth"))
        let base = try serve(served)
        try cli.write("released.yaml", """
        experiment: released
        stages:
          scenes: {kind: demo_scenes, params: {train_count: 1, test_count: 2, size: 16}}
          zoo: {kind: pretrained, params: {source: cyclegan_zoo, name: monet2photo, base_url: "\(base)"}}
          translate: {kind: translate, inputs: {model: zoo.model, images: scenes.data/impressionist/test}}
        """)
        let env = ["PLEINAIR_WEIGHTS": cli.workspace.appendingPathComponent("weights").path]
        let first = try cli.run(["run", "released.yaml"], environment: env)
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        let images = try fm.contentsOfDirectory(atPath: cli.workspace.appendingPathComponent("artifacts/views/released/translate/images").path)
        XCTAssertEqual(images.count, 2)
        let rows = try sqlite("SELECT id, file, sha256 FROM trusted_downloads")
        XCTAssertTrue(rows.hasPrefix("cyclegan_zoo/monet2photo|latest_net_G.pth|"), rows)

        // The cached download changes: the next use refuses it, naming the recorded hash.
        let cached = cli.workspace.appendingPathComponent("weights/released/cyclegan_zoo/monet2photo/latest_net_G.pth")
        try Data("not the same bytes".utf8).write(to: cached)
        let second = try cli.run(["run", "released.yaml", "--force", "zoo"], environment: env)
        XCTAssertNotEqual(second.status, 0)
        let recorded = String(rows.split(separator: "|")[2].prefix(64))
        let log = try logText(of: "zoo")
        XCTAssertTrue((second.stdout + second.stderr + log).contains(recorded), second.stdout + second.stderr + log)
    }

    private func sqlite(_ query: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sqlite3", cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path, query]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func logText(of stage: String) throws -> String {
        let logs = cli.workspace.appendingPathComponent("artifacts/logs")
        let names = try fm.contentsOfDirectory(atPath: logs.path).filter { $0.contains("-\(stage)-") }
        return try names.map { try String(contentsOf: logs.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
    }
}

/// `cyclegan_dataset` fetches the Art2Real sets too; having no published checksum, the archive's
/// SHA-256 is recorded in the ledger at first download.
final class Art2RealDatasetTests: XCTestCase {
    func testAnArt2RealSetIsInstalledAndItsArchiveHashRecorded() throws {
        let cli = try CLIHarness()
        defer { cli.cleanUp() }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let served = cli.workspace.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        // A four-split archive of 4×4 PNGs, as the authors' landscape2photo.zip is laid out.
        let make = Process()
        make.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        make.arguments = ["python3", "-c", """
            import zlib, struct, zipfile, sys
            def png(v):
                raw = b''.join(b'\\x00' + bytes([v, v, v] * 4) for _ in range(4))
                chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
                return b'\\x89PNG\\r\\n\\x1a\\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 4, 4, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
            with zipfile.ZipFile(sys.argv[1], 'w') as z:
                for i, split in enumerate(['trainA', 'trainB', 'testA', 'testB']):
                    z.writestr(f'landscape2photo/{split}/{i}.png', png(40 * i))
            """, served.appendingPathComponent("landscape2photo.zip").path]
        try make.run()
        make.waitUntilExit()
        XCTAssertEqual(make.terminationStatus, 0)
        let server = try RangeServer(root: served, log: cli.workspace.appendingPathComponent("server.log"))
        defer { server.stop() }
        try cli.write("data.yaml", """
        experiment: data
        stages:
          data: {kind: cyclegan_dataset, params: {name: landscape2photo, base_url: "\(server.url().absoluteString)"}}
        """)
        let run = try cli.run(["run", "data.yaml"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let query = Process()
        query.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        query.arguments = ["sqlite3", cli.workspace.appendingPathComponent("artifacts/ledger.sqlite").path,
                           "SELECT id, file FROM trusted_downloads"]
        let out = Pipe()
        query.standardOutput = out
        try query.run()
        let rows = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        query.waitUntilExit()
        XCTAssertEqual(rows.trimmingCharacters(in: .whitespacesAndNewlines), "dataset/landscape2photo|landscape2photo.zip")
    }
}
