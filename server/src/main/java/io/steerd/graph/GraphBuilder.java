package io.steerd.graph;

import com.google.protobuf.ByteString;
import io.steerd.graph.onnx.Onnx.AttributeProto;
import io.steerd.graph.onnx.Onnx.GraphProto;
import io.steerd.graph.onnx.Onnx.ModelProto;
import io.steerd.graph.onnx.Onnx.NodeProto;
import io.steerd.graph.onnx.Onnx.OperatorSetIdProto;
import io.steerd.graph.onnx.Onnx.TensorProto;
import io.steerd.graph.onnx.Onnx.TensorShapeProto;
import io.steerd.graph.onnx.Onnx.TypeProto;
import io.steerd.graph.onnx.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * A small vocabulary for writing ONNX graphs by hand: named inputs, outputs, initializers and
 * nodes. Every node gets the name of its (first) output, so a graph dump reads like the code that
 * built it.
 */
final class GraphBuilder {
  static final int OPSET = 17;
  /** ONNX Runtime's contrib operators. */
  static final String MS_DOMAIN = "com.microsoft";
  private static final long IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private final Set<String> domains = new java.util.TreeSet<>();

  GraphBuilder(String name) {
    graph.setName(name);
  }

  /** A graph input; each dim is a Long (fixed) or a String (symbolic). */
  String input(String name, TensorProto.DataType type, Object... dims) {
    graph.addInput(valueInfo(claim(name), type, dims));
    return name;
  }

  void output(String name, TensorProto.DataType type, Object... dims) {
    graph.addOutput(valueInfo(name, type, dims));
  }

  String floats(String name, float[] data, long... dims) {
    ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(data);
    return initializer(name, TensorProto.DataType.FLOAT, bytes.array(), dims);
  }

  /** A uint8 initializer (packed quantized weights). */
  String bytes(String name, byte[] data, long... dims) {
    return initializer(name, TensorProto.DataType.UINT8, data, dims);
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  String longs(String name, long... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return initializer(name, TensorProto.DataType.INT64, bytes.array(), values.length);
  }

  /** A scalar int64 constant. */
  String scalarLong(String name, long value) {
    ByteBuffer bytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
    return initializer(name, TensorProto.DataType.INT64, bytes.array());
  }

  /** A scalar float constant. */
  String scalarFloat(String name, float value) {
    return floats(name, new float[] {value});
  }

  /** Adds a node with one output, named {@code name}, and returns that name. */
  String op(String opType, String name, String[] inputs, AttributeProto... attributes) {
    return opMulti(opType, new String[] {name}, inputs, attributes)[0];
  }

  String op(String opType, String name, String input, AttributeProto... attributes) {
    return op(opType, name, new String[] {input}, attributes);
  }

  String op(String opType, String name, String a, String b, AttributeProto... attributes) {
    return op(opType, name, new String[] {a, b}, attributes);
  }

  String[] opMulti(String opType, String[] outputs, String[] inputs, AttributeProto... attributes) {
    return opMulti(opType, "", outputs, inputs, attributes);
  }

  /** A node of another operator domain; "" is the default ONNX domain. */
  String[] opMulti(String opType, String domain, String[] outputs, String[] inputs,
      AttributeProto... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setDomain(domain)
        .setName(claim(outputs[0]));
    if (!domain.isEmpty()) {
      domains.add(domain);
    }
    for (int i = 1; i < outputs.length; i++) {
      claim(outputs[i]);
    }
    for (String input : inputs) {
      node.addInput(input);
    }
    for (String output : outputs) {
      node.addOutput(output);
    }
    for (AttributeProto attribute : attributes) {
      node.addAttribute(attribute);
    }
    graph.addNode(node);
    return outputs;
  }

  ModelProto model(String producer, String docString) {
    ModelProto.Builder model = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName(producer)
        .setDocString(docString)
        .setGraph(graph);
    for (String domain : domains) {
      model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(1));
    }
    return model.build();
  }

  static AttributeProto attr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(value).build();
  }

  static AttributeProto attr(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
        .setF(value).build();
  }

  static AttributeProto attrInts(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name)
        .setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  private String initializer(String name, TensorProto.DataType type, byte[] raw, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(claim(name)).setDataType(type.getNumber())
        .setRawData(ByteString.copyFrom(raw));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  private String claim(String name) {
    if (!names.add(name)) {
      throw new IllegalStateException("graph value defined twice: " + name);
    }
    return name;
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String symbol) {
        dim.setDimParam(symbol);
      } else {
        dim.setDimValue(((Number) d).longValue());
      }
      shape.addDim(dim);
    }
    TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber())
        .setShape(shape).build();
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(tensor)).build();
  }
}
