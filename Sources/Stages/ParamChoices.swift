import Imaging
import Pipeline
import Study
import CycleGAN
import Retrieval

// The enumerations of the lower layers that stage parameters take by name (`bad_images: skip`).
extension BadImagePolicy: ParamChoice {}
extension PaintingStyle: ParamChoice {}
extension CycleGAN.Direction: ParamChoice {}
extension StudyKind: ParamChoice {}
extension ClassTerms: ParamChoice {}
extension ResizeFilter: ParamChoice {}
