package io.steerd.api;

import static io.steerd.api.LiveServer.CONTEXT;
import static io.steerd.api.LiveServer.HIDDEN;
import static io.steerd.api.LiveServer.LAYERS;
import static io.steerd.api.LiveServer.VOCAB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.DeleteVectorRequest;
import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.InlineVector;
import io.steerd.v1.LayerValues;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.Normalization;
import io.steerd.v1.ProbeSet;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.ScoreItem;
import io.steerd.v1.ScoreRequest;
import io.steerd.v1.TokenIds;
import io.steerd.v1.Vector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad input, sent to a real server over gRPC. Each must be refused with its
 * canonical code and a description that starts with the offending field's path, must leave the
 * registry as it was, and must leave the server healthy and generating.
 */
class ApiValidationTest {
  private static final String PROMPT = "Once upon a time";
  /** Registered in {@link #start}: values at every layer. */
  private static final String KNOWN = "known";
  /** Registered in {@link #start}: values at layers 0 and 1 only. */
  private static final String TWO_LAYERS = "two-layers";
  /** Registered in {@link #start}: zero at every layer, so it has no direction to ablate. */
  private static final String ZERO = "zero";
  /** The id every refused PutVector and ExtractVector tries to create. */
  private static final String REJECTED = "rejected";

  @TempDir static Path dataDir;
  private static LiveServer live;

