/// The activation function of an SAE (how pre-activations become latent activations).
public enum SAEArchitecture: String, Codable, Sendable, CaseIterable {
    /// ReLU then keep the k largest per token (Gao et al. 2024; sparsify, SAELens `topk`).
    case topk
    /// ReLU then keep the B·k largest over a batch while training; at inference a single threshold
    /// (Bussmann et al. 2024).
    case batchtopk
    /// ReLU (trained with an L1 penalty; SAELens `standard`).
    case relu
    /// ReLU gated by a per-latent threshold θ: z = pre·1[pre > θ] (Rajamanoharan et al. 2024b; Gemma Scope).
    case jumprelu
    /// Gated SAE (Rajamanoharan et al. 2024a; SAELens `gated`).
    case gated
}

/// Extra parameters of a gated SAE (SAELens layout): the gate uses `encoder`/`b_gate`, the magnitude
/// path uses the same directions scaled by exp(r_mag) with bias `b_mag`.
public struct GatedParameters: Sendable, Equatable {
    /// [m]
    public var bGate: [Float]
    /// [m]
    public var bMag: [Float]
    /// [m]
    public var rMag: [Float]
    public init(bGate: [Float], bMag: [Float], rMag: [Float]) { self.bGate = bGate; self.bMag = bMag; self.rMag = rMag }
}

/// Where an SAE came from and what it is, for display and provenance.
public struct SAEInfo: Sendable, Equatable, Codable {
    /// "seedscope", "sparsify", "saelens", "gemmascope", …
    public var format: String = "seedscope"
    /// The folder or file it was loaded from.
    public var path: String = ""
    /// The weights file inside `path` (named in errors about the weights).
    public var weightsFile: String? = nil
    /// Stored dtype of the weights ("F32", "BF16", …).
    public var dtype: String = "F32"
    /// Training seed if known.
    public var seed: Int? = nil
    /// Hookpoint (e.g. "layers.15") if known.
    public var hookpoint: String? = nil
    /// Short display name (e.g. "layers.15/seed0").
    public var name: String = ""
    /// Model the SAE was trained on, if the checkpoint says (SAELens `metadata.model_name`).
    public var model: String? = nil
    /// Whether the format promises unit-norm decoder rows (sparsify/seedscope `normalize_decoder`);
    /// `inspect` warns when rows deviate.
    public var promisesUnitDecoderRows: Bool = false
    /// Conversions applied on load that a user should know about (e.g. a v5 finetuning scale folded
    /// into the decoder rows), and settings that could not be honoured.
    public var notes: [String] = []
    public init() {}
}

/// A sparse autoencoder in seedscope's canonical in-memory form (sparsify orientation).
///
/// Encoder directions are **rows** of `encoder` (`[m × d]`, sparsify's `encoder.weight`; SAELens's
/// `W_enc` `[d × m]` is transposed on load), decoder directions are rows of `decoder` (`[m × d]`).
/// Encoding: `pre = (x − b_dec·[subtractDecoderBias])·encoderᵀ + encoderBias`, then the activation.
/// Decoding: `x̂ = z·decoder + decoderBias`.
public struct SparseAutoencoder: Sendable {
    /// `[m × d]`, row i = encoder direction of latent i.
    public var encoder: Matrix
    /// `[m]`
    public var encoderBias: [Float]
    /// `[m × d]`, row i = decoder direction of latent i.
    public var decoder: Matrix
    /// `[d]`
    public var decoderBias: [Float]
    /// The activation function.
    public var architecture: SAEArchitecture
    /// Active latents per token for `topk` (and per token on average for `batchtopk`).
    public var k: Int?
    /// Per-latent thresholds θ `[m]` for `jumprelu`.
    public var thresholds: [Float]?
    /// Inference threshold of a `batchtopk` SAE: z = pre·1[pre > t].
    public var batchThreshold: Float?
    /// Gated-SAE parameters (`gated` only). For a gated SAE `encoderBias` holds `b_gate` too, so
    /// `preActivations` returns the gate pre-activations.
    public var gated: GatedParameters?
    /// Whether `b_dec` is subtracted from the input before encoding (sparsify: always unless
    /// transcoding; SAELens: `apply_b_dec_to_input`; Gemma Scope: never).
    public var subtractDecoderBias: Bool
    /// Multiply activations by the decoder row norms after encoding (SAELens
    /// `rescale_acts_by_decoder_norm`; decoding then divides by them).
    public var rescaleActsByDecoderNorm: Bool = false
    /// Per-token input normalisation applied before encoding and undone after decoding (SAELens
    /// `normalize_activations`).
    public var inputNormalization: SAEInputNormalization = .none
    /// Skip connection `W_skip` `[d × d]` (sparsify `skip_connection`): output += x·W_skipᵀ.
    public var skip: Matrix? = nil
    /// log10 firing frequency per latent `[m]` from SAELens `sparsity.safetensors`, if present.
    public var logSparsity: [Float]? = nil
    /// Provenance and labels.
    public var info: SAEInfo

    /// Input width d.
    public var dIn: Int { encoder.cols }
    /// Number of latents m.
    public var numLatents: Int { encoder.rows }

    public init(encoder: Matrix, encoderBias: [Float], decoder: Matrix, decoderBias: [Float],
                architecture: SAEArchitecture, k: Int? = nil, thresholds: [Float]? = nil,
                batchThreshold: Float? = nil, gated: GatedParameters? = nil,
                subtractDecoderBias: Bool = true, info: SAEInfo = SAEInfo()) {
        precondition(encoder.rows == decoder.rows && encoder.cols == decoder.cols, "encoder \(encoder.rows)x\(encoder.cols) vs decoder \(decoder.rows)x\(decoder.cols)")
        precondition(encoderBias.count == encoder.rows && decoderBias.count == encoder.cols, "bias sizes")
        self.encoder = encoder
        self.encoderBias = encoderBias
        self.decoder = decoder
        self.decoderBias = decoderBias
        self.architecture = architecture
        self.k = k
        self.thresholds = thresholds
        self.batchThreshold = batchThreshold
        self.gated = gated
        self.subtractDecoderBias = subtractDecoderBias
        self.info = info
    }
}

/// Sparse latent activations of a batch: for each of `rows` tokens, `k` (value, latent index)
/// pairs, sorted by value descending. Unused slots (fewer than k active) have value 0 and index −1.
public struct SparseCodes: Sendable, Equatable {
    /// Tokens in the batch.
    public var rows: Int
    /// Slots per token.
    public var k: Int
    /// `[rows × k]` activation values.
    public var values: [Float]
    /// `[rows × k]` latent indices (−1 for an empty slot).
    public var indices: [Int32]
    public init(rows: Int, k: Int, values: [Float], indices: [Int32]) {
        self.rows = rows; self.k = k; self.values = values; self.indices = indices
    }
}
