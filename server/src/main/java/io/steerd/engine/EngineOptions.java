package io.steerd.engine;

import io.steerd.graph.DecoderGraph;

/**
 * How the model runs under ONNX Runtime.
 *
 * @param threads intra-op threads; 0 chooses (see {@link DecoderSession#autoThreads})
 * @param spinWait let worker threads spin between operators: lower latency on an idle machine,
 *     but they burn the cores the gRPC threads (and, in a pod, the application) need
 * @param weights projection and classifier weight precision
 */
public record EngineOptions(int threads, boolean spinWait, DecoderGraph.Weights weights) {
  public static EngineOptions defaults() {
    return new EngineOptions(0, false, DecoderGraph.Weights.FLOAT32);
  }

  public static EngineOptions threads(int threads) {
    return new EngineOptions(threads, false, DecoderGraph.Weights.FLOAT32);
  }
}
