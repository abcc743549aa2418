import Foundation
import SedimentGit

extension Configuration.Hub {
    /// The credentials from `token_file` or `token_env`, if configured. The token is never logged.
    public func credentials(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GitCredentials? {
        if let file = tokenFile {
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ConfigurationError(file: file, key: nil, problem: "cannot read the token file of hub \"\(name)\"")
            }
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ConfigurationError(file: file, key: nil, problem: "the token file of hub \"\(name)\" is empty") }
            return GitCredentials(username: username, password: token)
        }
        // A kind's own convention when nothing else is configured (Hugging Face: HF_TOKEN).
        let variable = tokenEnv ?? (try? kindType)?.defaultTokenVariable(environment: environment)
        if let variable {
            guard let token = environment[variable], !token.isEmpty else {
                throw ConfigurationError(file: "environment", key: variable, problem: "hub \"\(name)\" reads its token from $\(variable), which is not set")
            }
            return GitCredentials(username: username, password: token)
        }
        return nil
    }
}
