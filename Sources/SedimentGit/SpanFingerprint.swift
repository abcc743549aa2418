/// How much of one file's content another holds, measured as git measures it for rename
/// detection (`diffcore-delta`): the content is cut into spans that end at a newline or after
/// 64 bytes, each span hashed; a file is the multiset of its span hashes, weighted by span
/// length. Two files share the bytes of the spans they have in common. Matching git's measure
/// exactly (not libgit2's, which differs) is what makes a rename found where `git diff -M`
/// finds one, and only there.
struct SpanFingerprint {
    /// Span hashes in ascending order, each once.
    let hashes: [UInt32]
    /// The bytes of the spans with the hash at the same index.
    let counts: [UInt32]

    /// git's `HASHBASE`: span hashes are taken modulo this prime.
    private static let hashBase: UInt32 = 107_927

    init(_ content: UnsafeRawBufferPointer) {
        let bytes = content.bindMemory(to: UInt8.self)
        // A file is text unless a NUL is among its first 8,000 bytes (git's buffer_is_binary);
        // in text, the CR of a CRLF does not count.
        let isText = !bytes.prefix(8000).contains(0)
        // Each span as its hash (high half) and length (low half), so sorting sorts by hash.
        var spans: [UInt64] = []
        spans.reserveCapacity(bytes.count / 32 + 1)
        var accum1: UInt32 = 0, accum2: UInt32 = 0, length: UInt32 = 0
        var index = 0
        let end = bytes.count
        while index < end {
            let byte = bytes[index]
            index += 1
            if isText && byte == 0x0D && index < end && bytes[index] == 0x0A { continue }
            let previous = accum1
            accum1 = (accum1 << 7) ^ (accum2 >> 25)
            accum2 = (accum2 << 7) ^ (previous >> 25)
            accum1 &+= UInt32(byte)
            length += 1
            if length < 64 && byte != 0x0A { continue }
            spans.append(UInt64((accum1 &+ accum2 &* 0x61) % Self.hashBase) << 32 | UInt64(length))
            (accum1, accum2, length) = (0, 0, 0)
        }
        if length > 0 { spans.append(UInt64((accum1 &+ accum2 &* 0x61) % Self.hashBase) << 32 | UInt64(length)) }
        spans.sort()
        var hashes: [UInt32] = [], counts: [UInt32] = []
        hashes.reserveCapacity(spans.count)
        counts.reserveCapacity(spans.count)
        for span in spans {
            let hash = UInt32(span >> 32), count = UInt32(truncatingIfNeeded: span)
            if let last = hashes.last, last == hash {
                counts[counts.count - 1] &+= count
            } else {
                hashes.append(hash)
                counts.append(count)
            }
        }
        (self.hashes, self.counts) = (hashes, counts)
    }

    /// The bytes of `self` (the source) found again in `destination` (git's `src_copied`):
    /// for each span hash, the smaller of the two counts.
    func bytesCopied(to destination: SpanFingerprint) -> Int {
        var copied = 0
        var other = 0
        let theirs = destination.hashes
        for (index, hash) in hashes.enumerated() {
            while other < theirs.count && theirs[other] < hash { other += 1 }
            guard other < theirs.count, theirs[other] == hash else { continue }
            copied += Int(min(counts[index], destination.counts[other]))
            other += 1
        }
        return copied
    }
}
