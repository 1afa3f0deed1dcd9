/// A value built by the pickle machine: the subset PyTorch state dicts are made of.
indirect enum PickleValue {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    /// Items, and how deeply containers nest inside (1 for a tuple of scalars).
    case tuple([PickleValue], depth: Int)
    case list(PickleList)
    case dict(PickleDict)
    /// A class or function named by GLOBAL / STACK_GLOBAL.
    case global(module: String, name: String)
    /// What a persistent id resolved to (a storage, for PyTorch).
    case persistent(AnyObject)
    /// The result of calling a global the machine knows how to build (a tensor).
    case built(AnyObject)
    /// A value the reader does not model (an integer wider than 64 bits), kept only so the stream can continue.
    case opaque(module: String, name: String)
    case mark

    var intValue: Int? { if case .int(let i) = self { return i }; return nil }
    var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    var tupleValue: [PickleValue]? {
        switch self {
        case .tuple(let t, _): return t
        case .list(let l): return l.items
        default: return nil
        }
    }
    /// Containers nested in this value, itself included; 0 for scalars.
    var depth: Int {
        switch self {
        case .tuple(_, let depth): return depth
        case .list(let l): return l.depth
        case .dict(let d): return d.depth
        case .built(let o as PickleStateful): return o.depth
        default: return 0
        }
    }
}

/// A mutable list (APPEND acts on the object in the memo too). Once nested in another container
/// it is sealed: changing it then could deepen the nesting behind the parent's back.
final class PickleList { var items: [PickleValue] = []; var depth = 1; var sealed = false }

/// A mutable dictionary in insertion order, keys as strings or integers; sealed like `PickleList`.
final class PickleDict { var entries: [(key: PickleValue, value: PickleValue)] = []; var depth = 1; var sealed = false }

/// A pickle stream the reader cannot interpret, with where and why.
public struct PickleError: Error, CustomStringConvertible {
    /// Byte offset in the pickle stream.
    public let offset: Int
    public let reason: String
    public var description: String { "pickle byte \(offset): \(reason)" }
}

/// A minimal pickle interpreter (protocols 2–5) for checkpoint files: no code runs, globals are
/// only names, each vetted by `resolveGlobal` when the stream names it, and calling one is
/// delegated to `reduce` (PyTorch's tensor rebuilders). Persistent ids (PyTorch's storages) are
/// resolved by `persistentLoad`.
struct PickleMachine {
    let bytes: [UInt8]
    var position: Int
    var resolveGlobal: (_ module: String, _ name: String) throws -> Void
    var persistentLoad: (PickleValue) throws -> PickleValue
    var reduce: (_ module: String, _ name: String, _ args: [PickleValue]) throws -> PickleValue?
    /// BUILD: sets an object's state (NumPy arrays and dtypes get theirs this way); the result
    /// replaces the object. Nil: the state is dropped (state dicts' `_metadata` is not needed).
    var build: ((_ object: PickleValue, _ state: PickleValue) throws -> PickleValue)? = nil

    init(bytes: [UInt8], start: Int = 0, resolveGlobal: @escaping (String, String) throws -> Void,
         persistentLoad: @escaping (PickleValue) throws -> PickleValue,
         reduce: @escaping (String, String, [PickleValue]) throws -> PickleValue?) {
        self.bytes = bytes
        self.position = start
        self.resolveGlobal = resolveGlobal
        self.persistentLoad = persistentLoad
        self.reduce = reduce
    }

    /// Containers nest at most this deep. Swift releases nested values recursively, so a deeper
    /// pickle (a few hundred thousand TUPLE1 opcodes) would overflow the stack when freed;
    /// state dicts nest three or four levels.
    static let maxDepth = 100

    private func fail(_ reason: String) -> PickleError { PickleError(offset: position, reason: reason) }

    /// Seals the list and dict `items` and returns the depth of a container holding them.
    private func nest(_ items: [PickleValue]) throws -> Int {
        var depth = 1
        for item in items {
            if case .list(let l) = item { l.sealed = true }
            if case .dict(let d) = item { d.sealed = true }
            if case .built(let o as PickleStateful) = item { o.sealed = true }
            depth = max(depth, item.depth + 1)
        }
        guard depth <= Self.maxDepth else { throw fail("containers nested more than \(Self.maxDepth) deep") }
        return depth
    }

