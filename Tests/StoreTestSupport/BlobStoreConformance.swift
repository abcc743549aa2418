import Foundation
import SedimentStore
import Synchronization
import XCTest

/// The contract of ``BlobStore``, checked the same way for every backend: each backend's test
/// class gives a fresh store, a way to damage a stored blob and the size from which blobs are
/// large objects, and runs every check. A check that fails names itself.
public struct BlobStoreConformance: ConformanceSuite {
    /// A fresh, empty store.
    let make: () throws -> any BlobStore
    /// Changes the stored bytes of `id` so that they no longer hash to it.
    let damage: (any BlobStore, ContentID) throws -> Void
    /// Blobs of at least this many bytes take the large-object path.
    let largeSize: Int

    public init(make: @escaping () throws -> any BlobStore, damage: @escaping (any BlobStore, ContentID) throws -> Void, largeSize: Int) {
        self.make = make
        self.damage = damage
        self.largeSize = largeSize
    }

    public static let checks: [(name: String, run: @Sendable (BlobStoreConformance) throws -> Void)] = [
        ("a batch is invisible until committed, then read back whole", { try $0.putCommitRead() }),
        ("a discarded batch leaves nothing", { try $0.discardLeavesNothing() }),
        ("writing stored content again is a no-op", { try $0.repeatedPutIsANoOp() }),
        ("ranged reads give exactly the range", { try $0.rangedReads() }),
        ("large objects are stored, streamed and ranged", { try $0.largeObjects() }),
        ("many blobs of every kind in one batch", { try $0.manyBlobs() }),
        ("missing content is a permanent error", { try $0.missingIsPermanent() }),
        ("damaged content is never returned, and a replacing batch repairs it", { try $0.damageAndRepair() }),
        ("a resumable write resumes, and only matching content is published", { try $0.resumableWrites() }),
        ("sealed writes become visible together at publish", { try $0.publishTogether() }),
        ("unwanted partial writes are removed, wanted ones kept", { try $0.unwantedPartials() }),
        ("batches committed from several threads at once", { try $0.concurrentBatches() }),
        ("archive files are stored, read, copied and listed in name order", { try $0.archiveFiles() }),
    ]

