import Foundation
import Pipeline
@testable import Study
import TestSupport
import XCTest

/// Study owns its tables in the ledger: it creates and migrates them itself.
final class StudySchemaTests: XCTestCase {
    private func temporaryLedger() throws -> (Ledger, URL) {
        let folder = TemporaryFolder.url("study-schema")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return (try Ledger(path: folder.appendingPathComponent("ledger.sqlite").path), folder)
    }

    private func tables(_ ledger: Ledger) throws -> Set<String> {
        Set(try ledger.query("SELECT name FROM sqlite_master WHERE type = 'table'").compactMap { $0[0].text })
    }

    func testTheStudyTablesAreCreatedByStudyAndRecordedAsItsMigration() throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertFalse(try tables(ledger).contains("study_keys"), "the pipeline alone knows nothing of studies")
        _ = try StudyStore(ledger: ledger)
        XCTAssertTrue(try tables(ledger).isSuperset(of: ["study_keys", "study_sheets", "study_trials", "study_submissions", "study_answers"]))
        XCTAssertEqual(try ledger.query("SELECT module, version FROM module_migrations").map { [$0[0].text ?? "", "\($0[1].int ?? 0)"] },
                       [["study", "1"]])
        _ = try StudyStore(ledger: ledger)  // opening again applies nothing twice
        XCTAssertEqual(try ledger.query("SELECT COUNT(*) FROM module_migrations")[0][0].int, 1)
    }

    func testALedgerWhoseStudyTablesCameFromTheOldGlobalMigrationKeepsItsRows() throws {
        let (ledger, folder) = try temporaryLedger()
        defer { try? FileManager.default.removeItem(at: folder) }
        // What the ledger's own migration 3 used to create.
        try ledger.query("CREATE TABLE study_keys(fingerprint TEXT NOT NULL, hash TEXT NOT NULL, artist TEXT NOT NULL, imported_at REAL NOT NULL, PRIMARY KEY(fingerprint, hash))")
        try ledger.query("INSERT INTO study_keys VALUES ('f', 'h', 'monet', 0)")
        _ = try StudyStore(ledger: ledger)
        XCTAssertEqual(try ledger.query("SELECT artist FROM study_keys")[0][0].text, "monet")
    }
}
