import Foundation
import SedimentStore
import SedimentText

/// Derives an observation from a package's manifest, its card and config contents, and the
/// hub's metadata. Pure: no network, no git. A malformed card or config is recorded as a
/// problem for that part; everything else is still observed.
public enum ObservationExtractor {
    /// Weight formats by file name.
    public static func format(of path: String) -> String? {
        let name = path.split(separator: "/").last.map(String.init)?.lowercased() ?? ""
        let components = path.lowercased().split(separator: "/")
        if components.contains(where: { $0 == "saved_model" || $0.hasSuffix(".savedmodel") }) { return "tensorflow" }
        if name.hasSuffix(".mlpackage") || components.contains(where: { $0.hasSuffix(".mlpackage") }) { return "coreml" }
        let suffixes: [(String, String)] = [
            (".safetensors", "safetensors"), (".bin", "pytorch"), (".pt", "pytorch"), (".pth", "pytorch"), (".ckpt", "pytorch"),
            (".onnx", "onnx"), (".h5", "tensorflow"), (".pb", "tensorflow"), (".keras", "keras"), (".tflite", "tflite"),
            (".gguf", "gguf"), (".msgpack", "flax"), (".mlmodel", "coreml"), (".joblib", "joblib"), (".pkl", "pickle"),
            (".pickle", "pickle"),
        ]
        return suffixes.first { name.hasSuffix($0.0) }?.1
    }

    /// A structured file of the package as the visit found it.
    public enum File: Sendable {
        /// The package has no such file.
        case absent
        case content(Data)
        /// The file is there but its content cannot be had (not stored, or an LFS object).
        case unavailable(String)

        init(_ data: Data?) { self = data.map(File.content) ?? .absent }
    }

    /// How much of a card's front matter and of a config is read (`[limits]`).
    public struct Limits: Sendable, Equatable {
        public var cardBytes: Int = ModelCard.yamlLimits.maxBytes
        public var configBytes: Int = ModelConfig.maximumBytes

        public init(cardBytes: Int = ModelCard.yamlLimits.maxBytes, configBytes: Int = ModelConfig.maximumBytes) {
            self.cardBytes = cardBytes
            self.configBytes = configBytes
        }

        public var yaml: BoundedYAML.Limits {
            var limits = ModelCard.yamlLimits
            limits.maxBytes = cardBytes
            return limits
        }
    }

    public static func observe(manifest: Manifest?, card: Data?, config: Data?, hubMetadata: String?) -> ObservationRecord {
        observe(manifest: manifest, card: File(card), config: File(config), hubMetadata: hubMetadata)
    }

    public static func observe(manifest: Manifest?, card cardFile: File, config configFile: File, hubMetadata: String?,
                               limits: Limits = Limits()) -> ObservationRecord {
        var o = ObservationRecord()
        var problems: [String: String] = [:]
        if let manifest {
            var formats: [String: (files: Int, bytes: Int64)] = [:]
            for entry in manifest.entries {
                let size = entry.lfsSize ?? entry.size
                o.files += 1
                o.bytes += size
                if entry.lfsOID != nil {
                    o.lfsFiles += 1
                    o.lfsBytes += entry.lfsSize ?? 0
                }
                if let format = format(of: entry.path) {
                    formats[format, default: (0, 0)].files += 1
                    formats[format, default: (0, 0)].bytes += size
                }
            }
            o.weightFormats = JSONCompatible.object(formats.mapValues {
                .object(["files": .number(Double($0.files)), "bytes": .number(Double($0.bytes))])
            }).json
        }
        switch cardFile {
        case .absent: o.cardState = .absent
        case .unavailable(let why): (o.cardState, o.cardProblem) = (.unparseable, why)
        case .content: o.cardState = .ok
        }
        switch configFile {
        case .absent: o.configState = .absent
        case .unavailable(let why): (o.configState, o.configProblem) = (.unparseable, why)
        case .content: o.configState = .ok
        }
        if case .content(let card) = cardFile {
            let parsed = ModelCard(card, yamlLimits: limits.yaml)
            o.cardBytes = Int64(parsed.bytes)
            o.cardHasBody = parsed.hasBody
            if let problem = parsed.problem { (o.cardState, o.cardProblem) = (.unparseable, problem) }
            if let fields = parsed.fields {
                o.cardFields = JSONCompatible.object(fields).json
                o.cardLicense = fields["license"].flatMap(Self.text)
                o.cardTags = fields["tags"].map(Self.list)
                o.cardDatasets = fields["datasets"].map(Self.list)
                o.cardLanguage = fields["language"].map(Self.list)
                o.cardBaseModel = fields["base_model"].flatMap(Self.text)
                o.cardPipelineTag = fields["pipeline_tag"].flatMap(Self.text)
                o.cardLibraryName = fields["library_name"].flatMap(Self.text)
                o.cardHasModelIndex = fields["model-index"] != nil
            }
        }
        if case .content(let config) = configFile {
            let parsed = ModelConfig(config, maximumBytes: limits.configBytes)
            if let problem = parsed.problem { (o.configState, o.configProblem) = (.unparseable, problem) }
            if let fields = parsed.fields {
                o.configFields = JSONCompatible.object(fields).json
                o.configArchitectures = fields["architectures"].map(Self.list)
                o.configModelType = fields["model_type"].flatMap(Self.text)
                o.configTorchDtype = fields["torch_dtype"].flatMap(Self.text)
                o.configTransformersVersion = fields["transformers_version"].flatMap(Self.text)
            }
        }
        if let hubMetadata, let data = hubMetadata.data(using: .utf8),
           let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], case .object(let fields)? = JSONCompatible(json: object) {
            let metrics = fields.filter { key, value in
                if case .number = value { return ObservationRecord.metricKeys.contains(key) }
                return false
            }
            if !metrics.isEmpty { o.hubMetrics = JSONCompatible.object(metrics).json }
            if case .number(let n)? = fields["downloads"] { o.downloads = Int64(n) }
            if case .number(let n)? = fields["likes"] { o.likes = Int64(n) }
        }
        if let problem = o.cardProblem { problems["card"] = problem }
        if let problem = o.configProblem { problems["config"] = problem }
        if !problems.isEmpty { o.problems = JSONCompatible.object(problems.mapValues { .string($0) }).json }
        return o
    }

    /// A scalar as text (strings as they are, numbers and booleans as JSON).
    public static func text(_ value: JSONCompatible) -> String? {
        switch value {
        case .string(let s): return s
        case .null: return nil
        case .array(let items): return items.first.flatMap(text)
        default: return value.json
        }
    }

    /// A value as a JSON array (a single value becomes a one-element array).
    static func list(_ value: JSONCompatible) -> String {
        switch value {
        case .array: return value.json
        case .null: return "[]"
        default: return JSONCompatible.array([value]).json
        }
    }
}
