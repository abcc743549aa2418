import SedimentEngine
import XCTest

/// Which LFS objects `lfs`, `lfs_max_bytes` and `lfs_include` select.
final class LFSPolicyTests: XCTestCase {
    func testPointersFetchNothing() {
        XCTAssertFalse(LFSPolicy(fetch: false).selects(path: "model.safetensors", size: 1))
    }

    func testMaxBytes() {
        let policy = LFSPolicy(fetch: true, maxBytes: 1000)
        XCTAssertTrue(policy.selects(path: "a.bin", size: 1000))
        XCTAssertFalse(policy.selects(path: "a.bin", size: 1001))
        XCTAssertTrue(LFSPolicy(fetch: true, maxBytes: 0).selects(path: "a.bin", size: Int64.max), "0 is no limit")
    }

    func testIncludeGlobs() {
        let policy = LFSPolicy(fetch: true, include: ["*.safetensors", "onnx/*", "*/fp16/*.bin"])
        XCTAssertTrue(policy.selects(path: "model.safetensors", size: 1))
        XCTAssertTrue(policy.selects(path: "deep/down/model.safetensors", size: 1), "a pattern without / matches the file name anywhere")
        XCTAssertTrue(policy.selects(path: "onnx/model.onnx", size: 1))
        XCTAssertTrue(policy.selects(path: "onnx/sub/model.onnx", size: 1), "* crosses folders in a pattern with /")
        XCTAssertTrue(policy.selects(path: "weights/fp16/a.bin", size: 1))
        XCTAssertFalse(policy.selects(path: "pytorch_model.bin", size: 1))
        XCTAssertFalse(policy.selects(path: "other/onnx/model.onnx", size: 1), "a pattern with / is anchored at the package's root")
        XCTAssertTrue(LFSPolicy(fetch: true, include: []).selects(path: "anything", size: 1), "empty is every path")
    }
}
