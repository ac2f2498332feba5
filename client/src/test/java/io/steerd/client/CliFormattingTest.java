package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.v1.LayerValues;
import io.steerd.v1.Vector;
import org.junit.jupiter.api.Test;

class CliFormattingTest {
  @Test
  void tokenPiecesKeepOneTokenPerLine() {
    assertEquals("\\n<s>\\n", TokenizeCommand.visible("\n<s>\n"));
    assertEquals("a\\tb\\u0001", TokenizeCommand.visible("a\tb\u0001"));
    assertEquals(" time", TokenizeCommand.visible(" time"));
  }

  @Test
  void layerZeroIsPrintedNotOmittedAsADefault() {
    Vector v = Vector.newBuilder().setId("v")
        .addLayers(LayerValues.newBuilder().setLayer(0).addValues(1f))
        .addLayers(LayerValues.newBuilder().setLayer(2).addValues(2f)).build();
    String json = Json.line(v);
    assertTrue(json.contains("{\"layer\":0,\"values\":[1.0]}"), json);
    assertTrue(json.contains("{\"layer\":2,\"values\":[2.0]}"), json);
  }
}
