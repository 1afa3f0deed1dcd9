import Foundation
import Imaging
import Pipeline

/// `contact_sheet`: a PNG grid with one column per input folder (in `order`) and one row per
/// image name they share, for people to look at results side by side.
public struct ContactSheetStage: Stage {
    public init() {}

    public var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "contact_sheet", version: 1,
            summary: "a PNG grid: a column per input folder, a row per shared image name",
            params: [
                ParamSpec("order", .list(.string), default: .list([]), doc: "input names left to right (default: sorted names)"),
                ParamSpec("rows", .int, default: .int(8), doc: "how many images (the first, in name order)"),
                ParamSpec("cell", .int, default: .int(96), doc: "cell size in pixels"),
                ParamSpec("title", .string, default: .string(""), doc: "a line above the grid"),
            ],
            inputs: nil, outputs: ["sheet"])
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let given = (context.params["order"]?.listValue ?? []).compactMap(\.stringValue)
        let names = given.isEmpty ? context.inputs.keys.sorted() : given
        for name in names where context.inputs[name] == nil {
            throw StageFailure.message("order names '\(name)', which is not an input of this stage")
        }
        guard !names.isEmpty else { throw StageFailure.message("a contact sheet needs at least one input folder") }
        let folders = try names.map { try ImageFolder(root: context.inputs[$0]!) }
        var shared = Set(folders[0].relativePaths)
        for folder in folders.dropFirst() { shared.formIntersection(folder.relativePaths) }
        let rows = folders[0].relativePaths.filter { shared.contains($0) }.prefix(max(1, context.params["rows"]!.intValue!))
        var cells: [ContactSheet.Cell] = []
        for path in rows {
            for (name, folder) in zip(names, folders) {
                cells.append(ContactSheet.Cell(try ImageCodec.read(folder.root.appendingPathComponent(path)), caption: name))
            }
        }
        let layout = ContactSheet(columns: names.count, cellSize: max(16, context.params["cell"]!.intValue!), padding: 4,
                                  fontScale: 1, title: context.params["title"]?.stringValue ?? "")
        let folder = context.outputs["sheet"]!
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ImageCodec.write(layout.render(cells), to: folder.appendingPathComponent("sheet.png"))
        return StageResult(metrics: [])
    }
}
