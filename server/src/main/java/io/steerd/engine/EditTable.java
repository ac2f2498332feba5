package io.steerd.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.steerd.model.ModelConfig;
import io.steerd.steering.LayerEdit;
import io.steerd.steering.SteeringPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The graph's steering ports for one batch: a table of distinct edit configurations, row 0
 * always the identity (no edit), held as native tensors for as long as the batch keeps them.
 */
public final class EditTable implements AutoCloseable {
  private final OnnxTensor add;
  private final OnnxTensor ablateIn;
  private final OnnxTensor ablateOut;
  private final int size;

  /** Row 0 is the identity; plans.get(i) becomes row i + 1. */
  public EditTable(OrtEnvironment env, ModelConfig config, int rank, List<SteeringPlan> plans)
      throws OrtException {
    int layers = config.numLayers();
    int dim = config.dim();
    size = plans.size() + 1;
    FloatBuffer addData = allocate((long) size * layers * dim);
    FloatBuffer inData = allocate((long) size * layers * rank * dim);
    FloatBuffer outData = allocate((long) size * layers * rank * dim);
    for (int e = 1; e < size; e++) {
      SteeringPlan plan = plans.get(e - 1);
      for (int l = 0; l < layers; l++) {
        LayerEdit edit = plan.layer(l);
        if (edit == null) {
          continue;
        }
        if (edit.rank() > rank) {
          throw new IllegalArgumentException("layer " + l + " needs " + edit.rank()
              + " ablation directions; the graph was built with " + rank);
        }
        addData.put(((e * layers) + l) * dim, edit.add());
        for (int k = 0; k < edit.rank(); k++) {
          int offset = (((e * layers) + l) * rank + k) * dim;
          inData.put(offset, edit.ablateIn()[k]);
          outData.put(offset, edit.ablateOut()[k]);
        }
      }
    }
    OnnxTensor a = null;
    OnnxTensor i = null;
    try {
      a = OnnxTensor.createTensor(env, addData, new long[] {size, layers, dim});
      i = OnnxTensor.createTensor(env, inData, new long[] {size, layers, rank, dim});
      ablateOut = OnnxTensor.createTensor(env, outData, new long[] {size, layers, rank, dim});
    } catch (OrtException e) {
      if (a != null) {
        a.close();
      }
      if (i != null) {
        i.close();
      }
      throw e;
    }
    add = a;
    ablateIn = i;
  }

  public int size() {
    return size;
  }

  OnnxTensor add() {
    return add;
  }

  OnnxTensor ablateIn() {
    return ablateIn;
  }

  OnnxTensor ablateOut() {
    return ablateOut;
  }

  private static FloatBuffer allocate(long floats) {
    return ByteBuffer.allocateDirect(Math.toIntExact(floats * Float.BYTES))
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  @Override
  public void close() {
    add.close();
    ablateIn.close();
    ablateOut.close();
  }
}
