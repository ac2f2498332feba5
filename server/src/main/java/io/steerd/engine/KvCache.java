package io.steerd.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.steerd.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Keys and values for {@code rows} sequences of up to {@code capacity} tokens, allocated once in
 * native memory. The ONNX tensors wrap the same memory, so a step hands the cache to the graph
 * without copying it, and only the new tokens' keys and values are written back.
 */
public final class KvCache implements AutoCloseable {
  private final ModelConfig config;
  private final int rows;
  private final int capacity;
  private final FloatBuffer[] keys;
  private final FloatBuffer[] values;
  private final OnnxTensor[] keyTensors;
  private final OnnxTensor[] valueTensors;

  public KvCache(OrtEnvironment env, ModelConfig config, int rows, int capacity) throws OrtException {
    this.config = config;
    this.rows = rows;
    this.capacity = capacity;
    int layers = config.numLayers();
    keys = new FloatBuffer[layers];
    values = new FloatBuffer[layers];
    keyTensors = new OnnxTensor[layers];
    valueTensors = new OnnxTensor[layers];
    long[] shape = {rows, config.numKvHeads(), capacity, config.headDim()};
    long floats = (long) rows * config.kvDim() * capacity;
    try {
      for (int l = 0; l < layers; l++) {
        keys[l] = allocate(floats);
        values[l] = allocate(floats);
        keyTensors[l] = OnnxTensor.createTensor(env, keys[l], shape);
        valueTensors[l] = OnnxTensor.createTensor(env, values[l], shape);
      }
    } catch (OrtException | RuntimeException e) {
      close();
      throw e;
    }
  }

  public int rows() {
    return rows;
  }

  public int capacity() {
    return capacity;
  }

  OnnxTensor keyTensor(int layer) {
    return keyTensors[layer];
  }

  OnnxTensor valueTensor(int layer) {
    return valueTensors[layer];
  }

  /**
   * Copies {@code count} new positions of batch row {@code batchRow} from a step's output, laid
   * out [batch][kv_heads][steps][head_dim], into cache row {@code row} from {@code position} on.
   */
  void write(int layer, FloatBuffer newKeys, FloatBuffer newValues, int steps, int batchRow,
      int row, int position, int count) {
    int heads = config.numKvHeads();
    int hd = config.headDim();
    for (int h = 0; h < heads; h++) {
      int src = ((batchRow * heads + h) * steps) * hd;
      int dst = ((row * heads + h) * capacity + position) * hd;
      copy(newKeys, src, keys[layer], dst, count * hd);
      copy(newValues, src, values[layer], dst, count * hd);
    }
  }

  private static void copy(FloatBuffer from, int fromIndex, FloatBuffer to, int toIndex, int length) {
    to.put(toIndex, from, fromIndex, length);
  }

  private static FloatBuffer allocate(long floats) {
    return ByteBuffer.allocateDirect(Math.toIntExact(floats * Float.BYTES))
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public void close() {
    for (int l = 0; l < keyTensors.length; l++) {
      if (keyTensors[l] != null) {
        keyTensors[l].close();
      }
      if (valueTensors[l] != null) {
        valueTensors[l].close();
      }
    }
  }
}
