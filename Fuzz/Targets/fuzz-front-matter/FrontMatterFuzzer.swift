import Foundation
import SedimentText

/// Front matter of a Markdown file: its lines, its delimiters, and the bounded YAML check and load.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let text = TextLines.decode(bytes) else { return 0 }
    _ = TextLines.lines(of: text)
    _ = FrontMatter.opens(text)
    if let frontMatter = FrontMatter(text) {
        _ = try? BoundedYAML.load(frontMatter.yaml)
    }
    return 0
}
