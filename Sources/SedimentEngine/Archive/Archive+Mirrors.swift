import Foundation
import SedimentGit
import SedimentStore

extension Archive {
    /// Moves mirrors made by earlier versions, whose folder could be shared by different URLs
    /// (`…/modèle` and `…/modéle` both went to `…/mod_le.git`), to the folder of their exact
    /// URL. A folder one URL had to itself is renamed, so nothing is fetched again; a folder
    /// several URLs shared is left where it is (its content may be any of theirs), and each of
    /// those repositories is fetched afresh into its own mirror. Index repositories, which have
    /// no catalog row, are moved the same way. Returns what it did, for the log.
    @discardableResult
    func relocateLegacyMirrors() throws -> [String] {
        let fm = FileManager.default
        var notes: [String] = []
        let rows = try catalog.repositoryMirrors()
        let sharing = Dictionary(grouping: rows, by: \.mirror)
        func move(_ old: String, _ new: String) -> Bool {
            let from = mirrorFolder(old), to = mirrorFolder(new)
            guard fm.fileExists(atPath: from), !fm.fileExists(atPath: to) else { return false }
            do {
                try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fm.moveItem(atPath: from, toPath: to)
                return true
            } catch {
                notes.append("could not move mirror \(old) to \(new): \(error.localizedDescription); it is fetched afresh")
                return false
            }
        }
        for row in rows {
            let wanted = GitURL.mirrorPath(for: row.url)
            guard row.mirror != wanted else { continue }
            if sharing[row.mirror, default: []].count == 1 {
                if move(row.mirror, wanted) { notes.append("moved mirror \(row.mirror) to \(wanted)") }
            } else {
                notes.append("mirror \(row.mirror) was shared by \(sharing[row.mirror]!.count) URLs; \(row.url) is fetched afresh into \(wanted)")
            }
            try catalog.setMirrorPath(repository: row.id, to: wanted)
        }
        let recorded = Set(rows.map(\.mirror))
        for url in configuration.hubs.compactMap(\.index) {
            let old = GitURL.legacyMirrorPath(for: url), new = GitURL.mirrorPath(for: url)
            if !recorded.contains(old), move(old, new) { notes.append("moved index mirror \(old) to \(new)") }
        }
        return notes
    }
}
