import CGit2
import Foundation

/// Calls `body` with a `git_strarray` view of `strings`.
func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) throws -> T) rethrows -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    var mutable = pointers
    return try mutable.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: strings.count)
        return try body(&array)
    }
}
