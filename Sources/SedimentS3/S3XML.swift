import Foundation

/// The XML of S3's answers, read into a tree: elements with their children and text.
/// S3's documents are small and plain (no attributes that matter, no mixed content), so
/// this reader knows only elements, text, the five named entities and numeric references;
/// declarations, comments and attributes are skipped.
struct S3XML {
    var name: String
    var children: [S3XML] = []
    var text = ""

    /// The first child named `name`.
    subscript(name: String) -> S3XML? { children.first { $0.name == name } }

    /// Every child named `name`.
    func all(_ name: String) -> [S3XML] { children.filter { $0.name == name } }

    /// The text of the first child named `name`.
    func value(_ name: String) -> String? { self[name]?.text }

    /// The root element of `data`; nil when it is not XML this reader understands.
    static func parse(_ data: Data) -> S3XML? {
        let bytes = [UInt8](data)
        var stack: [S3XML] = [S3XML(name: "")]
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                guard let close = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
                let inside = bytes[(i + 1)..<close]
                i = close + 1
                guard let first = inside.first else { return nil }
                if first == UInt8(ascii: "?") || first == UInt8(ascii: "!") { continue }
                if first == UInt8(ascii: "/") {
                    guard stack.count > 1 else { return nil }
                    let done = stack.removeLast()
                    stack[stack.count - 1].children.append(done)
                    continue
                }
                let selfClosing = inside.last == UInt8(ascii: "/")
                let body = selfClosing ? inside.dropLast() : inside
                let nameEnd = body.firstIndex { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? body.endIndex
                let element = S3XML(name: String(decoding: body[body.startIndex..<nameEnd], as: UTF8.self))
                if selfClosing {
                    stack[stack.count - 1].children.append(element)
                } else {
                    stack.append(element)
                }
            } else {
                let end = bytes[i...].firstIndex(of: UInt8(ascii: "<")) ?? bytes.count
                stack[stack.count - 1].text += unescape(String(decoding: bytes[i..<end], as: UTF8.self))
                i = end
            }
        }
        guard stack.count == 1 else { return nil }
        return stack[0].children.first
    }

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { out.unicodeScalars.append(scalar) } else { out += "&" + entity + ";" }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return out + rest
    }

    /// `text` escaped for an element's content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
