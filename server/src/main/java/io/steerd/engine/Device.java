package io.steerd.engine;

/** Where the model runs: the CPU, or one CUDA GPU through ONNX Runtime's CUDA provider. */
public record Device(Kind kind, int index) {
  public enum Kind {
    CPU,
    CUDA
  }

  public static final Device CPU = new Device(Kind.CPU, 0);

  /** Parses "cpu", "cuda" or "cuda:N". */
  public static Device parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("cpu")) {
      return CPU;
    }
    if (t.equals("cuda")) {
      return new Device(Kind.CUDA, 0);
    }
    if (t.startsWith("cuda:")) {
      try {
        int index = Integer.parseInt(t.substring(5));
        if (index >= 0) {
          return new Device(Kind.CUDA, index);
        }
      } catch (NumberFormatException ignored) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, not '" + text + "'");
  }

  @Override
  public String toString() {
    return kind == Kind.CPU ? "cpu" : "cuda:" + index;
  }
}