    func content(_ count: Int, seed: UInt8 = 7) -> Data {
        Data((0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    func random(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8.random(in: 0...255) })
    }

    func stored(_ store: any BlobStore, _ data: Data, kind: BlobKind = .content) throws -> ContentID {
        let batch = try store.batch()
        let id = try batch.put(data, kind: kind)
        try batch.commit()
        return id
    }

    func putCommitRead() throws {
        let store = try make()
        let data = Data("hello blob store\n".utf8)
        let batch = try store.batch()
        let id = try batch.put(data)
        try expect(id == ContentID.of(data), "the id is the SHA-256 of the content")
        try expect(!store.contains(id), "staged content is visible before the commit")
        try batch.commit()
        try expect(store.contains(id), "committed content is not found")
        try expect(try store.get(id) == data, "the content read back differs")
        try expect(store.size(of: id) == Int64(data.count), "the size is not the content's length")
        try expect(store.contains(id, size: Int64(data.count)) && !store.contains(id, size: 999_999), "a claimed size is not checked")
        let other = ContentID.of(Data("absent".utf8))
        try expect(try store.present([id, other]) == [id], "present() does not say which ids are stored")
        var listed: [ContentID: Int64] = [:]
        try store.list { listed[$0] = $1 }
        try expect(listed == [id: Int64(data.count)], "list() gives \(listed)")
    }

    func discardLeavesNothing() throws {
        let store = try make()
        let batch = try store.batch()
        let id = try batch.put(Data("never committed".utf8))
        batch.discard()
        try expect(!store.contains(id), "discarded content is visible")
        try expect(try store.allIDs().isEmpty, "a discarded batch left blobs")
    }

    func repeatedPutIsANoOp() throws {
        let store = try make()
        let data = content(3_000)
        let id = try stored(store, data)
        let again = try store.batch()
        try again.put(data)
        try again.put(data)
        try again.commit()
        try expect(try store.allIDs() == [id], "the same content stored twice")
        try expect(try store.get(id) == data, "the content changed")
        // Content the caller wrongly believed new: one copy is listed and read.
        let unseen = try store.batch()
        try data.withUnsafeBytes { try unseen.putUnseen($0, id: id, kind: .content) }
        try data.withUnsafeBytes { try unseen.putUnseen($0, id: id, kind: .content) }
        try unseen.commit()
        try expect(try store.allIDs() == [id], "content put as unseen is listed twice")
        try expect(try store.get(id) == data, "content put as unseen reads otherwise")
    }

    func rangedReads() throws {
        let store = try make()
        let data = content(10_000)
        let id = try stored(store, data)
        for range in [Int64(0)..<10, 100..<5_000, 9_990..<10_000, 9_995..<20_000, 500..<500] {
            var got = Data()
            try store.read(id, range: range) { got.append(contentsOf: $0) }
            let lower = Int(min(range.lowerBound, 10_000)), upper = Int(min(range.upperBound, 10_000))
            try expect(got == data.subdata(in: lower..<upper), "range \(range) gave \(got.count) bytes")
        }
    }

    func largeObjects() throws {
        let store = try make()
        let data = random(largeSize + 12_345)
        let id = try stored(store, data)
        try expect(store.size(of: id) == Int64(data.count), "wrong size for a large object")
        var chunks = 0
        var whole = Data()
        try store.read(id) { chunks += 1; whole.append(contentsOf: $0) }
        try expect(whole == data, "a large object read back differs")
        var middle = Data()
        try store.read(id, range: Int64(largeSize - 10)..<Int64(largeSize + 10)) { middle.append(contentsOf: $0) }
        try expect(middle == data.subdata(in: largeSize - 10..<largeSize + 10), "a ranged read of a large object differs")
    }

    func manyBlobs() throws {
        let store = try make()
        let batch = try store.batch()
        var expected: [ContentID: Data] = [:]
        for n in 0..<300 {
            let data = n % 3 == 0 ? random(n * 7) : content(n * 13, seed: UInt8(n % 200))
            expected[try batch.put(data, kind: n % 10 == 0 ? .manifest : .content)] = data
        }
        try batch.commit()
        for (id, data) in expected {
            try expect(try store.get(id) == data, "blob \(id.short) of \(data.count) bytes differs")
        }
        try expect(Set(try store.allIDs()) == Set(expected.keys), "list() does not give every blob")
    }

    func missingIsPermanent() throws {
        let store = try make()
        let id = ContentID.of(Data("absent".utf8))
        do {
            _ = try store.get(id)
            throw ConformanceFailure(description: "reading a missing blob succeeded")
        } catch let error as BlobStoreError {
            guard case .missing = error, error.isPermanent else { throw ConformanceFailure(description: "wrong error: \(error)") }
        }
        try expect(store.size(of: id) == nil && !store.contains(id), "a missing blob has a size")
    }

    func damageAndRepair() throws {
        let store = try make()
        let data = content(4_000)
        let id = try stored(store, data)
        try damage(store, id)
        var delivered = Data()
        do {
            try store.read(id) { delivered.append(contentsOf: $0) }
            throw ConformanceFailure(description: "damaged content was read without an error")
        } catch let error as BlobStoreError {
            try expect(error.isPermanent && "\(error)".contains(id.hex), "the error does not name the blob: \(error)")
        }
        let plain = try store.batch()
        try plain.put(data)
        try plain.commit()
        let repair = try store.batch(replacing: true)
        try repair.put(data)
        try repair.commit()
        try expect(try store.get(id) == data, "a replacing batch did not repair the blob")
    }

    func resumableWrites() throws {
        let store = try make()
        let data = random(50_000)
        let id = ContentID.of(data)
        do {
            let first = try store.resumableWrite(of: id, size: Int64(data.count))
            try data.prefix(20_000).withUnsafeBytes { try first.append($0) }
        }
        let second = try store.resumableWrite(of: id, size: Int64(data.count))
        try expect(second.length == 20_000, "the write resumed at \(second.length), not 20000")
        try expect(!store.contains(id), "an unfinished write is visible")
        try data.suffix(from: 20_000).withUnsafeBytes { try second.append($0) }
        try second.complete()
        try expect(try store.get(id) == data, "the completed object differs")

        let wrong = random(1_000)
        let claimed = ContentID.of(Data("something else".utf8))
        let bad = try store.resumableWrite(of: claimed, size: Int64(wrong.count))
        try wrong.withUnsafeBytes { try bad.append($0) }
        do {
            try bad.complete()
            throw ConformanceFailure(description: "content that does not match its id was published")
        } catch BlobStoreError.mismatch {}
        try expect(!store.contains(claimed), "mismatching content is stored")
        let tooMuch = try store.resumableWrite(of: ContentID.of(wrong), size: 10)
        do {
            try wrong.withUnsafeBytes { try tooMuch.append($0) }
            throw ConformanceFailure(description: "more bytes than announced were accepted")
        } catch BlobStoreError.wrongSize {}
    }

    func publishTogether() throws {
        let store = try make()
        let blobs = [content(5_000, seed: 1), content(7_000, seed: 2), random(largeSize + 1)]
        var sealed: [any ResumableWrite] = []
        for data in blobs {
            let write = try store.resumableWrite(of: ContentID.of(data), size: Int64(data.count))
            try data.withUnsafeBytes { try write.append($0) }
            try write.seal()
            sealed.append(write)
        }
        try expect(!store.contains(ContentID.of(blobs[0])), "a sealed write is visible before publish")
        try store.publish(sealed)
        for data in blobs { try expect(try store.get(ContentID.of(data)) == data, "a published object differs") }
        try expect(store.removeUnwantedPartials(keeping: []) == 0, "published writes left partial files")
    }

    func unwantedPartials() throws {
        let store = try make()
        let kept = content(2_000, seed: 3), dropped = content(2_000, seed: 4)
        for data in [kept, dropped] {
            let write = try store.resumableWrite(of: ContentID.of(data), size: Int64(data.count))
            try data.prefix(500).withUnsafeBytes { try write.append($0) }
        }
        try expect(store.removeUnwantedPartials(keeping: [ContentID.of(kept).hex]) == 1, "not exactly the unwanted write was removed")
        try expect(try store.resumableWrite(of: ContentID.of(kept), size: 2_000).length == 500, "the wanted partial write was lost")
        try expect(try store.resumableWrite(of: ContentID.of(dropped), size: 2_000).length == 0, "the unwanted partial write is still there")
    }

    func concurrentBatches() throws {
        let store = try make()
        let groups = (0..<4).map { g in (0..<50).map { content(100 + $0 * 37, seed: UInt8(g * 50 + $0 % 50)) + Data([UInt8(g)]) } }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: groups.count) { g in
            do {
                let batch = try store.batch()
                for data in groups[g] { try batch.put(data) }
                try batch.commit()
            } catch {
                failures.add("\(error)")
            }
        }
        try expect(failures.all.isEmpty, "concurrent commits failed: \(failures.all)")
        for data in groups.joined() { try expect(try store.get(ContentID.of(data)) == data, "a blob of a concurrent batch differs") }
    }

