import CGit2

/// Pairs the deletions and additions of one tree diff into renames the way `git diff -M`
/// does (git's `diffcore-rename`, with its defaults), so that Sediment records a rename
/// exactly where git shows one:
/// 1. exact renames: an added file whose blob a deleted file had (the same mode too, unless
///    both are regular files), preferring a source with the same file name;
/// 2. a deleted and an added file whose file name is unique on both sides and whose
///    contents are at least 75% similar;
/// 3. unless more than ``renameLimit``² pairs remain, every remaining pair of regular files
///    is scored (``SpanFingerprint``), the four best sources kept per destination, and pairs
///    of at least 50% taken best first.
/// Blobs are read only in steps 2 and 3, and only when their sizes make 50% possible.
struct RenameDetection {
    /// git's `MAX_SCORE`: a similarity of 100%.
    static let maximumScore = 60000.0
    /// git's default `-M` threshold, 50%.
    static let minimumScore = 30000
    /// git's default `diff.renameLimit`.
    static let renameLimit = 1000
    /// git's candidates kept per destination (`NUM_CANDIDATE_PER_DST`).
    private static let candidatesPerDestination = 4

    let repository: Repository
    /// The repository's object database, for blob contents.
    let odb: OpaquePointer
    let label: String
    private var sizes: [ObjectID: Int] = [:]
    private var fingerprints: [ObjectID: SpanFingerprint] = [:]

    init(repository: Repository, odb: OpaquePointer, label: String) {
        (self.repository, self.odb, self.label) = (repository, odb, label)
    }

    /// `deltas` with renamed pairs made one `renamed` delta at the place of the addition, and
    /// the deletions they consumed removed.
    mutating func apply(to deltas: [TreeDelta]) throws -> [TreeDelta] {
        var sources = deltas.indices.filter { deltas[$0].status == .deleted }
        let destinations = deltas.indices.filter { deltas[$0].status == .added }
        guard !sources.isEmpty, !destinations.isEmpty else { return deltas }
        var renamedFrom: [Int: Int] = [:]  // destination delta index -> source delta index
        var used = Set<Int>()
        func record(_ destination: Int, _ source: Int) {
            renamedFrom[destination] = source
            used.insert(source)
        }

        // 1. Exact renames, sources tried in path order.
        var byBlob: [ObjectID: [Int]] = [:]
        for source in sources { byBlob[deltas[source].oldID!, default: []].append(source) }
        for destination in destinations {
            guard let candidates = byBlob[deltas[destination].newID!] else { continue }
            var best: Int?, bestScore = 0
            for source in candidates where !used.contains(source) {
                let (from, to) = (deltas[source].oldMode!, deltas[destination].newMode!)
                if (!Self.isRegular(from) || !Self.isRegular(to)) && from != to { continue }
                let score = 1 + (Self.sameFileName(deltas[source].oldPath!, deltas[destination].newPath!) ? 1 : 0)
                if score > bestScore { (best, bestScore) = (source, score) }
                if score == 2 { break }
            }
            if let best { record(destination, best) }
        }
        sources.removeAll { used.contains($0) }

        // 2. File names unique on both sides, at 75%.
        let basenameScore = Self.minimumScore + Int(0.5 * (Self.maximumScore - Double(Self.minimumScore)))
        var sourceByName: [ArraySlice<UInt8>: Int] = [:], destinationByName: [ArraySlice<UInt8>: Int] = [:]
        for source in sources {
            let name = Self.fileName(deltas[source].oldPath!)
            sourceByName[name] = sourceByName[name] == nil ? source : -1
        }
        for destination in destinations where renamedFrom[destination] == nil {
            let name = Self.fileName(deltas[destination].newPath!)
            destinationByName[name] = destinationByName[name] == nil ? destination : -1
        }
        for source in sources {
            let name = Self.fileName(deltas[source].oldPath!)
            guard let destination = destinationByName[name], destination >= 0, sourceByName[name] == source,
                  renamedFrom[destination] == nil else { continue }
            if try similarity(deltas[source], deltas[destination], minimum: basenameScore) >= basenameScore {
                record(destination, source)
            }
        }
        sources.removeAll { used.contains($0) }

        // 3. Every remaining pair, unless there are too many.
        let remaining = destinations.filter { renamedFrom[$0] == nil }
        if !remaining.isEmpty, !sources.isEmpty, remaining.count * sources.count <= Self.renameLimit * Self.renameLimit {
            var matrix: [Candidate] = []
            matrix.reserveCapacity(remaining.count * Self.candidatesPerDestination)
            for destination in remaining {
                var best = [Candidate](repeating: .none, count: Self.candidatesPerDestination)
                for source in sources {
                    let candidate = Candidate(
                        destination: destination, source: source,
                        score: try similarity(deltas[source], deltas[destination], minimum: Self.minimumScore),
                        sameName: Self.sameFileName(deltas[source].oldPath!, deltas[destination].newPath!) ? 1 : 0)
                    var worst = 0
                    for slot in 1..<best.count where Candidate.order(best[slot], best[worst]) > 0 { worst = slot }
                    if Candidate.order(best[worst], candidate) > 0 { best[worst] = candidate }
                }
                matrix.append(contentsOf: best)
            }
            // A stable sort, best first (git's STABLE_QSORT with score_compare).
            let ranked = matrix.enumerated().sorted {
                let order = Candidate.order($0.element, $1.element)
                return order != 0 ? order < 0 : $0.offset < $1.offset
            }
            for (_, candidate) in ranked {
                guard candidate.destination >= 0, candidate.score >= Self.minimumScore else { break }
                guard renamedFrom[candidate.destination] == nil, !used.contains(candidate.source) else { continue }
                record(candidate.destination, candidate.source)
            }
        }

        guard !renamedFrom.isEmpty else { return deltas }
        var result: [TreeDelta] = []
        result.reserveCapacity(deltas.count - renamedFrom.count)
        for (index, delta) in deltas.enumerated() {
            if used.contains(index) { continue }
            guard let source = renamedFrom[index] else { result.append(delta); continue }
            var renamed = delta
            renamed.status = .renamed
            (renamed.oldPath, renamed.oldID, renamed.oldMode) = (deltas[source].oldPath, deltas[source].oldID, deltas[source].oldMode)
            result.append(renamed)
        }
        return result
    }

