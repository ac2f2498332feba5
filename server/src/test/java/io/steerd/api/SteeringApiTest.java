package io.steerd.api;

import static io.steerd.api.ApiValidationTest.layer;
import static io.steerd.api.ApiValidationTest.ramp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.api.LiveServer.Generation;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GetModelInfoRequest;
import io.steerd.v1.InlineVector;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.Normalization;
import io.steerd.v1.Token;
import io.steerd.v1.TokenIds;
import io.steerd.v1.TokenizeRequest;
import io.steerd.v1.Vector;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Steered generation through the real server: edits, sampling seeds, stop sequences. */
class SteeringApiTest {
  private static final String PROMPT = "Once upon a time";
  private static final int TOKENS = 40;

  @TempDir static Path dataDir;
  private static LiveServer live;
  /** Greedy, unsteered: what every steered run is compared with. */
  private static Generation baseline;

  @BeforeAll
  static void start() throws Exception {
    live = LiveServer.start(dataDir);
    baseline = live.generate(greedy().build());
    assertEquals(TOKENS, baseline.tokens().size(), "the baseline should run to max_tokens");
    assertEquals(FinishReason.LENGTH, baseline.summary().getFinishReason());
  }

  @AfterAll
  static void stop() throws Exception {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void servedModelIsStories260K() {
    ModelInfo info = live.steer().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(LiveServer.LAYERS, info.getNumLayers());
    assertEquals(LiveServer.HIDDEN, info.getHiddenSize());
    assertEquals(LiveServer.VOCAB, info.getVocabSize());
    assertEquals(LiveServer.CONTEXT, info.getContextLength());
    assertEquals("cpu", info.getDevice());
  }

  @Test
  void greedyGenerationIsRepeatable() {
    Generation again = live.generate(greedy().build());
    assertEquals(baseline.ids(), again.ids());
    assertEquals(baseline.summary(), again.summary());
  }

  @Test
  void tokenIdsPromptMatchesTheTextPrompt() {
    List<Token> tokens = live.steer().tokenize(
        TokenizeRequest.newBuilder().setText(PROMPT).setAddBos(true).build()).getTokensList();
    assertEquals(baseline.summary().getPromptTokens(), tokens.size());
    Generation byIds = live.generate(GenerateRequest.newBuilder()
        .setPromptTokenIds(TokenIds.newBuilder().addAllIds(tokens.stream().map(Token::getId)
            .toList()))
        .setMaxTokens(TOKENS).setTemperature(0).build());
    assertEquals(baseline.ids(), byIds.ids());
  }

  @Test
  void editsWithCoefficientZeroChangeNothing() {
    Vector extracted = extract("zero-coefficient");
    Generation inline = live.generate(greedy()
        .addEdits(inlineAllLayers().setCoefficient(0f))
        .build());
    Generation registered = live.generate(greedy()
        .addEdits(Edit.newBuilder().setVectorId(extracted.getId()).setCoefficient(0f)
            .setNormalization(Normalization.UNIT))
        .build());
    for (Generation g : List.of(inline, registered)) {
      assertEquals(baseline.ids(), g.ids());
      assertEquals(baseline.summary().getText(), g.summary().getText());
      for (int i = 0; i < TOKENS; i++) {
        assertEquals(baseline.tokens().get(i).getLogprob(), g.tokens().get(i).getLogprob(), 1e-5,
            "logprob of token " + i);
      }
    }
  }

  @Test
  void unitNormalizationScalesEachLayerToTheCoefficient() {
    // Layers of very different norms, so per-layer, global and no normalisation all differ.
    float c = 3f;
    Vector.Builder stored = Vector.newBuilder().setId("unit-norm-check");
    InlineVector.Builder scaled = InlineVector.newBuilder();
    for (int l = 0; l < LiveServer.LAYERS; l++) {
      float[] v = ramp(l + 1);
      double norm = 0;
      for (int i = 0; i < v.length; i++) {
        v[i] *= 0.2f * (l + 1) * (l + 1);
        norm += (double) v[i] * v[i];
      }
      norm = Math.sqrt(norm);
      float[] unitTimesC = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        unitTimesC[i] = (float) (v[i] * c / norm);
      }
      stored.addLayers(layer(l, v));
      scaled.addLayers(layer(l, unitTimesC));
    }
    live.steer().putVector(io.steerd.v1.PutVectorRequest.newBuilder()
        .setVector(stored).build());
    Generation unit = live.generate(greedy()
        .addEdits(Edit.newBuilder().setVectorId("unit-norm-check").setCoefficient(c)
            .setNormalization(Normalization.UNIT))
        .build());
    Generation byHand = live.generate(greedy()
        .addEdits(Edit.newBuilder().setInline(scaled).setCoefficient(1f)
            .setNormalization(Normalization.NONE))
        .build());
    assertNotEquals(baseline.ids(), byHand.ids(), "the steer should change the output");
    assertEquals(byHand.ids(), unit.ids());
    for (int i = 0; i < byHand.tokens().size(); i++) {
      assertEquals(byHand.tokens().get(i).getLogprob(), unit.tokens().get(i).getLogprob(), 1e-5,
          "logprob of token " + i);
    }
  }

