package io.steerd.graph;

/**
 * Symmetric 4-bit block quantisation of a [rows][cols] matrix along its columns, in the layout of
 * ONNX Runtime's MatMulNBits: per row, ceil(cols / 32) blocks of 16 bytes, two codes per byte,
 * the lower-indexed one in the low nibble, codes offset by the default zero point 8.
 */
record Int4Blocks(byte[] packed, float[] scales, int blocksPerRow) {
  static final int BLOCK = 32;
  static final int BLOB = BLOCK / 2;

  static Int4Blocks quantize(float[] m, int rows, int cols) {
    int blocks = (cols + BLOCK - 1) / BLOCK;
    byte[] packed = new byte[rows * blocks * BLOB];
    float[] scales = new float[rows * blocks];
    for (int r = 0; r < rows; r++) {
      for (int b = 0; b < blocks; b++) {
        int from = b * BLOCK;
        int to = Math.min(cols, from + BLOCK);
        float amax = 0;
        for (int c = from; c < to; c++) {
          amax = Math.max(amax, Math.abs(m[r * cols + c]));
        }
        // Codes -7..7 around the zero point keep the block symmetric; -8 goes unused.
        float scale = amax / 7f;
        scales[r * blocks + b] = scale;
        for (int i = 0; i < BLOCK; i++) {
          int c = from + i;
          int code = 8;
          if (c < to && scale > 0) {
            code = 8 + Math.max(-7, Math.min(7, Math.round(m[r * cols + c] / scale)));
          }
          int at = (r * blocks + b) * BLOB + i / 2;
          packed[at] |= (byte) ((i % 2 == 0) ? code : code << 4);
        }
      }
    }
    return new Int4Blocks(packed, scales, blocks);
  }
}
