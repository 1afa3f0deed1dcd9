/// A failure reported by FAISS through the C++ shim, with what was being done.
public struct FaissError: Error, Equatable, CustomStringConvertible {
    /// What was attempted, e.g. `train IVF256,Flat on 9720 vectors`.
    public var operation: String
    /// The shim's return code (1 FAISS exception, 2 other C++ exception, 3 unknown).
    public var code: Int32
    /// FAISS's own message.
    public var message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String { "FAISS failed to \(operation): \(message.isEmpty ? "code \(code)" : message)" }
}
