package io.steerd.graph;

import static io.steerd.graph.GraphBuilder.attr;
import static io.steerd.graph.GraphBuilder.attrInts;

import io.steerd.graph.onnx.Onnx.ModelProto;
import io.steerd.graph.onnx.Onnx.TensorProto.DataType;
import io.steerd.model.LlamaWeights;
import io.steerd.model.ModelConfig;

/**
 * Builds a Llama decoder as an ONNX graph with steering ports and an externally owned KV cache.
 *
 * <p>Inputs, for a batch of B rows each processing S new tokens:
 *
 * <ul>
 *   <li>{@code input_ids} int64 [B, S]: new tokens, right-padded where rows differ in length.
 *   <li>{@code past_lengths} int64 [B]: tokens already in each row's cache; row b's new tokens sit
 *       at positions past_lengths[b] + s.
 *   <li>{@code cache_key.L}, {@code cache_value.L} float [B, kv_heads, T, head_dim]: the cache,
 *       read-only here. Only the first past_lengths[b] positions of row b are attended to, so T
 *       is a capacity, and the caller writes the new keys and values back.
 *   <li>{@code logit_index} int64 [B, R]: which of the S positions to produce logits and hidden
 *       states for (the last prompt token when sampling, every position when scoring).
 *   <li>Steering ports, as a table of E edit configurations and a row index into it, so a batch
 *       mixing many configurations stays cheap: {@code edit_index} int64 [B];
 *       {@code steer_add} float [E, layers, dim]; {@code steer_ablate_in} and
 *       {@code steer_ablate_out} float [E, layers, rank, dim]. At the output of block L, row b
 *       with e = edit_index[b] becomes h - sum_k (h . in[e,L,k]) out[e,L,k] + add[e,L]. That
 *       affine form is closed under composition, so any sequence of ADD and ABLATE edits
 *       compiles to it exactly (see {@code io.steerd.steering.EditCompiler}).
 * </ul>
 *
 * <p>Outputs: {@code logits} float [B, R, vocab] and {@code log_normalizer} float [B, R], their
 * log-sum-exp; {@code hidden} float [B, R, layers, dim], the
 * edited residual stream after every block; {@code key.L}, {@code value.L} float [B, kv_heads,
 * S, head_dim], the new tokens' rotated keys and values for the caller's cache.
 */
public final class DecoderGraph {
  public static final String INPUT_IDS = "input_ids";
  public static final String PAST_LENGTHS = "past_lengths";
  public static final String LOGIT_INDEX = "logit_index";
  public static final String EDIT_INDEX = "edit_index";
  public static final String STEER_ADD = "steer_add";
  public static final String STEER_ABLATE_IN = "steer_ablate_in";
  public static final String STEER_ABLATE_OUT = "steer_ablate_out";
  public static final String LOGITS = "logits";
  /** log(sum(exp(logits))) per output row, so callers get log-probabilities without a pass. */
  public static final String LOG_NORMALIZER = "log_normalizer";
  public static final String HIDDEN = "hidden";

  /** How attention reads and extends the cache. */
  public enum Attention {
    /**
     * ONNX Runtime's GroupQueryAttention kernel (com.microsoft domain, CPU): rotary, grouped
     * attention over exactly each row's history, and the new keys and values written into the
     * cache in place (outputs {@code present_key.L}/{@code present_value.L} must be bound to the
     * cache inputs' memory). Rows of one run either all have the same number of new tokens or
     * all start from an empty cache.
     */
    FUSED,
    /**
     * Standard ONNX operators only, for execution providers without a float GroupQueryAttention:
     * attention over the whole cache capacity with masks, new keys and values returned as
     * {@code key.L}/{@code value.L} for the caller to store.
     */
    PORTABLE
  }

  /** How the projection and classifier weights are stored. */
  public enum Weights {
    FLOAT32,
    /**
     * 4-bit blocks of 32 along the input dimension, one float scale per block, symmetric,
     * multiplied by ONNX Runtime's MatMulNBits kernel: an eighth of the weight bytes per token.
     * The embedding and the steering ports stay float.
     */
    INT4;

