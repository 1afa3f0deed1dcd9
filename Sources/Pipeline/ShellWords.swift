/// Splits shell text (a `cmd`, a `.sh` file) into simple commands and their words, as far as
/// finding the scripts it runs needs: quotes removed, comments skipped, `;`, `&`, `|`, newlines and
/// brackets ending a command, redirection targets dropped. It expands nothing: a part of a word the
/// shell would expand (`$X`, `${X}`, `$(…)`, backquotes) becomes `ShellWords.expansion`, so a caller
/// can tell literal words from computed ones; `$PWD` where a path starts becomes `ShellWords.workingFolder`.
package enum ShellWords {
    /// Stands for text the shell computes.
    package static let expansion: Character = "\u{0}"
    /// Stands for `$PWD` (the command's working folder, the workspace) at the start of a word.
    package static let workingFolder: Character = "\u{1}"

    package static func commands(in text: String) -> [[String]] {
        let bytes = Array(text.utf8)
        var commands: [[String]] = []
        var words: [String] = []
        var word: [UInt8] = []
        var inWord = false
        var dropNextWord = false
        var i = 0

        func endWord() {
            if inWord {
                if dropNextWord { dropNextWord = false } else { words.append(String(decoding: word, as: UTF8.self)) }
            }
            word = []
            inWord = false
        }
        func endCommand() {
            endWord()
            if !words.isEmpty { commands.append(words) }
            words = []
            dropNextWord = false
        }
        func expansion() {
            word.append(0)
            inWord = true
        }
        /// Skips `$…` at `i` (pointing at `$`): a name, `${…}`, `$(…)`, `$((…))` or a special parameter.
        func skipDollar() {
            i += 1
            guard i < bytes.count else { return }
            let c = bytes[i]
            // `$PWD` counts where a path starts: a word, an assignment's value, a `PATH`-like list's entry.
            let atValueStart = word.isEmpty || word.last == UInt8(ascii: "=") || word.last == UInt8(ascii: ":")
            if c == UInt8(ascii: "{") || c == UInt8(ascii: "(") {
                let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ")")
                if atValueStart, c == UInt8(ascii: "{"), bytes[i...].starts(with: Array("{PWD}".utf8)) {
                    word.append(1)
                    inWord = true
                    i += 5
                    return
                }
                var depth = 0
                while i < bytes.count {
                    if bytes[i] == c { depth += 1 } else if bytes[i] == close { depth -= 1 }
                    i += 1
                    if depth == 0 { break }
                }
            } else if isNameByte(c) {
                let start = i
                while i < bytes.count, isNameByte(bytes[i]) { i += 1 }
                if atValueStart, bytes[start..<i].elementsEqual("PWD".utf8) {
                    word.append(1)
                    inWord = true
                    return
                }
            } else {
                i += 1  // $?, $$, $1, $@ …
            }
            expansion()
        }

        while i < bytes.count {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                endWord()
                i += 1
            case UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "("), UInt8(ascii: ")"):
                endCommand()
                i += 1
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                endWord()
                while i < bytes.count, [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "-")].contains(bytes[i]) { i += 1 }
                dropNextWord = true
            case UInt8(ascii: "#") where !inWord:
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
            case UInt8(ascii: "\\"):
                i += 1
                if i < bytes.count {
                    if bytes[i] != UInt8(ascii: "\n") {
                        word.append(bytes[i])
                        inWord = true
                    }
                    i += 1
                }
            case UInt8(ascii: "'"):
                inWord = true
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "'") {
                    word.append(bytes[i])
                    i += 1
                }
                i += 1
            case UInt8(ascii: "\""):
                inWord = true
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        word.append(bytes[i + 1])
                        i += 2
                    } else if bytes[i] == UInt8(ascii: "$") {
                        skipDollar()
                    } else if bytes[i] == UInt8(ascii: "`") {
                        i += 1
                        while i < bytes.count, bytes[i] != UInt8(ascii: "`") { i += 1 }
                        i += 1
                        expansion()
                    } else {
                        word.append(bytes[i])
                        i += 1
                    }
                }
                i += 1
            case UInt8(ascii: "$"):
                skipDollar()
            case UInt8(ascii: "`"):
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "`") { i += 1 }
                i += 1
                expansion()
            default:
                word.append(c)
                inWord = true
                i += 1
            }
        }
        endCommand()
        return commands
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
    }
}
