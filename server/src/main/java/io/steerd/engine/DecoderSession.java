package io.steerd.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.steerd.graph.DecoderGraph;
import io.steerd.model.LlamaWeights;
import io.steerd.model.ModelConfig;
import io.steerd.steering.SteeringPlan;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decoder graph loaded into ONNX Runtime, and the one place that turns a {@link StepInput}
 * into tensors and back. It owns no sequence state: caches and edit tables are the caller's.
 */
public final class DecoderSession implements AutoCloseable {
  /** Ablation directions per layer per configuration the graph has room for. */
  public static final int DEFAULT_ABLATION_RANK = 4;

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelConfig config;
  private final Device device;
  private final int ablationRank;

  private final DecoderGraph.Attention attention;
  private final int threads;
  /** Outputs ONNX Runtime allocates; with fused attention the cache outputs are bound instead. */
  private final Set<String> returned = new HashSet<>();

  private DecoderSession(OrtEnvironment env, OrtSession session, ModelConfig config, Device device,
      int ablationRank, DecoderGraph.Attention attention, int threads) {
    this.threads = threads;
    this.env = env;
    this.session = session;
    this.config = config;
    this.device = device;
    this.ablationRank = ablationRank;
    this.attention = attention;
    returned.add(DecoderGraph.LOGITS);
    returned.add(DecoderGraph.LOG_NORMALIZER);
    returned.add(DecoderGraph.HIDDEN);
    if (attention == DecoderGraph.Attention.PORTABLE) {
      for (int l = 0; l < config.numLayers(); l++) {
        returned.add(DecoderGraph.newKey(l));
        returned.add(DecoderGraph.newValue(l));
      }
    }
  }

  public static DecoderSession open(LlamaWeights weights, Device device, EngineOptions options)
      throws OrtException {
    return open(weights, device, options, attentionFor(weights.config(), device));
  }

  /**
   * ONNX Runtime's GroupQueryAttention has float kernels on the CPU only; CUDA takes the portable
   * graph.
   */
  public static DecoderGraph.Attention attentionFor(ModelConfig config, Device device) {
    return device.kind() == Device.Kind.CPU
        ? DecoderGraph.Attention.FUSED : DecoderGraph.Attention.PORTABLE;
  }