  @Test
  void nonZeroAddChangesTheTokens() {
    Generation inline = live.generate(greedy()
        .addEdits(inlineAllLayers().setCoefficient(8f).setNormalization(Normalization.UNIT))
        .build());
    assertNotEquals(baseline.ids(), inline.ids());

    Vector extracted = extract("happy-sad");
    Generation registered = live.generate(greedy()
        .addEdits(Edit.newBuilder().setVectorId(extracted.getId()).addLayers(2)
            .setCoefficient(8f).setNormalization(Normalization.UNIT))
        .build());
    assertNotEquals(baseline.ids(), registered.ids());

    // The sign matters: subtracting the direction is a different steer from adding it.
    Generation negated = live.generate(greedy()
        .addEdits(Edit.newBuilder().setVectorId(extracted.getId()).addLayers(2)
            .setCoefficient(-8f).setNormalization(Normalization.UNIT))
        .build());
    assertNotEquals(registered.ids(), negated.ids());
  }

  @Test
  void sameSeedSamplesTheSameTokensAndOtherSeedsDiffer() {
    Generation first = live.generate(sampled(42).build());
    Generation second = live.generate(sampled(42).build());
    assertEquals(TOKENS, first.tokens().size());
    assertEquals(first.ids(), second.ids());
    assertEquals(first.summary(), second.summary());

    Set<List<Integer>> outputs = new HashSet<>();
    outputs.add(first.ids());
    for (long seed = 1; seed <= 3; seed++) {
      outputs.add(live.generate(sampled(seed).build()).ids());
    }
    assertTrue(outputs.size() > 1, "four seeds sampled one output: " + outputs);
  }

  @Test
  void stopSequenceEndsTheOutputBeforeIt() {
    String text = baseline.summary().getText();
    // A stretch from the middle of the baseline: greedy decoding reaches it again.
    String stop = text.substring(text.length() / 2, text.length() / 2 + 5);
    String expected = text.substring(0, text.indexOf(stop));

    Generation g = live.generate(greedy().addStop(stop).build());

    assertEquals(FinishReason.STOP, g.summary().getFinishReason());
    assertEquals(expected, g.summary().getText());
    assertFalse(g.summary().getText().contains(stop));
    assertEquals(expected, g.streamedText());
    assertTrue(g.summary().getGeneratedTokens() < TOKENS);
    assertEquals(baseline.ids().subList(0, g.tokens().size()), g.ids());
  }

  @Test
  void earliestOfSeveralStopSequencesWins() {
    String text = baseline.summary().getText();
    String late = text.substring(text.length() - 6, text.length() - 1);
    String early = text.substring(text.length() / 3, text.length() / 3 + 4);
    int cut = Math.min(text.indexOf(early), text.indexOf(late));

    Generation g = live.generate(greedy().addStop(late).addStop(early).build());

    assertEquals(FinishReason.STOP, g.summary().getFinishReason());
    assertEquals(text.substring(0, cut), g.summary().getText());
    assertEquals(g.summary().getText(), g.streamedText());
  }

  @Test
  void streamedTokenTextsConcatenateToTheSummaryText() {
    Vector extracted = extract("streamed-text");
    List<GenerateRequest> requests = List.of(
        greedy().build(),
        sampled(7).build(),
        sampled(8).setTopK(20).setTopP(0.9f).build(),
        greedy().setMaxTokens(300).build(),
        greedy().addEdits(Edit.newBuilder().setVectorId(extracted.getId()).setCoefficient(3f)
            .setOperation(EditOperation.ABLATE_THEN_ADD)).build());
    for (GenerateRequest request : requests) {
      Generation g = live.generate(request);
      assertFalse(g.summary().getText().isEmpty());
      assertEquals(g.summary().getText(), g.streamedText(), () -> "for " + request);
      assertEquals(g.tokens().size(), g.summary().getGeneratedTokens());
      assertEquals(baseline.summary().getPromptTokens(), g.summary().getPromptTokens());
    }
  }

  private static Vector extract(String id) {
    return live.steer().extractVector(ExtractVectorRequest.newBuilder()
        .setId(id)
        .setOverwrite(true)
        .addPairs(ContrastPair.newBuilder().setPositive("Tom was happy").setNegative("Tom was sad"))
        .addPairs(ContrastPair.newBuilder().setPositive("Lily felt glad")
            .setNegative("Lily felt angry"))
        .build());
  }

  private static Edit.Builder inlineAllLayers() {
    InlineVector.Builder v = InlineVector.newBuilder();
    for (int l = 0; l < LiveServer.LAYERS; l++) {
      v.addLayers(layer(l, ramp(l + 1)));
    }
    return Edit.newBuilder().setInline(v);
  }

  private static GenerateRequest.Builder greedy() {
    return GenerateRequest.newBuilder().setPrompt(PROMPT).setMaxTokens(TOKENS).setTemperature(0f);
  }

  private static GenerateRequest.Builder sampled(long seed) {
    return GenerateRequest.newBuilder().setPrompt(PROMPT).setMaxTokens(TOKENS)
        .setTemperature(0.8f).setSeed(seed);
  }
}
