package io.steerd.tradeoff;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.steerd.v1.AlignmentProbe;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.ProbeSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Probe sets in their file formats: JSONL of AlignmentProbe ({"prompt", "desired", "undesired"})
 * and of ChoiceProbe ({"prompt", "choices", "answer"}), one object per line. The built-in sets
 * are TinyStories-world probes for the bundled model, shipped as resources.
 */
public final class ProbeSets {
  private static final String BUILT_IN = "/probes/tinystories/";

  private ProbeSets() {}

  public static ProbeSet builtIn() {
    ProbeSet.Builder set = ProbeSet.newBuilder();
    try (InputStream alignment = resource("alignment.jsonl");
        InputStream helpfulness = resource("helpfulness.jsonl")) {
      readJsonl(alignment, AlignmentProbe::newBuilder, p -> set.addAlignment((AlignmentProbe) p));
      readJsonl(helpfulness, ChoiceProbe::newBuilder, p -> set.addHelpfulness((ChoiceProbe) p));
    } catch (IOException e) {
      throw new UncheckedIOException("built-in probe sets are unreadable", e);
    }
    return set.build();
  }

  /** Parses one JSON object per non-blank line; errors name the line. */
  public static void readJsonl(InputStream in, Supplier<Message.Builder> builder,
      java.util.function.Consumer<Message> sink) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String line;
    int number = 0;
    while ((line = reader.readLine()) != null) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      Message.Builder b = builder.get();
      try {
        JsonFormat.parser().merge(line, b);
      } catch (InvalidProtocolBufferException e) {
        throw new IOException("line " + number + ": " + e.getMessage(), e);
      }
      sink.accept(b.build());
    }
  }

  private static InputStream resource(String name) throws IOException {
    InputStream in = ProbeSets.class.getResourceAsStream(BUILT_IN + name);
    if (in == null) {
      throw new IOException("missing resource " + BUILT_IN + name);
    }
    return in;
  }
}