  public static DecoderSession open(LlamaWeights weights, Device device, EngineOptions engine,
      DecoderGraph.Attention attention) throws OrtException {
    byte[] model = DecoderGraph.build(weights, DEFAULT_ABLATION_RANK, attention, engine.weights())
        .toByteArray();
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      int used = engine.threads() > 0 ? engine.threads() : autoThreads(weights.config());
      options.setIntraOpNumThreads(used);
      options.addConfigEntry("session.intra_op.allow_spinning", engine.spinWait() ? "1" : "0");
      if (device.kind() == Device.Kind.CUDA) {
        addCuda(options, device);
      }
      OrtSession session = env.createSession(model, options);
      return new DecoderSession(env, session, weights.config(), device, DEFAULT_ABLATION_RANK,
          attention, used);
    }
  }

  private static void addCuda(OrtSession.SessionOptions options, Device device) {
    try {
      options.addCUDA(device.index());
    } catch (OrtException | UnsatisfiedLinkError e) {
      throw new IllegalStateException("--device " + device + " needs ONNX Runtime's CUDA build "
          + "(build steerd with `mvn -Pcuda package`), an NVIDIA GPU and the CUDA 12 and cuDNN 9 "
          + "libraries on the library path; ONNX Runtime said: " + e.getMessage(), e);
    }
  }

  /**
   * One thread for models too small to amortise waking a second one at every operator (the
   * stories260K decode runs 2,270 tok/s on one thread, 1,630 on two); every core otherwise.
   */
  static int autoThreads(ModelConfig config) {
    return config.parameterCount() < 4_000_000 ? 1 : Runtime.getRuntime().availableProcessors();
  }

  public ModelConfig config() {
    return config;
  }

  public Device device() {
    return device;
  }

  public DecoderGraph.Attention attention() {
    return attention;
  }

  /** ONNX Runtime intra-op threads in use. */
  public int threads() {
    return threads;
  }

  public int ablationRank() {
    return ablationRank;
  }

  public KvCache newCache(int rows, int capacity) throws OrtException {
    return new KvCache(env, config, rows, capacity,
        DecoderGraph.storedHeadDim(config, attention));
  }

  public EditTable newEditTable(List<SteeringPlan> plans) throws OrtException {
    return new EditTable(env, config, ablationRank, plans);
  }

  /** Runs one forward pass over all of {@code cache}'s rows (row b of the batch is cache row b). */
  public StepOutput step(StepInput in, KvCache cache, EditTable edits) throws OrtException {
    return step(in, cache.whole(), cache, edits);
  }

  /** Runs one forward pass over cache rows [first, first + batch). */
  public StepOutput step(StepInput in, KvCache cache, int first, EditTable edits)
      throws OrtException {
    if (first == 0) {
      return step(in, cache.prefix(in.batchSize()), cache, edits);
    }
    try (KvCache.View view = cache.view(first, in.batchSize())) {
      return step(in, view, cache, edits);
    }
  }

  /** Runs one forward pass and leaves the new tokens' keys and values in the cache view. */
  private StepOutput step(StepInput in, KvCache.View cache, KvCache owner, EditTable edits)
      throws OrtException {
    int batch = in.batchSize();
    if (batch != cache.rows()) {
      throw new IllegalArgumentException("batch of " + batch + " rows, cache of " + cache.rows());
    }
    int steps = 0;
    boolean fresh = true;
    for (int b = 0; b < batch; b++) {
      steps = Math.max(steps, in.tokens()[b].length);
      fresh &= in.pastLengths()[b] == 0;
    }
    for (int b = 0; b < batch; b++) {
      int length = in.tokens()[b].length;
      // The fused kernel writes the padded positions too, so every row needs room for them.
      int needed = in.pastLengths()[b] + (attention == DecoderGraph.Attention.FUSED ? steps : length);
      if (needed > cache.capacity()) {
        throw new IllegalArgumentException("row " + b + " needs " + needed
            + " cache positions, capacity is " + cache.capacity());
      }
      if (attention == DecoderGraph.Attention.FUSED && length != steps && !fresh) {
        throw new IllegalArgumentException("rows of different lengths must all start from an "
            + "empty cache");
      }
    }
    int outputs = in.outputPositions()[0].length;
    long[] ids = new long[batch * steps];
    long[] past = new long[batch];
    long[] picks = new long[batch * outputs];
    long[] editRows = new long[batch];
    for (int b = 0; b < batch; b++) {
      int[] row = in.tokens()[b];
      for (int s = 0; s < row.length; s++) {
        ids[b * steps + s] = row[s];
      }
      past[b] = in.pastLengths()[b];
      for (int r = 0; r < outputs; r++) {
        picks[b * outputs + r] = in.outputPositions()[b][r];
      }
      editRows[b] = in.editRows()[b];
    }

    List<OnnxTensor> owned = new ArrayList<>(4);
    try {
      Map<String, OnnxTensorLike> feeds = new HashMap<>();
      feeds.put(DecoderGraph.INPUT_IDS, own(owned, ids, batch, steps));
      feeds.put(DecoderGraph.PAST_LENGTHS, own(owned, past, batch));
      feeds.put(DecoderGraph.LOGIT_INDEX, own(owned, picks, batch, outputs));
      feeds.put(DecoderGraph.EDIT_INDEX, own(owned, editRows, batch));
      feeds.put(DecoderGraph.STEER_ADD, edits.add());
      feeds.put(DecoderGraph.STEER_ABLATE_IN, edits.ablateIn());
      feeds.put(DecoderGraph.STEER_ABLATE_OUT, edits.ablateOut());
      // A portable step with no history attends to an empty cache instead of a masked one.
      OnnxTensor noHistory = attention == DecoderGraph.Attention.PORTABLE && fresh
          ? own(owned, FloatBuffer.allocate(0), batch, config.numKvHeads(), 0, config.headDim())
          : null;
      for (int l = 0; l < config.numLayers(); l++) {
        feeds.put(DecoderGraph.cacheKey(l), noHistory != null ? noHistory : cache.keyTensor(l));
        feeds.put(DecoderGraph.cacheValue(l), noHistory != null ? noHistory : cache.valueTensor(l));
      }
      Map<String, OnnxTensor> inPlace = new HashMap<>();
      if (attention == DecoderGraph.Attention.FUSED) {
        for (int l = 0; l < config.numLayers(); l++) {
          inPlace.put(DecoderGraph.presentKey(l), cache.keyTensor(l));
          inPlace.put(DecoderGraph.presentValue(l), cache.valueTensor(l));
        }
      }
      try (OrtSession.Result result = session.run(feeds, returned, inPlace)) {
        if (attention == DecoderGraph.Attention.PORTABLE) {
          for (int l = 0; l < config.numLayers(); l++) {
            FloatBuffer keys = floats(result, DecoderGraph.newKey(l));
            FloatBuffer values = floats(result, DecoderGraph.newValue(l));
            for (int b = 0; b < batch; b++) {
              owner.write(cache, l, keys, values, steps, b, in.pastLengths()[b],
                  in.tokens()[b].length);
            }
          }
        }
        return new StepOutput(floats(result, DecoderGraph.LOGITS),
            floats(result, DecoderGraph.LOG_NORMALIZER), floats(result, DecoderGraph.HIDDEN),
            outputs, config.vocabSize(), config.numLayers(), config.dim());
      }
    } finally {
      owned.forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor own(List<OnnxTensor> owned, long[] data, long... shape) throws OrtException {
    OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape);
    owned.add(t);
    return t;
  }

  private OnnxTensor own(List<OnnxTensor> owned, FloatBuffer data, long... shape)
      throws OrtException {
    OnnxTensor t = OnnxTensor.createTensor(env, data, shape);
    owned.add(t);
    return t;
  }

  private static FloatBuffer floats(OrtSession.Result result, String name) {
    return ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
  }


  @Override
  public void close() throws OrtException {
    session.close();
  }
}