    /** "none" (float32) or "int4", as the command lines spell them. */
    public static Weights parse(String name) {
      return switch (name.toLowerCase(java.util.Locale.ROOT)) {
        case "none" -> FLOAT32;
        case "int4" -> INT4;
        default -> throw new IllegalArgumentException("must be none or int4, not '" + name + "'");
      };
    }
  }

  /** Additive large negative rather than -inf, so a fully masked span can never produce NaN. */
  private static final float MASKED = -1e9f;

  public static String cacheKey(int layer) {
    return "cache_key." + layer;
  }

  public static String cacheValue(int layer) {
    return "cache_value." + layer;
  }

  public static String newKey(int layer) {
    return "key." + layer;
  }

  public static String newValue(int layer) {
    return "value." + layer;
  }

  public static String presentKey(int layer) {
    return "present_key." + layer;
  }

  public static String presentValue(int layer) {
    return "present_value." + layer;
  }

  private final GraphBuilder g = new GraphBuilder("steerd_llama_decoder");
  private final LlamaWeights w;
  private final ModelConfig c;
  private final int rank;
  private final Attention attention;
  private final Weights precision;
  /** Head size as stored in the cache: padded to the fused kernel's multiple of 16. */
  private final int hs;

  // Values shared by every layer, computed once per run.
  private String pastMask;
  private String causalMask;
  private String cacheLength;
  private String gatherIndex;
  private String addRows;
  private String ablateInRows;
  private String ablateOutRows;
  private String seqlensK;
  private String totalLength;
  private String cosTable;
  private String sinTable;
  private String positions;

  private DecoderGraph(LlamaWeights weights, int ablationRank, Attention attention,
      Weights precision) {
    this.w = weights;
    this.c = weights.config();
    this.rank = ablationRank;
    this.attention = attention;
    this.precision = precision;
    this.hs = storedHeadDim(weights.config(), attention);
  }

  /**
   * The cache's head size. GroupQueryAttention needs a multiple of 16, so the fused graph pads
   * each head with zero dimensions: zero query and key components add nothing to q.k, zero value
   * components attend to zeros that the output projection ignores, and their rotary pairs turn
   * zeros into zeros. The model computes exactly what the unpadded one does.
   */
  public static int storedHeadDim(ModelConfig config, Attention attention) {
    int hd = config.headDim();
    return attention == Attention.FUSED ? (hd + 15) / 16 * 16 : hd;
  }

  /**
   * @param ablationRank how many ablation directions one layer of one edit configuration can
   *     carry; edits that need more are refused before they reach the graph
   */
  public static ModelProto build(LlamaWeights weights, int ablationRank, Attention attention,
      Weights precision) {
    if (ablationRank < 1) {
      throw new IllegalArgumentException("ablationRank must be at least 1");
    }
    DecoderGraph graph = new DecoderGraph(weights, ablationRank, attention, precision);
    graph.define();
    return graph.g.model("steerd", "Llama decoder with steering ports (" + attention
        + " attention, " + precision + " weights), " + weights.config());
  }

