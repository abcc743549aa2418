import CGit2
import SedimentNetwork

extension GitError {
    /// The kind of failure libgit2 reported. libgit2 1.5 gives an HTTP status only in its
    /// message (`unexpected http status code: 404`, class `http`) and a broken connection only
    /// as words, so this is the one place that reads them; everything else goes by the
    /// return code (`GIT_ENOTFOUND`, `GIT_EAUTH`, …) and the error class.
    ///
    /// See <https://libgit2.org/libgit2/#HEAD/type/git_error_code> and `git_error_t`.
    public static func classify(resultCode: Int32, errorClass: Int32, message: String) -> FailureCode {
        let text = message.lowercased()
        if let range = text.range(of: "status code: ") {
            let digits = text[range.upperBound...].prefix { $0.isNumber }.prefix(3)
            if let status = Int(digits), let code = FailureCode(status: status) { return code }
        }
        if resultCode == GIT_EAUTH.rawValue || text.contains("authentication") { return .unauthorised }
        if resultCode == GIT_ENOTFOUND.rawValue || notFoundPhrases.contains(where: text.contains) { return .notFound }
        if text.contains("timed out") || text.contains("timeout") { return .timeout }
        if brokenConnectionPhrases.contains(where: text.contains) { return .connection }
        if resultCode == GIT_ECERTIFICATE.rawValue { return .protocol }
        if errorClass == Int32(GIT_ERROR_CALLBACK.rawValue) && text == "cancelled" { return .cancelled }
        switch errorClass {
        case Int32(GIT_ERROR_NOMEMORY.rawValue), Int32(GIT_ERROR_OS.rawValue), Int32(GIT_ERROR_FILESYSTEM.rawValue):
            return .localIO
        case Int32(GIT_ERROR_SSL.rawValue), Int32(GIT_ERROR_HTTP.rawValue), Int32(GIT_ERROR_INDEXER.rawValue), Int32(GIT_ERROR_ZLIB.rawValue):
            return .protocol
        default:
            return .other
        }
    }

    /// How libgit2 and git servers say a repository does not exist.
    static let notFoundPhrases = ["404", "not found", "does not appear to be a git repository", "could not find repository",
                                  "no such repository", "failed to resolve path"]

    /// How libgit2 says a connection broke in the middle of a transfer.
    static let brokenConnectionPhrases = ["stream ended at an unexpected time", "early eof", "unexpected eof", "connection reset",
                                          "broken pipe", "unexpected disconnect"]
}
