/// The state of one stage execution as recorded in the ledger.
package enum ExecutionStatus: String, Sendable, Codable {
    /// Recorded before the stage runs; left behind only by a crash.
    case started
    case succeeded
    case failed
    /// Stopped by Ctrl-C, or found `started` after a crash.
    case interrupted
    /// Not run: an upstream stage failed.
    case skipped
    /// Outputs came from the store.
    case cached
}