  private void define() {
    int layers = c.numLayers();
    String ids = g.input(INPUT_IDS, DataType.INT64, "batch", "seq");
    String pastLengths = g.input(PAST_LENGTHS, DataType.INT64, "batch");
    String logitIndex = g.input(LOGIT_INDEX, DataType.INT64, "batch", "outputs");
    String editIndex = g.input(EDIT_INDEX, DataType.INT64, "batch");
    String steerAdd = g.input(STEER_ADD, DataType.FLOAT, "edits", (long) layers, (long) c.dim());
    String ablateIn = g.input(STEER_ABLATE_IN, DataType.FLOAT, "edits", (long) layers, (long) rank,
        (long) c.dim());
    String ablateOut = g.input(STEER_ABLATE_OUT, DataType.FLOAT, "edits", (long) layers,
        (long) rank, (long) c.dim());
    for (int l = 0; l < layers; l++) {
      g.input(cacheKey(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "cache", (long) hs);
      g.input(cacheValue(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "cache", (long) hs);
    }

    defineSharedValues(ids, pastLengths, logitIndex);
    addRows = g.op("Gather", "steer.add_rows", steerAdd, editIndex, attr("axis", 0L));
    ablateInRows = g.op("Gather", "steer.ablate_in_rows", ablateIn, editIndex, attr("axis", 0L));
    ablateOutRows = g.op("Gather", "steer.ablate_out_rows", ablateOut, editIndex,
        attr("axis", 0L));

    String embedding = g.floats("w.token_embedding", w.tokenEmbedding(), c.vocabSize(), c.dim());
    String h = g.op("Gather", "embed", embedding, ids, attr("axis", 0L));
    String[] selected = new String[layers];
    for (int l = 0; l < layers; l++) {
      h = block(l, h);
      h = steer(l, h);
      String picked = g.op("GatherND", "l" + l + ".picked", h, gatherIndex, attr("batch_dims", 1L));
      selected[l] = picked;
    }

    String[] perLayer = new String[layers];
    String axis2 = g.longs("axes.2", 2);
    for (int l = 0; l < layers; l++) {
      perLayer[l] = g.op("Unsqueeze", "hidden.l" + l, selected[l], axis2);
    }
    g.op("Concat", HIDDEN, perLayer, attr("axis", 2L));
    String finalNorm = rmsNorm("final_norm", selected[layers - 1], w.finalNorm());
    linear(LOGITS, finalNorm, w.classifier(), c.dim(), c.vocabSize());
    g.op("ReduceLogSumExp", LOG_NORMALIZER, LOGITS, attrInts("axes", -1), attr("keepdims", 0L));

    g.output(LOGITS, DataType.FLOAT, "batch", "outputs", (long) c.vocabSize());
    g.output(LOG_NORMALIZER, DataType.FLOAT, "batch", "outputs");
    g.output(HIDDEN, DataType.FLOAT, "batch", "outputs", (long) layers, (long) c.dim());
    for (int l = 0; l < layers; l++) {
      if (attention == Attention.FUSED) {
        g.output(presentKey(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "cache", (long) hs);
        g.output(presentValue(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "cache",
            (long) hs);
      } else {
        g.output(newKey(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "seq",
            (long) c.headDim());
        g.output(newValue(l), DataType.FLOAT, "batch", (long) c.numKvHeads(), "seq",
            (long) c.headDim());
      }
    }
  }

  /** Positions, rotary angles and attention masks: the same for every layer. */
  private void defineSharedValues(String ids, String pastLengths, String logitIndex) {
    String one = g.scalarLong("const.one", 1);
    String axes0 = g.longs("axes.0", 0);
    String seqLength = g.op("Squeeze", "seq_length",
        g.op("Shape", "seq_length_1d", ids, attr("start", 1L), attr("end", 2L)), axes0);

    gatherIndex = g.op("Unsqueeze", "gather_index", logitIndex, g.longs("axes.-1", -1));
    float[][] tables = rotaryTables();
    cosTable = g.floats("rope.cos_table", tables[0], c.contextLength(), hs / 2);
    sinTable = g.floats("rope.sin_table", tables[1], c.contextLength(), hs / 2);
    if (attention == Attention.FUSED) {
      // GroupQueryAttention's bookkeeping: per row, (tokens after this run) - 1, and the batch's
      // longest total as a scalar.
      String totals = g.op("Add", "row_totals", pastLengths, seqLength);
      seqlensK = g.op("Cast", "seqlens_k", g.op("Sub", "row_totals_minus_one", totals, one),
          attr("to", (long) DataType.INT32.getNumber()));
      totalLength = g.op("Cast", "total_sequence_length",
          g.op("ReduceMax", "longest_total", totals, attr("keepdims", 0L)),
          attr("to", (long) DataType.INT32.getNumber()));
      return;
    }
    String zero = g.scalarLong("const.zero", 0);
    String axes1 = g.longs("axes.1", 1);
    String steps = g.op("Range", "steps", new String[] {zero, seqLength, one});
    String pastColumn = g.op("Unsqueeze", "past_lengths_column", pastLengths, axes1);
    positions = g.op("Add", "positions", pastColumn, steps); // [B, S]

    cacheLength = g.op("Shape", "cache_length_1d", cacheKey(0), attr("start", 2L), attr("end", 3L));
    String cacheLengthScalar = g.op("Squeeze", "cache_length", cacheLength, axes0);
    String zeroF = g.scalarFloat("const.zero_f", 0f);
    String maskedF = g.scalarFloat("const.masked", MASKED);
    // Cache positions t < past_lengths[b] are row b's history: [B, 1, 1, T].
    String cachePositions = g.op("Range", "cache_positions", new String[] {zero, cacheLengthScalar, one});
    String inHistory = g.op("Less", "in_history", cachePositions, pastColumn);
    pastMask = g.op("Unsqueeze", "past_mask",
        g.op("Where", "past_mask_2d", new String[] {inHistory, zeroF, maskedF}),
        g.longs("axes.1.2", 1, 2));
    // Query rows are (position, group member) pairs, so row r belongs to position r / group.
    String group = g.scalarLong("const.group", c.groupSize());
    String rowCount = g.op("Mul", "query_rows", seqLength, group);
    String rowPosition = g.op("Div", "row_position",
        g.op("Range", "rows", new String[] {zero, rowCount, one}), group);
    String rowColumn = g.op("Unsqueeze", "row_position_column", rowPosition, axes1);
    String visible = g.op("LessOrEqual", "causal_visible", steps, rowColumn); // [S*G, S]
    causalMask = g.op("Where", "causal_mask", new String[] {visible, zeroF, maskedF});
  }

  private String block(int l, String x) {
    String p = "l" + l + ".";
    int d = c.dim();
    String xn = rmsNorm(p + "attn_norm", x, w.attentionNorm()[l]);
    String attended = attention == Attention.FUSED ? fusedAttention(l, xn) : portableAttention(l, xn);
    String attnOut = attention == Attention.FUSED
        ? linear(p + "attn_out", attended, padColumns(w.wo()[l], d, c.numHeads()), c.numHeads() * hs,
            d)
        : linear(p + "attn_out", attended, w.wo()[l], d, d);
    x = g.op("Add", p + "attn_residual", x, attnOut);

    int hidden = c.hiddenDim();
    String xf = rmsNorm(p + "ffn_norm", x, w.ffnNorm()[l]);
    String gate = linear(p + "gate", xf, w.w1()[l], d, hidden);
    String up = linear(p + "up", xf, w.w3()[l], d, hidden);
    String silu = g.op("Mul", p + "silu", gate, g.op("Sigmoid", p + "gate_sigmoid", gate));
    String down = linear(p + "down", g.op("Mul", p + "swiglu", silu, up), w.w2()[l], hidden, d);
    return g.op("Add", p + "output", x, down);
  }

  /** Attention from standard operators over the whole cache capacity, masked per row. */
  private String portableAttention(int l, String xn) {
    String p = "l" + l + ".";
    int d = c.dim();
    int kv = c.kvDim();
    int hd = c.headDim();
    int group = c.groupSize();
    String q = linear(p + "q", xn, w.wq()[l], d, d);
    String k = linear(p + "k", xn, w.wk()[l], d, kv);
    String v = linear(p + "v", xn, w.wv()[l], d, kv);

    q = g.op("Reshape", p + "q_heads", rotary(p + "q", q, c.numHeads()),
        g.longs(p + "q_heads_shape", 0, 0, c.numHeads(), hd));
    k = g.op("Reshape", p + "k_heads", rotary(p + "k", k, c.numKvHeads()),
        g.longs(p + "k_heads_shape", 0, 0, c.numKvHeads(), hd));
    String vHeads = g.op("Reshape", p + "v_heads", v,
        g.longs(p + "v_heads_shape", 0, 0, c.numKvHeads(), hd));
    String newK = g.op("Transpose", newKey(l), k, attrInts("perm", 0, 2, 1, 3));
    String newV = g.op("Transpose", newValue(l), vHeads, attrInts("perm", 0, 2, 1, 3));

    // Queries grouped under their key/value head: [B, kv_heads, S * group, head_dim].
    String qGrouped = g.op("Reshape", p + "q_grouped", q,
        g.longs(p + "q_grouped_shape", 0, 0, c.numKvHeads(), group, hd));
    qGrouped = g.op("Transpose", p + "q_by_kv_head", qGrouped, attrInts("perm", 0, 2, 1, 3, 4));
    qGrouped = g.op("Reshape", p + "q_rows", qGrouped,
        g.longs(p + "q_rows_shape", 0, 0, -1, hd));
    qGrouped = g.op("Mul", p + "q_scaled", qGrouped,
        g.scalarFloat(p + "attn_scale", (float) (1.0 / Math.sqrt(hd))));

    String pastScores = g.op("Add", p + "scores_past_masked",
        g.op("MatMul", p + "scores_past", qGrouped,
            g.op("Transpose", p + "cache_key_t", cacheKey(l), attrInts("perm", 0, 1, 3, 2))),
        pastMask);
    String newScores = g.op("Add", p + "scores_new_masked",
        g.op("MatMul", p + "scores_new", qGrouped,
            g.op("Transpose", p + "key_t", newK, attrInts("perm", 0, 1, 3, 2))),
        causalMask);
    String probs = g.op("Softmax", p + "probs",
        g.op("Concat", p + "scores", new String[] {pastScores, newScores}, attr("axis", 3L)),
        attr("axis", 3L));
    String axis3 = g.longs(p + "axes.3", 3);
    String pastProbs = g.op("Slice", p + "probs_past",
        new String[] {probs, g.longs(p + "slice_start", 0), cacheLength, axis3});
    String newProbs = g.op("Slice", p + "probs_new",
        new String[] {probs, cacheLength, g.longs(p + "slice_end", Long.MAX_VALUE), axis3});
    String attended = g.op("Add", p + "attended",
        g.op("MatMul", p + "attended_past", pastProbs, cacheValue(l)),
        g.op("MatMul", p + "attended_new", newProbs, newV));
    attended = g.op("Reshape", p + "attended_groups", attended,
        g.longs(p + "attended_groups_shape", 0, 0, -1, group, hd));
    attended = g.op("Transpose", p + "attended_by_position", attended,
        attrInts("perm", 0, 2, 1, 3, 4));
    attended = g.op("Reshape", p + "attended_flat", attended, g.longs(p + "flat_shape", 0, 0, d));
    return attended;
  }

  /**
   * GroupQueryAttention on packed QKV: one projection, then rotary, attention over each row's
   * history and the in-place cache append in one kernel.
   */
  private String fusedAttention(int l, String xn) {
    String p = "l" + l + ".";
    int d = c.dim();
    int heads = c.numHeads();
    int kvHeads = c.numKvHeads();
    // [out][in] matrices stack by rows: q, then k, then v outputs, each head padded to hs rows.
    int rows = (heads + 2 * kvHeads) * hs;
    float[] packed = new float[rows * d];
    padRows(w.wq()[l], heads, d, packed, 0);
    padRows(w.wk()[l], kvHeads, d, packed, heads * hs);
    padRows(w.wv()[l], kvHeads, d, packed, (heads + kvHeads) * hs);
    String qkv = linear(p + "qkv", xn, packed, d, rows);
    String[] outs = g.opMulti("GroupQueryAttention", GraphBuilder.MS_DOMAIN,
        new String[] {p + "attended", presentKey(l), presentValue(l)},
        new String[] {qkv, "", "", cacheKey(l), cacheValue(l), seqlensK, totalLength, cosTable,
            sinTable},
        attr("num_heads", (long) heads), attr("kv_num_heads", (long) kvHeads),
        attr("do_rotary", 1L), attr("rotary_interleaved", 1L),
        attr("scale", (float) (1.0 / Math.sqrt(c.headDim()))));
    return outs[0];
  }

  /** Copies each head's head_dim rows of a [heads * head_dim][in] matrix into hs-row slots. */
  private void padRows(float[] m, int heads, int in, float[] into, int firstRow) {
    int hd = c.headDim();
    for (int h = 0; h < heads; h++) {
      System.arraycopy(m, h * hd * in, into, (firstRow + h * hs) * in, hd * in);
    }
  }

  /** [out][heads * head_dim] to [out][heads * hs], each head's inputs padded with zeros. */
  private float[] padColumns(float[] m, int out, int heads) {
    int hd = c.headDim();
    float[] padded = new float[out * heads * hs];
    for (int o = 0; o < out; o++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(m, o * heads * hd + h * hd, padded, o * heads * hs + h * hs, hd);
      }
    }
    return padded;
  }

  /** The steering port at block l's output: ablate the row's directions, then add its vector. */
  private String steer(int l, String h) {
    String p = "l" + l + ".steer.";
    String layer = g.scalarLong(p + "layer", l);
    String add = g.op("Unsqueeze", p + "add",
        g.op("Gather", p + "add_rows", addRows, layer, attr("axis", 1L)), g.longs(p + "axes", 1));
    String in = g.op("Gather", p + "ablate_in", ablateInRows, layer, attr("axis", 1L));
    String out = g.op("Gather", p + "ablate_out", ablateOutRows, layer, attr("axis", 1L));
    String projection = g.op("MatMul", p + "projection", h,
        g.op("Transpose", p + "ablate_in_t", in, attrInts("perm", 0, 2, 1)));
    String removed = g.op("Sub", p + "ablated", h, g.op("MatMul", p + "removed", projection, out));
    return g.op("Add", p + "output", removed, add);
  }

  /**
   * Rotates interleaved pairs (2i, 2i+1) of each head of x [B, S, heads * head_dim] by
   * position-dependent angles, with ONNX Runtime's RotaryEmbedding kernel.
   */
  private String rotary(String name, String x, int heads) {
    return g.opMulti("RotaryEmbedding", GraphBuilder.MS_DOMAIN, new String[] {name + ".rotated"},
        new String[] {x, positions, cosTable, sinTable}, attr("interleaved", 1L),
        attr("num_heads", (long) heads))[0];
  }

  /** x W^T for W stored [out][in], in the graph's weight precision. */
  private String linear(String name, String x, float[] outIn, int in, int out) {
    if (precision == Weights.FLOAT32) {
      return g.op("MatMul", name, x, g.floats(name + ".w_t", transpose(outIn, out, in), in, out));
    }
    Int4Blocks q = Int4Blocks.quantize(outIn, out, in);
    return g.opMulti("MatMulNBits", GraphBuilder.MS_DOMAIN, new String[] {name},
        new String[] {x, g.bytes(name + ".w_q4", q.packed(), out, q.blocksPerRow(), Int4Blocks.BLOB),
            g.floats(name + ".w_scales", q.scales(), (long) out * q.blocksPerRow())},
        attr("K", (long) in), attr("N", (long) out), attr("bits", 4L),
        attr("block_size", (long) Int4Blocks.BLOCK))[0];
  }

  /** x / sqrt(mean(x^2) + eps) * weight, in the form ORT fuses into one kernel. */
  private String rmsNorm(String name, String x, float[] weight) {
    String squared = g.op("Pow", name + ".sq", x, g.scalarFloat(name + ".two", 2f));
    String mean = g.op("ReduceMean", name + ".mean", squared, attrInts("axes", -1),
        attr("keepdims", 1L));
    String rms = g.op("Sqrt", name + ".rms",
        g.op("Add", name + ".mean_eps", mean, g.scalarFloat(name + ".eps", c.normEps())));
    String normalized = g.op("Div", name + ".normalized", x, rms);
    return g.op("Mul", name, normalized, g.floats(name + ".weight", weight, weight.length));
  }

  /**
   * cos and sin of pos * theta^(-2i / head_dim), computed in float as llama2.c does, for the
   * hs / 2 pairs of a stored head; padding pairs get the identity rotation.
   */
  private float[][] rotaryTables() {
    int half = hs / 2;
    float[] cosT = new float[c.contextLength() * half];
    float[] sinT = new float[c.contextLength() * half];
    for (int pos = 0; pos < c.contextLength(); pos++) {
      for (int i = 0; i < half; i++) {
        if (i >= c.headDim() / 2) {
          cosT[pos * half + i] = 1f;
          continue;
        }
        float freq = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0f * i) / c.headDim()));
        float angle = pos * freq;
        cosT[pos * half + i] = (float) Math.cos(angle);
        sinT[pos * half + i] = (float) Math.sin(angle);
      }
    }
    return new float[][] {cosT, sinT};
  }

  /** [rows][cols] row-major to [cols][rows]: MatMul wants weights as [in][out]. */
  static float[] transpose(float[] m, int rows, int cols) {
    float[] t = new float[m.length];
    for (int r = 0; r < rows; r++) {
      for (int col = 0; col < cols; col++) {
        t[col * rows + r] = m[r * cols + col];
      }
    }
    return t;
  }
}