    func archiveFiles() throws {
        let store = try make()
        let record = Data("{\"format\":1}\n".utf8)
        try store.putFile("records/visits/2026/b.json", data: record)
        try store.putFile("records/visits/2026/a.json", data: Data("a".utf8))
        try store.putFile("records/visits/2026/a.json", data: Data("a".utf8))
        try store.putFile("records/other.json", data: Data("other".utf8))
        let large = random(3 << 20)
        let source = NSTemporaryDirectory() + "conformance-\(UUID().uuidString)"
        defer { unlink(source); unlink(source + ".copy") }
        try large.write(to: URL(fileURLWithPath: source))
        try store.putFile("git/repo-1/x.pack", from: source)
        try expect(try store.file("records/visits/2026/b.json") == record, "a stored file reads back different")
        try store.copyFile("git/repo-1/x.pack", to: source + ".copy")
        try expect(FileManager.default.contents(atPath: source + ".copy") == large, "a copied file differs")
        var listed: [String] = []
        try store.listFiles(prefix: "records/visits/") { name, size in
            listed.append(name)
            if name.hasSuffix("b.json") { try expect(size == Int64(record.count), "a listed size is wrong") }
        }
        try expect(listed == ["records/visits/2026/a.json", "records/visits/2026/b.json"], "listing gave \(listed)")
        var all = 0
        try store.listFiles(prefix: "records/") { _, _ in all += 1 }
        try expect(all == 3, "listing records/ gave \(all) files")
        do {
            _ = try store.file("records/none.json")
            throw ConformanceFailure(description: "a missing file was read")
        } catch BlobStoreError.missingFile(let name) {
            try expect(name == "records/none.json", "the missing file is named \(name)")
        }
        for bad in ["../x", "records/../x", "/abs/x", "records//x", "packs/x", "ab/x", "top"] {
            do {
                try store.putFile(bad, data: Data())
                throw ConformanceFailure(description: "the name \(bad) was accepted")
            } catch BlobStoreError.invalidName {}
        }
        var blobs = 0
        try store.list { _, _ in blobs += 1 }
        try expect(blobs == 0, "archive files were listed as blobs")
    }
}

/// Errors collected from several threads.
public final class Failures: Sendable {
    private let items = Mutex<[String]>([])
    public init() {}
    public func add(_ item: String) { items.withLock { $0.append(item) } }
    public var all: [String] { items.withLock { $0 } }
}
