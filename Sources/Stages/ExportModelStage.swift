import Foundation
import NN
import Pipeline
import CycleGAN

/// `export_model`: writes a PleinAir model (`train`'s `model` output) as junyanz's checkpoints
/// folder, `latest_net_G_A.pth` … in torch.save's zip format, for that repository's `test.py
/// --model cycle_gan` (copy the folder to `checkpoints/NAME/`) or any `torch.load` user.
package struct ExportModelStage: Stage {
    package init() {}

    static let epoch = Param<String>("epoch", default: "latest",
                                     rule: ParamRule("a file-name part without '/' (latest, 200, …)") { value in
                                         guard let text = value.stringValue else { return true }
                                         return !text.isEmpty && !text.contains("/") && text != "." && text != ".."
                                     },
                                     doc: "the <epoch> of <epoch>_net_G_A.pth (junyanz --epoch; test.py loads latest by default)")

    package var descriptor: StageDescriptor {
        StageDescriptor(
            kind: "export_model", version: 1,
            summary: "writes a trained model as junyanz checkpoints (latest_net_G_A.pth …, torch.save zip format)",
            params: [Self.epoch.spec], inputs: [("model", true)], outputs: ["checkpoints"],
            metrics: { _ in MetricDeclaration.bookkeeping("networks") })
    }

    package func run(_ context: StageContext) throws -> StageResult {
        let out = try context.output("checkpoints")
        let files = try JunyanzExport.export(model: try context.input("model"), to: out, epoch: context.params[Self.epoch])
        context.log.write("wrote \(files.map(\.lastPathComponent).joined(separator: ", "))")
        return StageResult(metrics: [Metric(name: "networks", value: Double(files.count))])
    }
}
