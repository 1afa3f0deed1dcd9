import Foundation
import Imaging
import Pipeline

/// `contact_sheet`: a PNG grid with one column per input folder (in `order`) and one row per
/// image name they share, for people to look at results side by side.
package struct ContactSheetStage: Stage {
    package init() {}

    static let order = Param<[String]>("order", default: [], doc: "input names left to right (default: sorted names)")
    static let rows = Param<Int>("rows", default: 8, rule: .atLeast(1), doc: "how many images (the first, in name order)")
    static let cell = Param<Int>("cell", default: 96, rule: .atLeast(16), doc: "cell size in pixels")
    static let title = Param<String>("title", default: "", doc: "a line above the grid")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "contact_sheet", version: 1,
            summary: "a PNG grid: a column per input folder, a row per shared image name",
            params: [Self.order.spec, Self.rows.spec, Self.cell.spec, Self.title.spec],
            inputs: nil, outputs: ["sheet"],
            check: { configuration in
                let given = configuration.params[Self.order]
                var problems = given.filter { !configuration.inputs.contains($0) }.map {
                    ConfigurationProblem(param: Self.order.name, "order names '\($0)', which is not an input of this stage")
                }
                if configuration.inputs.isEmpty { problems.append(ConfigurationProblem("a contact sheet needs at least one input folder")) }
                return problems
            },
            metrics: { _ in [] })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let given = context.params[Self.order]
        let names = given.isEmpty ? context.inputs.keys.sorted() : given
        guard !names.isEmpty else { throw StageFailure.message("a contact sheet needs at least one input folder") }
        let folders = try names.map { try ImageFolder(root: try context.input($0)) }
        var shared = Set(folders[0].relativePaths)
        for folder in folders.dropFirst() { shared.formIntersection(folder.relativePaths) }
        let rows = folders[0].relativePaths.filter { shared.contains($0) }.prefix(max(1, context.params[Self.rows]))
        var cells: [ContactSheet.Cell] = []
        for path in rows {
            for (name, folder) in zip(names, folders) {
                cells.append(ContactSheet.Cell(try ImageCodec.read(folder.root.appendingPathComponent(path)), caption: name))
            }
        }
        let layout = ContactSheet(columns: names.count, cellSize: max(16, context.params[Self.cell]), padding: 4,
                                  fontScale: 1, title: context.params[Self.title])
        let folder = try context.output("sheet")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ImageCodec.write(layout.render(cells), to: folder.appendingPathComponent("sheet.png"))
        return StageResult(metrics: [])
    }
}
