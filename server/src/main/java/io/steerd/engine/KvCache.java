package io.steerd.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.steerd.model.ModelConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Keys and values for {@code rows} sequences of up to {@code capacity} tokens each, allocated
 * once in native memory, [rows][kv_heads][capacity][head_dim] per layer. Steps see a run of
 * consecutive rows as tensors over the same memory ({@link #view}), so neither the graph's input
 * nor its in-place output copies the history.
 */
public final class KvCache implements AutoCloseable {
  private final OrtEnvironment env;
  private final ModelConfig config;
  private final int rows;
  private final int capacity;
  private final int headDim;
  private final int rowFloats;
  private final FloatBuffer[] keys;
  private final FloatBuffer[] values;
  private final View whole;
  /** Views of rows [0, n), made once each: the running batch's view is reused every step. */
  private final View[] prefixes;

  /** @param headDim head size as the graph stores it (possibly padded) */
  public KvCache(OrtEnvironment env, ModelConfig config, int rows, int capacity, int headDim)
      throws OrtException {
    this.env = env;
    this.config = config;
    this.rows = rows;
    this.capacity = capacity;
    this.headDim = headDim;
    this.rowFloats = config.numKvHeads() * headDim * capacity;
    int layers = config.numLayers();
    keys = new FloatBuffer[layers];
    values = new FloatBuffer[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = allocate((long) rows * rowFloats);
      values[l] = allocate((long) rows * rowFloats);
    }
    whole = view(0, rows);
    prefixes = new View[rows + 1];
    prefixes[rows] = whole;
  }

  public int rows() {
    return rows;
  }

  public int capacity() {
    return capacity;
  }

  /** All rows, as one view owned by the cache. */
  View whole() {
    return whole;
  }

  /** Rows [first, first + count) as tensors over the cache's memory; close it after the step. */
  View view(int first, int count) throws OrtException {
    return new View(first, count);
  }

  /** Rows [0, count), owned by the cache (do not close). */
  View prefix(int count) throws OrtException {
    if (prefixes[count] == null) {
      prefixes[count] = new View(0, count);
    }
    return prefixes[count];
  }

  /** Copies row {@code from} over row {@code to} (a sequence moving to a lower slot). */
  void moveRow(int from, int to) {
    for (int l = 0; l < keys.length; l++) {
      keys[l].put(to * rowFloats, keys[l], from * rowFloats, rowFloats);
      values[l].put(to * rowFloats, values[l], from * rowFloats, rowFloats);
    }
  }

  /**
   * Copies {@code count} new positions of batch row {@code batchRow} from a step's output, laid
   * out [batch][kv_heads][steps][head_dim], into view row {@code batchRow} from {@code position}.
   */
  void write(View view, int layer, FloatBuffer newKeys, FloatBuffer newValues, int steps,
      int batchRow, int position, int count) {
    int heads = config.numKvHeads();
    int hd = headDim;
    int row = view.first + batchRow;
    for (int h = 0; h < heads; h++) {
      int src = ((batchRow * heads + h) * steps) * hd;
      int dst = ((row * heads + h) * capacity + position) * hd;
      keys[layer].put(dst, newKeys, src, count * hd);
      values[layer].put(dst, newValues, src, count * hd);
    }
  }

  private static FloatBuffer allocate(long floats) {
    return ByteBuffer.allocateDirect(Math.toIntExact(floats * Float.BYTES))
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public void close() {
    for (View v : prefixes) {
      if (v != null) {
        v.close();
      }
    }
  }

  /** Consecutive cache rows seen as [count][kv_heads][capacity][head_dim] tensors. */
  final class View implements AutoCloseable {
    private final int first;
    private final int count;
    private final OnnxTensor[] keyTensors;
    private final OnnxTensor[] valueTensors;

    private View(int first, int count) throws OrtException {
      if (first < 0 || count < 1 || first + count > rows) {
        throw new IllegalArgumentException("rows [" + first + ", " + (first + count)
            + ") outside a cache of " + rows);
      }
      this.first = first;
      this.count = count;
      int layers = keys.length;
      keyTensors = new OnnxTensor[layers];
      valueTensors = new OnnxTensor[layers];
      long[] shape = {count, config.numKvHeads(), capacity, headDim};
      try {
        for (int l = 0; l < layers; l++) {
          keyTensors[l] = OnnxTensor.createTensor(env, slice(keys[l]), shape);
          valueTensors[l] = OnnxTensor.createTensor(env, slice(values[l]), shape);
        }
      } catch (OrtException | RuntimeException e) {
        close();
        throw e;
      }
    }

    private FloatBuffer slice(FloatBuffer buffer) {
      return buffer.slice(first * rowFloats, count * rowFloats);
    }

    int rows() {
      return count;
    }

    int capacity() {
      return capacity;
    }

    OnnxTensor keyTensor(int layer) {
      return keyTensors[layer];
    }

    OnnxTensor valueTensor(int layer) {
      return valueTensors[layer];
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
}