    /// git's `estimate_similarity`: 0 unless both are regular files whose sizes allow
    /// `minimum`, else the share of the larger size the destination took from the source.
    private mutating func similarity(_ source: TreeDelta, _ destination: TreeDelta, minimum: Int) throws -> Int {
        guard Self.isRegular(source.oldMode!), Self.isRegular(destination.newMode!) else { return 0 }
        let (from, to) = (source.oldID!, destination.newID!)
        let sourceSize = try size(from), destinationSize = try size(to)
        let largest = max(sourceSize, destinationSize), smallest = min(sourceSize, destinationSize)
        if Double(largest) * (Self.maximumScore - Double(minimum)) < Double(largest - smallest) * Self.maximumScore { return 0 }
        guard destinationSize > 0 else { return 0 }
        let copied = try fingerprint(from).bytesCopied(to: try fingerprint(to))
        return Int(Double(copied) * Self.maximumScore / Double(largest))
    }

    private mutating func size(_ id: ObjectID) throws -> Int {
        if let known = sizes[id] { return known }
        var raw = id.raw
        var size = 0
        var type = GIT_OBJECT_ANY
        try check(git_odb_read_header(&size, &type, odb, &raw), "read the size of blob \(id.hex) to detect renames in \(label)", repository.path)
        sizes[id] = size
        return size
    }

    private mutating func fingerprint(_ id: ObjectID) throws -> SpanFingerprint {
        if let known = fingerprints[id] { return known }
        var raw = id.raw
        let blob = try RawObject(odb: odb, id: &raw, operation: "read blob \(id.hex) to detect renames in \(label)", context: repository.path)
        let fingerprint = SpanFingerprint(blob.bytes)
        fingerprints[id] = fingerprint
        return fingerprint
    }

    static func isRegular(_ mode: UInt32) -> Bool { mode & 0o170000 == 0o100000 }

    /// The last component of a path.
    static func fileName(_ path: [UInt8]) -> ArraySlice<UInt8> {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return path[...] }
        return path[(slash + 1)...]
    }

    /// git's `basename_same`.
    static func sameFileName(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        fileName(a) == fileName(b)
    }
}

/// One scored source for a destination in step 3 of ``RenameDetection``.
private struct Candidate {
    var destination: Int
    var source: Int
    var score: Int
    var sameName: Int

    static let none = Candidate(destination: -1, source: -1, score: 0, sameName: 0)

    /// git's `score_compare`: negative when `a` ranks before `b` (higher score, then same
    /// file name), unused slots last.
    static func order(_ a: Candidate, _ b: Candidate) -> Int {
        if a.destination < 0 { return b.destination >= 0 ? 1 : 0 }
        if b.destination < 0 { return -1 }
        if a.score == b.score { return b.sameName - a.sameName }
        return b.score - a.score
    }
}
