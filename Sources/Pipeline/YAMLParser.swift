import CLibYAML
import Foundation

/// Parses YAML text with libyaml into `YAMLNode`s, keeping line and column of every node.
///
/// Anchors and aliases are resolved; duplicate mapping keys are errors (libyaml accepts them).
package enum YAMLParser {
    /// Parses the single document in `text`; `file` names it in locations and errors.
    package static func parse(_ text: String, file: String) throws -> YAMLNode {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw SpecError([SpecDiagnostic(SourceLocation(file: file, line: 1, column: 1), keyPath: "", "cannot initialise the YAML parser")])
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer -> YAMLNode in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = Builder(file: file)
            do {
                return try builder.run(&parser)
            } catch var error as SpecError {
                // `${…}` in a flow collection ({ } or [ ]) ends it at the brace: say so.
                for i in error.diagnostics.indices where error.diagnostics[i].message.hasPrefix("YAML syntax error") {
                    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                    let line = error.diagnostics[i].location.line - 1
                    if line >= 0, line < lines.count, lines[line].contains("${") {
                        error.diagnostics[i].message += "; a value holding ${…} inside { } or [ ] must be quoted"
                    }
                }
                throw error
            }
        }
    }

    /// Applies YAML's merge key: `<<: *anchor` (or a list of them) adds the anchored mapping's
    /// entries that the mapping does not set itself.
    static func mergingKeys(_ node: YAMLNode) throws -> YAMLNode {
        guard let entries = node.mapping, entries.contains(where: { $0.key.scalar == "<<" && $0.key.value.isPlain }) else { return node }
        var own = entries.filter { !($0.key.scalar == "<<" && $0.key.value.isPlain) }
        for entry in entries where entry.key.scalar == "<<" && entry.key.value.isPlain {
            let sources = entry.value.sequence ?? [entry.value]
            for source in sources {
                guard let merged = source.mapping else {
                    throw SpecError([SpecDiagnostic(source.location, keyPath: "<<", "the merge key takes a mapping or a list of mappings, found a \(source.typeName)")])
                }
                for item in merged where !own.contains(where: { $0.key.scalar == item.key.scalar }) { own.append(item) }
            }
        }
        return YAMLNode(.mapping(own), at: node.location)
    }

    /// Collections nest at most this deep (aliases count with what they stand for): Swift frees
    /// nested values recursively, so a file of 100,000 `[` overflowed the stack. Specs nest a few levels.
    static let maxDepth = 100
    /// At most this many nodes once aliases are expanded: nine aliases of nine aliases of … (a
    /// "billion laughs" of 300 bytes) made every later walk over the tree run for minutes.
    static let maxNodes = 100_000

    private struct Builder {
        typealias Open = (node: YAMLNode, anchor: String?, pendingKey: YAMLNode?, depth: Int, nodes: Int)
        let file: String
        /// Anchored nodes, how deeply collections nest in them and how many nodes they expand to.
        var anchors: [String: (node: YAMLNode, depth: Int, nodes: Int)] = [:]
        var root: YAMLNode?

        init(file: String) { self.file = file }

        mutating func run(_ parser: inout yaml_parser_t) throws -> YAMLNode {
            var stack: [Open] = []
            var documents = 0
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw syntaxError(parser)
                }
                defer { yaml_event_delete(&event) }
                let location = SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                var finished: (YAMLNode, String?, depth: Int, nodes: Int)?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    guard let root else {
                        throw SpecError([SpecDiagnostic(location, keyPath: "", "the file is empty")])
                    }
                    return root
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        throw SpecError([SpecDiagnostic(location, keyPath: "", "only one YAML document per file is allowed")])
                    }
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    let text = string(scalar.value, length: scalar.length)
                    let quoted = scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                        || scalar.style == YAML_LITERAL_SCALAR_STYLE || scalar.style == YAML_FOLDED_SCALAR_STYLE
                    finished = (YAMLNode(.scalar(text, quoted: quoted), at: location), anchorName(scalar.anchor), 0, 1)
                case YAML_SEQUENCE_START_EVENT:
                    stack.append((YAMLNode(.sequence([]), at: location), anchorName(event.data.sequence_start.anchor), nil, 1, 1))
                case YAML_MAPPING_START_EVENT:
                    stack.append((YAMLNode(.mapping([]), at: location), anchorName(event.data.mapping_start.anchor), nil, 1, 1))
                case YAML_SEQUENCE_END_EVENT:
                    let top = stack.removeLast()
                    finished = (top.node, top.anchor, top.depth, top.nodes)
                case YAML_MAPPING_END_EVENT:
                    let top = stack.removeLast()
                    finished = (try YAMLParser.mergingKeys(top.node), top.anchor, top.depth, top.nodes)
                case YAML_ALIAS_EVENT:
                    let name = anchorName(event.data.alias.anchor) ?? ""
                    guard let target = anchors[name] else {
                        throw SpecError([SpecDiagnostic(location, keyPath: "", "unknown alias *\(name)")])
                    }
                    finished = (target.node, nil, target.depth, target.nodes)
                default:
                    break
                }
                guard let (node, anchor, depth, nodes) = finished else { continue }
                if let anchor { anchors[anchor] = (node, depth, nodes) }
                if stack.isEmpty {
                    root = node
                } else {
                    // Everything still open lies above this node: together they must stay shallow.
                    guard depth + stack.count <= YAMLParser.maxDepth else {
                        throw SpecError([SpecDiagnostic(location, keyPath: "", "collections nested more than \(YAMLParser.maxDepth) levels deep")])
                    }
                    stack[stack.count - 1].depth = max(stack[stack.count - 1].depth, depth + 1)
                    stack[stack.count - 1].nodes += nodes
                    guard stack[stack.count - 1].nodes <= YAMLParser.maxNodes else {
                        throw SpecError([SpecDiagnostic(location, keyPath: "", "more than \(YAMLParser.maxNodes) nodes once aliases are expanded")])
                    }
                    try attach(node, to: &stack[stack.count - 1])
                }
            }
        }

        private func attach(_ node: YAMLNode, to parent: inout Open) throws {
            switch parent.node.value {
            case .sequence(var items):
                items.append(node)
                parent.node.value = .sequence(items)
            case .mapping(var entries):
                if let key = parent.pendingKey {
                    entries.append((key, node))
                    parent.node.value = .mapping(entries)
                    parent.pendingKey = nil
                } else {
                    guard let keyText = node.scalar else {
                        throw SpecError([SpecDiagnostic(node.location, keyPath: "", "mapping keys must be plain scalars, not a \(node.typeName)")])
                    }
                    if let first = entries.first(where: { $0.key.scalar == keyText }) {
                        throw SpecError([SpecDiagnostic(node.location, keyPath: keyText, "duplicate key (first written at line \(first.key.location.line))")])
                    }
                    parent.pendingKey = node
                }
            case .scalar:
                break
            }
        }

        private func syntaxError(_ parser: yaml_parser_t) -> SpecError {
            let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
            let mark = parser.problem_mark
            var message = "YAML syntax error: \(problem)"
            if let context = parser.context { message += " (\(String(cString: context)))" }
            let location = SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
            return SpecError([SpecDiagnostic(location, keyPath: "", message)])
        }

        private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
            guard let pointer else { return "" }
            let buffer = UnsafeBufferPointer(start: pointer, count: length)
            return String(decoding: buffer, as: UTF8.self)
        }

        private func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            guard let pointer else { return nil }
            return String(cString: pointer)
        }
    }
}