    private func tuple(_ items: [PickleValue]) throws -> PickleValue { .tuple(items, depth: try nest(items)) }

    private func extend(_ list: PickleList, with items: [PickleValue]) throws {
        let depth = try nest(items)
        guard !list.sealed else { throw fail("a list changed after it was nested in another container") }
        list.depth = max(list.depth, depth)
        list.items += items
    }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, position + n <= bytes.count else { throw fail("truncated (wanted \(n) bytes)") }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    private mutating func littleEndian(_ n: Int) throws -> UInt64 {
        try take(n).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A length prefix of `n` bytes, refused unless that many bytes follow it.
    private mutating func length(_ n: Int) throws -> Int {
        let value = try littleEndian(n)
        guard value <= UInt64(bytes.count - position) else {
            throw fail("length \(value) runs past the end of the stream")
        }
        return Int(value)
    }

    private mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { throw fail("unterminated text line") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    /// Runs until STOP and returns the value on top of the stack.
    mutating func load() throws -> PickleValue {
        var stack: [PickleValue] = []
        var memo: [Int: PickleValue] = [:]
        func pop() throws -> PickleValue {
            guard let v = stack.popLast() else { throw fail("stack underflow") }
            return v
        }
        func popMark() throws -> [PickleValue] {
            guard let m = stack.lastIndex(where: { if case .mark = $0 { return true }; return false }) else {
                throw fail("no mark on the stack")
            }
            let items = Array(stack[(m + 1)...])
            stack.removeSubrange(m...)
            return items
        }
        func setItems(_ target: PickleValue, _ items: [PickleValue]) throws {
            guard case .dict(let d) = target else { throw fail("SETITEM on a non-dictionary") }
            let depth = try nest(items)
            guard !d.sealed else { throw fail("a dictionary changed after it was nested in another container") }
            d.depth = max(d.depth, depth)
            var i = 0
            while i + 1 < items.count { d.entries.append((items[i], items[i + 1])); i += 2 }
        }
        while true {
            let opcode = try take(1).first!
            switch opcode {
            case 0x80: _ = try take(1)  // PROTO
            case 0x95: _ = try take(8)  // FRAME
            case 0x2E: return try pop()  // STOP
            case 0x28: stack.append(.mark)  // MARK
            case 0x7D: stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case 0x5D: stack.append(.list(PickleList()))  // EMPTY_LIST
            case 0x29: stack.append(try tuple([]))  // EMPTY_TUPLE
            case 0x8F: stack.append(.list(PickleList()))  // EMPTY_SET (as a list)
            case 0x4E: stack.append(.none)
            case 0x88: stack.append(.bool(true))
            case 0x89: stack.append(.bool(false))
            case 0x4B: stack.append(.int(Int(try littleEndian(1))))  // BININT1
            case 0x4D: stack.append(.int(Int(try littleEndian(2))))  // BININT2
            case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try littleEndian(4)))))  // BININT
            case 0x8A, 0x8B:  // LONG1, LONG4
                let n = try length(opcode == 0x8A ? 1 : 4)
                let raw = Array(try take(n))
                guard n <= 8 else { stack.append(.opaque(module: "builtins", name: "long")); break }
                var v: UInt64 = 0
                for (i, b) in raw.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
                if n > 0 && n < 8 && raw[n - 1] & 0x80 != 0 { v |= ~UInt64(0) << (8 * UInt64(n)) }  // sign-extend
                stack.append(.int(Int(Int64(bitPattern: v))))
            case 0x47: stack.append(.float(Double(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })))  // BINFLOAT (big-endian)
            case 0x58, 0x8C, 0x8D:  // BINUNICODE, SHORT_BINUNICODE, BINUNICODE8
                let n = try length(opcode == 0x8C ? 1 : opcode == 0x58 ? 4 : 8)
                stack.append(.string(String(decoding: try take(n), as: UTF8.self)))
            case 0x54, 0x55:  // BINSTRING, SHORT_BINSTRING
                let n = try length(opcode == 0x55 ? 1 : 4)
                stack.append(.string(String(decoding: try take(n), as: UTF8.self)))
            case 0x42, 0x43, 0x8E:  // BINBYTES, SHORT_BINBYTES, BINBYTES8
                let n = try length(opcode == 0x43 ? 1 : opcode == 0x42 ? 4 : 8)
                stack.append(.bytes(Array(try take(n))))
            case 0x71: memo[Int(try littleEndian(1))] = stack.last  // BINPUT
            case 0x72: memo[Int(try littleEndian(4))] = stack.last  // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last  // MEMOIZE
            case 0x68, 0x6A:  // BINGET, LONG_BINGET
                let k = Int(try littleEndian(opcode == 0x68 ? 1 : 4))
                guard let v = memo[k] else { throw fail("memo entry \(k) missing") }
                stack.append(v)
            case 0x63:  // GLOBAL
                let module = try line(), name = try line()
                try resolveGlobal(module, name)
                stack.append(.global(module: module, name: name))
            case 0x93:  // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw fail("STACK_GLOBAL needs two strings")
                }
                try resolveGlobal(module, name)
                stack.append(.global(module: module, name: name))
            case 0x74: stack.append(try tuple(try popMark()))  // TUPLE
            case 0x85: stack.append(try tuple([try pop()]))
            case 0x86: let b = try pop(), a = try pop(); stack.append(try tuple([a, b]))
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(try tuple([a, b, c]))
            case 0x6C:  // LIST
                let l = PickleList(); try extend(l, with: try popMark()); stack.append(.list(l))
            case 0x64:  // DICT
                let d = PickleDict(); try setItems(.dict(d), try popMark()); stack.append(.dict(d))
            case 0x61:  // APPEND
                let v = try pop()
                guard case .list(let l) = stack.last else { throw fail("APPEND to a non-list") }
                try extend(l, with: [v])
            case 0x65:  // APPENDS
                let items = try popMark()
                guard case .list(let l) = stack.last else { throw fail("APPENDS to a non-list") }
                try extend(l, with: items)
            case 0x90:  // ADDITEMS (sets, kept as lists)
                let items = try popMark()
                if case .list(let l) = stack.last { try extend(l, with: items) }
            case 0x73:  // SETITEM
                let v = try pop(), k = try pop()
                guard let target = stack.last else { throw fail("SETITEM with an empty stack") }
                try setItems(target, [k, v])
            case 0x75:  // SETITEMS
                let items = try popMark()
                guard let target = stack.last else { throw fail("SETITEMS with an empty stack") }
                try setItems(target, items)
            case 0x30: _ = try pop()  // POP
            case 0x31: _ = try popMark()  // POP_MARK
            case 0x32: guard let top = stack.last else { throw fail("DUP of nothing") }; stack.append(top)
            case 0x51: stack.append(try persistentLoad(try pop()))  // BINPERSID
            case 0x50: stack.append(try persistentLoad(.string(try line())))  // PERSID
            case 0x52, 0x81:  // REDUCE, NEWOBJ
                let args = try pop(), callable = try pop()
                guard case .global(let module, let name) = callable else { throw fail("call of a non-global") }
                if module == "collections" && name == "OrderedDict" {
                    stack.append(.dict(PickleDict()))
                } else if let v = try reduce(module, name, args.tupleValue ?? []) {
                    stack.append(v)
                } else {
                    throw fail("calling \(module).\(name) is not supported")
                }
            case 0x62:  // BUILD: a NumPy machine's hook, a stateful object's state, or dropped (a state dict's _metadata)
                let state = try pop()
                if let build {
                    let object = try pop()
                    stack.append(try build(object, state))
                } else if case .built(let object as PickleStateful) = stack.last {
                    guard !object.sealed else { throw fail("an object built after it was nested in a container") }
                    let depth = try nest([state])  // seals the state: it cannot change behind the object's back
                    try object.setState(state)
                    object.depth = max(object.depth, depth)
                }
            default:
                throw fail(String(format: "unsupported opcode 0x%02x", opcode))
            }
        }
    }
}