  @BeforeAll
  static void start() throws Exception {
    live = LiveServer.start(dataDir);
    put(vector(KNOWN, 0, 1, 2, 3, 4));
    put(vector(TWO_LAYERS, 0, 1));
    Vector.Builder zero = Vector.newBuilder().setId(ZERO);
    for (int l = 0; l < LAYERS; l++) {
      zero.addLayers(layer(l, new float[HIDDEN]));
    }
    put(zero.build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (live != null) {
      live.close();
    }
  }

  /** Undoes a wrongly accepted request, so one failing case does not fail the ones after it. */
  @AfterEach
  void removeWhatARefusedRequestCreated() {
    if (registeredIds().contains(REJECTED)) {
      live.steer().deleteVector(DeleteVectorRequest.newBuilder().setId(REJECTED).build());
    }
  }

  /** A bad request, what it must be refused with, and how to send it. */
  record Case(String name, Status.Code code, String field, Consumer<LiveServer> call) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> badRequests() {
    List<Case> cases = new ArrayList<>();

    // Unknown vectors.
    cases.add(generate("edit with an unknown vector id", Status.Code.NOT_FOUND,
        "edits[0].vector_id", greedy().addEdits(registered("no-such-vector").setCoefficient(1))));
    cases.add(generate("unknown vector id in the second edit", Status.Code.NOT_FOUND,
        "edits[1].vector_id", greedy().addEdits(registered(KNOWN).setCoefficient(1))
            .addEdits(registered("no-such-vector").setCoefficient(1))));
    cases.add(new Case("GetVector unknown id", Status.Code.NOT_FOUND, "id",
        s -> s.steer().getVector(GetVectorRequest.newBuilder().setId("no-such-vector").build())));
    cases.add(new Case("DeleteVector unknown id", Status.Code.NOT_FOUND, "id",
        s -> s.steer().deleteVector(
            DeleteVectorRequest.newBuilder().setId("no-such-vector").build())));

    // PutVector: shape and values.
    cases.add(putInvalid("PutVector without a vector", "vector", null));
    cases.add(putInvalid("PutVector with 63 values", "vector.layers[0].values",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(0, new float[HIDDEN - 1])).build()));
    cases.add(putInvalid("PutVector with 65 values", "vector.layers[0].values",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(0, new float[HIDDEN + 1])).build()));
    cases.add(putInvalid("PutVector with no values in its second layer", "vector.layers[1].values",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(0, ramp(1)))
            .addLayers(LayerValues.newBuilder().setLayer(1)).build()));
    cases.add(putInvalid("PutVector with no layers", "vector.layers",
        Vector.newBuilder().setId(REJECTED).build()));
    cases.add(putInvalid("PutVector at layer 5", "vector.layers[0].layer",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(LAYERS, ramp(1))).build()));
    cases.add(putInvalid("PutVector at layer -1", "vector.layers[0].layer",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(-1, ramp(1))).build()));
    cases.add(putInvalid("PutVector with layer 2 twice", "vector.layers[1].layer",
        Vector.newBuilder().setId(REJECTED).addLayers(layer(2, ramp(1)))
            .addLayers(layer(2, ramp(2))).build()));
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      cases.add(putInvalid("PutVector with " + bad + " in a value", "vector.layers[1].values[7]",
          Vector.newBuilder().setId(REJECTED).addLayers(layer(0, ramp(1)))
              .addLayers(layer(3, withValue(ramp(1), 7, bad))).build()));
    }

    // Vector ids.
    for (String id : new String[] {"Bad ID!", "", "-starts-with-dash", "a/b", "x".repeat(65)}) {
      String shown = id.isEmpty() ? "empty" : id.length() > 20 ? "65-character" : "'" + id + "'";
      cases.add(putInvalid("PutVector with id " + shown, "vector.id",
          Vector.newBuilder().setId(id).addLayers(layer(0, ramp(1))).build()));
      cases.add(extractInvalid("ExtractVector with id " + shown, "id",
          extraction().setId(id)));
      cases.add(new Case("GetVector with id " + shown, Status.Code.INVALID_ARGUMENT, "id",
          s -> s.steer().getVector(GetVectorRequest.newBuilder().setId(id).build())));
      cases.add(new Case("DeleteVector with id " + shown, Status.Code.INVALID_ARGUMENT, "id",
          s -> s.steer().deleteVector(DeleteVectorRequest.newBuilder().setId(id).build())));
    }

    // Edits.
    for (int layer : new int[] {LAYERS, -1}) {
      cases.add(generateInvalid("edit at layer " + layer, "edits[0].layers[0]",
          greedy().addEdits(registered(KNOWN).addLayers(layer).setCoefficient(1))));
      cases.add(generateInvalid("inline edit with values for layer " + layer,
          "edits[0].inline.layers[0].layer",
          greedy().addEdits(inline(layer(layer, ramp(1))).setCoefficient(1))));
    }
    cases.add(generateInvalid("edit listing layer 1 twice", "edits[0].layers[1]",
        greedy().addEdits(registered(KNOWN).addLayers(1).addLayers(1).setCoefficient(1))));
    cases.add(generateInvalid("edit at a layer the vector has no values for", "edits[0].layers[0]",
        greedy().addEdits(registered(TWO_LAYERS).addLayers(3).setCoefficient(1))));
    cases.add(generateInvalid("edit without a vector", "edits[0]",
        greedy().addEdits(Edit.newBuilder().setCoefficient(1))));
    cases.add(generateInvalid("inline edit without layers", "edits[0].inline.layers",
        greedy().addEdits(Edit.newBuilder().setInline(InlineVector.getDefaultInstance()))));
    cases.add(generateInvalid("inline edit with 63 values", "edits[0].inline.layers[0].values",
        greedy().addEdits(inline(layer(0, new float[HIDDEN - 1])).setCoefficient(1))));
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      cases.add(generateInvalid("inline edit with " + bad + " in a value",
          "edits[0].inline.layers[0].values[63]",
          greedy().addEdits(inline(layer(2, withValue(ramp(1), HIDDEN - 1, bad)))
              .setCoefficient(1))));
      cases.add(generateInvalid("edit with coefficient " + bad, "edits[0].coefficient",
          greedy().addEdits(registered(KNOWN).setCoefficient(bad))));
    }
    cases.add(generateInvalid("edit with an unknown operation", "edits[0].operation",
        greedy().addEdits(registered(KNOWN).setOperationValue(99))));
    cases.add(generateInvalid("edit with an unknown normalization", "edits[0].normalization",
        greedy().addEdits(registered(KNOWN).setNormalizationValue(99))));
    cases.add(generateInvalid("ablating a zero vector", "edits[0]",
        greedy().addEdits(registered(ZERO).setOperation(EditOperation.ABLATE))));
    cases.add(generateInvalid("ablate-then-add of a zero inline vector", "edits[0]",
        greedy().addEdits(inline(layer(1, new float[HIDDEN]))
            .setOperation(EditOperation.ABLATE_THEN_ADD).setCoefficient(1))));
    cases.add(generateInvalid("unit-normalising a zero vector", "edits[0]",
        greedy().addEdits(registered(ZERO).setNormalization(Normalization.UNIT)
            .setCoefficient(1))));
    GenerateRequest.Builder fiveAblations = greedy();
    for (int i = 0; i < 5; i++) {
      fiveAblations.addEdits(inline(layer(2, ramp(i + 1))).setOperation(EditOperation.ABLATE));
    }
    cases.add(generateInvalid("five ablations of layer 2", "edits[4]", fiveAblations));
    GenerateRequest.Builder tooManyEdits = greedy();
    for (int i = 0; i < 65; i++) {
      tooManyEdits.addEdits(registered(KNOWN));
    }
    cases.add(generateInvalid("65 edits", "edits", tooManyEdits));

    // The prompt.
    cases.add(generateInvalid("no prompt", "prompt",
        GenerateRequest.newBuilder().setMaxTokens(3).setTemperature(0)));
    cases.add(generateInvalid("empty prompt_token_ids", "prompt_token_ids.ids",
        GenerateRequest.newBuilder().setPromptTokenIds(TokenIds.getDefaultInstance())
            .setMaxTokens(3).setTemperature(0)));
    cases.add(generateInvalid("token id 512 (the vocabulary size)", "prompt_token_ids.ids[1]",
        GenerateRequest.newBuilder().setPromptTokenIds(
            TokenIds.newBuilder().addIds(1).addIds(VOCAB).addIds(5)).setMaxTokens(3)));
    cases.add(generateInvalid("token id -1", "prompt_token_ids.ids[0]",
        GenerateRequest.newBuilder().setPromptTokenIds(TokenIds.newBuilder().addIds(-1))
            .setMaxTokens(3)));
    cases.add(generateInvalid("512 prompt token ids", "prompt_token_ids.ids",
        GenerateRequest.newBuilder().setPromptTokenIds(TokenIds.newBuilder()
            .addAllIds(Collections.nCopies(CONTEXT, 1))).setMaxTokens(1)));
    cases.add(generateInvalid("a 3000-character prompt", "prompt",
        GenerateRequest.newBuilder().setPrompt("Tom had a red ball. ".repeat(150))
            .setMaxTokens(1)));

    // Lengths and sampling.
    for (int maxTokens : new int[] {0, -1, Integer.MIN_VALUE, 600, Integer.MAX_VALUE}) {
      cases.add(generateInvalid("max_tokens " + maxTokens, "max_tokens",
          greedy().setMaxTokens(maxTokens)));
    }
    // "Once upon a time" is 5 tokens with BOS, leaving 507 of the 512 positions.
    cases.add(generateInvalid("max_tokens one past the context left after the prompt",
        "max_tokens", greedy().setMaxTokens(CONTEXT - 5 + 1)));
    for (float t : new float[] {-0.5f, Float.NaN, Float.POSITIVE_INFINITY}) {
      cases.add(generateInvalid("temperature " + t, "temperature", greedy().setTemperature(t)));
    }
    for (float p : new float[] {0f, 1.5f, Float.NaN, -0.1f}) {
      cases.add(generateInvalid("top_p " + p, "top_p", greedy().setTopP(p)));
    }
    cases.add(generateInvalid("top_k -1", "top_k", greedy().setTopK(-1)));
    cases.add(generateInvalid("an empty stop string", "stop[0]", greedy().addStop("")));
    cases.add(generateInvalid("an empty second stop string", "stop[1]",
        greedy().addStop("the").addStop("")));
    cases.add(generateInvalid("a 257-byte stop string", "stop[0]",
        greedy().addStop("x".repeat(257))));
    // 129 characters but 258 bytes: the limit is on UTF-8 bytes, not characters.
    cases.add(generateInvalid("a 129-character, 258-byte stop string of é", "stop[0]",
        greedy().addStop("\u00e9".repeat(129))));
    cases.add(generateInvalid("17 stop strings", "stop",
        greedy().addAllStop(IntStream.range(0, 17).mapToObj(i -> "s" + i).toList())));

    // ExtractVector.
    cases.add(extractInvalid("ExtractVector without pairs", "pairs", extraction().clearPairs()));
    cases.add(extractInvalid("ExtractVector with an empty positive prompt", "pairs[0].positive",
        extraction().setPairs(0, ContrastPair.newBuilder().setPositive("").setNegative("sad"))));
    cases.add(extractInvalid("ExtractVector with an empty negative prompt in pair 1",
        "pairs[1].negative",
        extraction().addPairs(ContrastPair.newBuilder().setPositive("glad").setNegative(""))));
    cases.add(extractInvalid("ExtractVector with a prompt longer than the context",
        "pairs[0].positive", extraction().setPairs(0, ContrastPair.newBuilder()
            .setPositive("Tom had a red ball. ".repeat(150)).setNegative("sad"))));
    for (int layer : new int[] {LAYERS, -1}) {
      cases.add(extractInvalid("ExtractVector at layer " + layer, "layers[0]",
          extraction().addLayers(layer)));
    }
    cases.add(extractInvalid("ExtractVector listing layer 3 twice", "layers[1]",
        extraction().addLayers(3).addLayers(3)));
    cases.add(extractInvalid("ExtractVector with an unknown method", "method",
        extraction().setMethodValue(99)));
    cases.add(extractInvalid("ExtractVector PCA with 1 pair", "pairs",
        extraction().setMethod(ExtractionMethod.PCA)));
    cases.add(new Case("ExtractVector onto an existing id", Status.Code.ALREADY_EXISTS, "id",
        s -> s.steer().extractVector(extraction().setId(KNOWN).build())));

    // Score.
    cases.add(scoreInvalid("Score without items", "items", ScoreRequest.newBuilder()));
    cases.add(scoreInvalid("Score with an empty continuation", "items[0].continuation",
        ScoreRequest.newBuilder().addItems(ScoreItem.newBuilder().setPrompt(PROMPT))));
    cases.add(scoreInvalid("Score with an item longer than the context", "items[0]",
        ScoreRequest.newBuilder().addItems(ScoreItem.newBuilder()
            .setPrompt("Tom had a red ball. ".repeat(150)).setContinuation(" He"))));

    // MeasureTradeoff.
    cases.add(new Case("MeasureTradeoff of an unknown vector", Status.Code.NOT_FOUND, "vector_id",
        s -> drain(s, sweepOf("no-such-vector"))));
    for (int steps : new int[] {2, RequestValidator.MAX_SWEEP_STEPS + 1}) {
      cases.add(sweepInvalid("MeasureTradeoff with " + steps + " steps", "steps",
          sweepOf(KNOWN).setSteps(steps)));
    }
    cases.add(sweepInvalid("MeasureTradeoff with to == from", "to",
        sweepOf(KNOWN).setFrom(1).setTo(1)));
    cases.add(sweepInvalid("MeasureTradeoff from NaN", "from",
        sweepOf(KNOWN).setFrom(Double.NaN)));
    for (double rate : new double[] {0, Double.NaN}) {
      cases.add(sweepInvalid("MeasureTradeoff with exchange_rate " + rate, "exchange_rate",
          sweepOf(KNOWN).setExchangeRate(rate)));
    }
    cases.add(sweepInvalid("MeasureTradeoff with a 1-choice probe",
        "probes.helpfulness[0].choices", sweepOf(KNOWN).setProbes(ProbeSet.newBuilder()
            .addHelpfulness(ChoiceProbe.newBuilder().setPrompt(PROMPT).addChoices(" he")))));
    cases.add(sweepInvalid("MeasureTradeoff with an answer out of range",
        "probes.helpfulness[0].answer", sweepOf(KNOWN).setProbes(ProbeSet.newBuilder()
            .addHelpfulness(ChoiceProbe.newBuilder().setPrompt(PROMPT).addChoices(" he")
                .addChoices(" she").setAnswer(2)))));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void badRequestIsRefusedWithItsFieldAndTheServerStaysHealthy(Case c) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> c.call().accept(live),
        () -> c + ": the server accepted it");
    Status status = e.getStatus();
    assertEquals(c.code(), status.getCode(), () -> c + ": status " + status);
    String description = String.valueOf(status.getDescription());
    assertTrue(description.startsWith(c.field() + ": "),
        () -> c + ": the description should start with " + c.field() + ": " + description);

    assertEquals(List.of(KNOWN, TWO_LAYERS, ZERO), registeredIds(),
        () -> c + ": a refused request changed the registry");
    live.assertHealthy();
  }

  @Test
  void boundaryValuesAreAccepted() {
    // The largest max_tokens the context leaves after a 5-token prompt.
    LiveServer.Generation full = live.generate(greedy().setMaxTokens(CONTEXT - 5).build());
    assertEquals(5, full.summary().getPromptTokens());
    assertTrue(full.summary().getGeneratedTokens() <= CONTEXT - 5);
    // 511 prompt tokens and one to generate fill the context exactly.
    LiveServer.Generation one = live.generate(GenerateRequest.newBuilder()
        .setPromptTokenIds(TokenIds.newBuilder().addIds(1)
            .addAllIds(Collections.nCopies(CONTEXT - 2, 410)))
        .setMaxTokens(1).setTemperature(0).build());
    assertEquals(CONTEXT - 1, one.summary().getPromptTokens());
    // top_p 1, top_k the whole vocabulary and beyond, temperature 0 and tiny.
    assertEquals(3, live.generate(greedy().setTopP(1f).setTopK(VOCAB + 100).setTemperature(1e-30f)
        .setSeed(1).build()).tokens().size());
    // Ablating one layer four times is the most the graph allows, and it is allowed.
    GenerateRequest.Builder four = greedy();
    for (int i = 0; i < 4; i++) {
      four.addEdits(inline(layer(2, ramp(i + 1))).setOperation(EditOperation.ABLATE));
    }
    assertEquals(3, live.generate(four.build()).tokens().size());
    // An empty text prompt is just BOS; text outside the vocabulary falls back to bytes.
    assertEquals(1, live.generate(greedy().setPrompt("").build()).summary().getPromptTokens());
    LiveServer.Generation unicode = live.generate(greedy().setPrompt("Zoë sah 猫 🙂\n\t")
        .addStop("é").addStop("🙂").build());
    assertTrue(unicode.summary().getPromptTokens() > 10);
    assertEquals(unicode.summary().getText(), unicode.streamedText());
    live.assertHealthy();
  }

  private static List<String> registeredIds() {
    return live.steer().listVectors(ListVectorsRequest.newBuilder().setOmitValues(true).build())
        .getVectorsList().stream().map(Vector::getId).toList();
  }

  private static void put(Vector v) {
    live.steer().putVector(PutVectorRequest.newBuilder().setVector(v).build());
  }

  private static Case generate(String name, Status.Code code, String field,
      GenerateRequest.Builder request) {
    GenerateRequest built = request.build();
    return new Case(name, code, field, s -> s.generate(built));
  }

  private static Case generateInvalid(String name, String field, GenerateRequest.Builder request) {
    return generate(name, Status.Code.INVALID_ARGUMENT, field, request);
  }

  private static Case putInvalid(String name, String field, Vector v) {
    PutVectorRequest request = v == null ? PutVectorRequest.getDefaultInstance()
        : PutVectorRequest.newBuilder().setVector(v).build();
    return new Case(name, Status.Code.INVALID_ARGUMENT, field, s -> s.steer().putVector(request));
  }

  private static Case extractInvalid(String name, String field,
      ExtractVectorRequest.Builder request) {
    ExtractVectorRequest built = request.build();
    return new Case(name, Status.Code.INVALID_ARGUMENT, field,
        s -> s.steer().extractVector(built));
  }

  private static Case scoreInvalid(String name, String field, ScoreRequest.Builder request) {
    ScoreRequest built = request.build();
    return new Case(name, Status.Code.INVALID_ARGUMENT, field, s -> s.steer().score(built));
  }

  private static Case sweepInvalid(String name, String field,
      MeasureTradeoffRequest.Builder request) {
    return new Case(name, Status.Code.INVALID_ARGUMENT, field, s -> drain(s, request));
  }

  /** Reads a sweep's stream to its end, so a refusal surfaces as the exception. */
  private static void drain(LiveServer s, MeasureTradeoffRequest.Builder request) {
    s.steer().measureTradeoff(request.build()).forEachRemaining(r -> { });
  }

  /** A valid 3-point sweep of {@code id}, for the cases to spoil one field of. */
  private static MeasureTradeoffRequest.Builder sweepOf(String id) {
    return MeasureTradeoffRequest.newBuilder().setVectorId(id).setSteps(3);
  }

  /** A valid greedy 3-token request, for the cases to spoil one field of. */
  private static GenerateRequest.Builder greedy() {
    return GenerateRequest.newBuilder().setPrompt(PROMPT).setMaxTokens(3).setTemperature(0f);
  }

  /** A valid extraction onto {@link #REJECTED}, for the cases to spoil one field of. */
  private static ExtractVectorRequest.Builder extraction() {
    return ExtractVectorRequest.newBuilder().setId(REJECTED)
        .addPairs(ContrastPair.newBuilder().setPositive("happy").setNegative("sad"));
  }

  private static Edit.Builder registered(String id) {
    return Edit.newBuilder().setVectorId(id);
  }

  private static Edit.Builder inline(LayerValues... layers) {
    return Edit.newBuilder().setInline(InlineVector.newBuilder().addAllLayers(List.of(layers)));
  }

  private static Vector vector(String id, int... layers) {
    Vector.Builder v = Vector.newBuilder().setId(id).setDescription("fixture " + id);
    for (int l : layers) {
      v.addLayers(layer(l, ramp(l + 1)));
    }
    return v.build();
  }

  static LayerValues layer(int layer, float[] values) {
    LayerValues.Builder lv = LayerValues.newBuilder().setLayer(layer);
    for (float x : values) {
      lv.addValues(x);
    }
    return lv.build();
  }

  /** A non-zero vector of the hidden size, different for each {@code seed}. */
  static float[] ramp(int seed) {
    float[] v = new float[HIDDEN];
    for (int i = 0; i < HIDDEN; i++) {
      v[i] = (float) Math.sin(seed * 0.7 + i * 0.37);
    }
    return v;
  }

  private static float[] withValue(float[] v, int index, float value) {
    v[index] = value;
    return v;
  }
}
