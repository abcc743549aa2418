import Foundation

extension Workspace {
    /// Publishes one repository per name for `git daemon` to serve, each a single commit of
    /// a README (`# NAME`) and `files`.
    func publishModels(_ names: [String], files: [String: String] = [:]) throws {
        for name in names {
            let repo = try newRepository(name)
            try write("README.md", "# \(name)\n", in: repo)
            for (path, text) in files.sorted(by: { $0.key < $1.key }) {
                try write(path, text, in: repo)
            }
            try commitAll("initial", in: repo)
            try publish(repo, as: name)
        }
    }
}
