import Foundation
import SedimentEngine
import SedimentGit
import SedimentStore

// sediment-bench: measurements of Sediment's building blocks, for `make bench`.
//
//     sediment-bench hash [--no-store | --store STORE] DIR...
//         store every regular file under DIR into a blob store as a visit stores new
//         contents (read, SHA-256, pack with zstd or stage large files, sync, rename,
//         index) and print `files=N bytes=B seconds=S commit_seconds=C`. The store
//         is a scratch folder removed afterwards, or STORE (kept); with --no-store, files
//         are only read and hashed (what the store's hashing alone costs).
//
//         STORE may be s3://BUCKET/PREFIX (endpoint and credentials from the environment, as
//         the AWS CLI takes them): the line then also gives `requests=N`, the S3 requests sent.
//
//     sediment-bench put-object --store STORE FILE
//         store FILE as one large object the way an LFS download is stored (streamed in
//         1 MiB chunks into a resumable write, then published) and print `bytes=B seconds=S`
//         (and `requests=N` for a bucket).
//
//     sediment-bench walk MIRROR
//         the history walk of a first visit, alone: every commit reachable from the mirror's
//         branches and tags with its changes (first parent, renames as `git log -M`), and
//         print `commits=N changes=M seconds=S`.
//
//     sediment-bench catalog-visits LOCATION COUNT
//         what the catalog costs per visit on its backend (sqlite:PATH or an empty PostgreSQL
//         database's URL): COUNT first visits, then COUNT unchanged ones; prints the time and
//         the bytes each kind of visit adds (see BenchCatalog.swift).
//
//     sediment-bench seed-observations CATALOG PACKAGE COUNT
//         give PACKAGE COUNT observations, copies of its latest, each recorded as a visit
//         through the catalog (see SeedObservations.swift); print `observations=N`.

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: sediment-bench hash [--no-store | --store STORE] DIR...
               sediment-bench put-object --store STORE FILE
               sediment-bench walk MIRROR
               sediment-bench catalog-visits LOCATION COUNT
               sediment-bench seed-observations CATALOG PACKAGE COUNT

        """.utf8))
    exit(2)
}

func hashFolders(_ folders: [String], store storing: Bool, into kept: String?) throws {
    let bench = try BenchStore(kept)
    defer { bench.close() }
    let store = bench.store
    var files: [String] = []
    for folder in folders {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
        for case let relative as String in walker {
            let path = folder + "/" + relative
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { files.append(path) }
        }
    }
    let start = DispatchTime.now()
    var bytes = 0
    let batch = try store.batch()
    for path in files {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { continue }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = Int(info.st_size)
        bytes += size
        if size == 0 {
            if storing { try batch.put(Data()) }
            continue
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { continue }
        defer { munmap(map, size) }
        let buffer = UnsafeRawBufferPointer(start: map, count: size)
        if storing {
            // As a visit stores the content of git blobs new to the catalog: hashed, then
            // staged without a lookup per blob (putUnseen).
            try batch.putUnseen(buffer, id: ContentID.of(buffer: buffer), kind: .content)
        } else {
            _ = ContentID.of(buffer: buffer)
        }
    }
    let staged = DispatchTime.now()
    try batch.commit()
    let end = DispatchTime.now()
    let seconds = Double(end.uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    let commit = Double(end.uptimeNanoseconds - staged.uptimeNanoseconds) / 1e9
    print("files=\(files.count) bytes=\(bytes) seconds=\(String(format: "%.4f", seconds)) commit_seconds=\(String(format: "%.4f", commit))"
          + bench.requests)
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { usage() }
switch command {
case "hash" where arguments.count > 1:
    do {
        var rest = Array(arguments.dropFirst())
        var noStore = false
        var kept: String?
        if rest.first == "--no-store" {
            noStore = true
            rest.removeFirst()
        } else if rest.first == "--store", rest.count > 1 {
            kept = rest[1]
            rest.removeFirst(2)
        }
        if rest.isEmpty { usage() }
        try hashFolders(rest, store: !noStore, into: kept)
    } catch {
        FileHandle.standardError.write(Data("sediment-bench: \(error)\n".utf8))
        exit(1)
    }
case "put-object" where arguments.count == 4 && arguments[1] == "--store":
    do {
        try putObject(arguments[3], into: arguments[2])
    } catch {
        FileHandle.standardError.write(Data("sediment-bench: \(error)\n".utf8))
        exit(1)
    }
case "walk" where arguments.count == 2:
    do {
        let tips = try Repository.open(at: arguments[1]).references(prefixes: ["refs/heads/", "refs/tags/"])
        let start = DispatchTime.now()
        let commits = try HistoryWalk(mirror: arguments[1], tips: Array(Set(tips.values)), hidden: []).run()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        print("commits=\(commits.count) changes=\(commits.reduce(0) { $0 + $1.changes.count }) seconds=\(String(format: "%.4f", seconds))")
    } catch {
        FileHandle.standardError.write(Data("sediment-bench: \(error)\n".utf8))
        exit(1)
    }
case "catalog-visits" where arguments.count == 3:
    guard let count = Int(arguments[2]), count > 0 else { usage() }
    do {
        try catalogVisits(location: arguments[1], count: count)
    } catch {
        FileHandle.standardError.write(Data("sediment-bench: \(error)\n".utf8))
        exit(1)
    }
case "seed-observations" where arguments.count == 4:
    guard let count = Int(arguments[3]), count >= 0 else { usage() }
    do {
        try seedObservations(catalogPath: arguments[1], package: arguments[2], count: count)
    } catch {
        FileHandle.standardError.write(Data("sediment-bench: \(error)\n".utf8))
        exit(1)
    }
default:
    usage()
}
