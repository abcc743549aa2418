import SedimentGit
import SedimentStore

extension PackageScope {
    /// The scope as the git layer's file selection.
    var treeSelection: TreeSelection {
        TreeSelection(subpath: subpath, excluded: Set(excluded), extra: cardPath.flatMap { path in card.map { (path, $0) } })
    }

    /// Whether the package's scope is narrower than its whole repository.
    var isNarrowed: Bool { !subpath.isEmpty || !isWholeSubpath }
}
