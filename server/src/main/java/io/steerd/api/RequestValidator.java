package io.steerd.api;

import static io.steerd.errors.SteerdException.invalid;

import io.steerd.engine.DecoderSession;
import io.steerd.engine.GenerationRequest;
import io.steerd.engine.SamplingParams;
import io.steerd.engine.Scorer;
import io.steerd.model.ModelConfig;
import io.steerd.model.Tokenizer;
import io.steerd.steering.EditCompiler;
import io.steerd.steering.EditOp;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import io.steerd.steering.VectorRegistry;
import io.steerd.tradeoff.ProbeEvaluator;
import io.steerd.tradeoff.ProbeSets;
import io.steerd.tradeoff.Sweep;
import io.steerd.v1.AlignmentProbe;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.Normalization;
import io.steerd.v1.ProbeSet;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.LayerValues;
import io.steerd.v1.ScoreItem;
import io.steerd.v1.Vector;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Checks requests against the served model and turns them into domain objects. Every refusal
 * names the offending field by its path in the request, e.g. {@code edits[1].layers[0]}.
 */
public final class RequestValidator {
  static final int MAX_STOP_SEQUENCES = 16;
  static final int MAX_STOP_BYTES = 256;
  static final int MAX_EDITS = 64;
  static final int MAX_PAIRS = 4096;
  static final int MAX_SCORE_ITEMS = 1024;

  private final ModelConfig config;
  private final Tokenizer tokenizer;
  private final VectorRegistry registry;
  private final SecureRandom seeds = new SecureRandom();

  public RequestValidator(ModelConfig config, Tokenizer tokenizer, VectorRegistry registry) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.registry = registry;
  }

  public GenerationRequest generation(GenerateRequest r) {
    int[] prompt = prompt(r);
    int context = config.contextLength();
    if (r.getMaxTokens() <= 0) {
      throw invalid("max_tokens", "must be at least 1, got " + r.getMaxTokens());
    }
    if (prompt.length + (long) r.getMaxTokens() > context) {
      throw invalid("max_tokens", r.getMaxTokens() + " tokens after a prompt of " + prompt.length
          + " exceeds the context length of " + context + "; at most "
          + (context - prompt.length));
    }
    float temperature = r.hasTemperature() ? r.getTemperature() : 1f;
    if (!Float.isFinite(temperature) || temperature < 0) {
      throw invalid("temperature", "must be a finite number >= 0, got " + temperature);
    }
    float topP = r.hasTopP() ? r.getTopP() : 1f;
    if (!(topP > 0 && topP <= 1)) {
      throw invalid("top_p", "must be in (0, 1], got " + topP);
    }
    if (r.getTopK() < 0) {
      throw invalid("top_k", "must be >= 0 (0 means no limit), got " + r.getTopK());
    }
    long seed = r.hasSeed() ? r.getSeed() : seeds.nextLong();
    List<String> stop = stopSequences(r.getStopList());
    SteeringPlan plan = plan(r.getEditsList(), "edits");
    return new GenerationRequest(prompt, r.getMaxTokens(),
        new SamplingParams(temperature, r.getTopK(), topP, seed), stop, r.getIgnoreEos(), plan,
        null);
  }

  private int[] prompt(GenerateRequest r) {
    switch (r.getInputCase()) {
      case PROMPT -> {
        int[] tokens = tokenizer.encode(r.getPrompt(), true, false);
        if (tokens.length > config.contextLength() - 1) {
          throw invalid("prompt", "is " + tokens.length + " tokens; the context length is "
              + config.contextLength() + " and at least one token must be generated");
        }
        return tokens;
      }
      case PROMPT_TOKEN_IDS -> {
        List<Integer> ids = r.getPromptTokenIds().getIdsList();
        if (ids.isEmpty()) {
          throw invalid("prompt_token_ids.ids", "must not be empty");
        }
        if (ids.size() > config.contextLength() - 1) {
          throw invalid("prompt_token_ids.ids", "is " + ids.size() + " tokens; the context length"
              + " is " + config.contextLength() + " and at least one token must be generated");
        }
        int[] tokens = new int[ids.size()];
        for (int i = 0; i < tokens.length; i++) {
          int id = ids.get(i);
          if (id < 0 || id >= config.vocabSize()) {
            throw invalid("prompt_token_ids.ids[" + i + "]", "token id " + id
                + " is outside the vocabulary [0, " + config.vocabSize() + ")");
          }
          tokens[i] = id;
        }
        return tokens;
      }
      default -> throw invalid("prompt", "a prompt or prompt_token_ids is required");
    }
  }

  private static List<String> stopSequences(List<String> stops) {
    if (stops.size() > MAX_STOP_SEQUENCES) {
      throw invalid("stop", "at most " + MAX_STOP_SEQUENCES + " stop sequences, got " + stops.size());
    }
    for (int i = 0; i < stops.size(); i++) {
      int bytes = stops.get(i).getBytes(StandardCharsets.UTF_8).length;
      if (bytes == 0 || bytes > MAX_STOP_BYTES) {
        throw invalid("stop[" + i + "]", "must be 1 to " + MAX_STOP_BYTES + " bytes, got " + bytes);
      }
    }
    return List.copyOf(stops);
  }

  /** Resolves and compiles a request's edits; {@code field} is their path in the request. */
  public SteeringPlan plan(List<Edit> edits, String field) {
    if (edits.size() > MAX_EDITS) {
      throw invalid(field, "at most " + MAX_EDITS + " edits, got " + edits.size());
    }
    List<ResolvedEdit> resolved = new ArrayList<>(edits.size());
    int[] ablations = new int[config.numLayers()];
    for (int i = 0; i < edits.size(); i++) {
      ResolvedEdit edit = resolve(edits.get(i), field + "[" + i + "]");
      if (edit.op() != EditOp.ADD) {
        for (int layer : edit.layers().keySet()) {
          if (++ablations[layer] > DecoderSession.DEFAULT_ABLATION_RANK) {
            throw invalid(field + "[" + i + "]", "layer " + layer + " is ablated more than "
                + DecoderSession.DEFAULT_ABLATION_RANK + " times in one request");
          }
        }
      }
      resolved.add(edit);
    }
    return EditCompiler.compile(resolved, config.numLayers(), config.dim());
  }

  private ResolvedEdit resolve(Edit e, String field) {
    String vectorId;
    SortedMap<Integer, float[]> values;
    switch (e.getVectorCase()) {
      case VECTOR_ID -> {
        Vector v = registry.require(e.getVectorId(), path(field, "vector_id"));
        vectorId = v.getId();
        values = layerMap(v.getLayersList(), path(field, "vector_id"));
      }
      case INLINE -> {
        vectorId = null;
        List<LayerValues> layers = e.getInline().getLayersList();
        layerValues(layers, path(field, "inline.layers"));
        values = layerMap(layers, path(field, "inline.layers"));
      }
      default -> throw invalid(field.isEmpty() ? "vector_id" : field,
          "a vector_id or inline vector is required");
    }
    if (!Float.isFinite(e.getCoefficient())) {
      throw invalid(path(field, "coefficient"), "must be finite, got " + e.getCoefficient());
    }
    EditOp op = switch (e.getOperation()) {
      case EDIT_OPERATION_UNSPECIFIED, ADD -> EditOp.ADD;
      case ABLATE -> EditOp.ABLATE;
      case ABLATE_THEN_ADD -> EditOp.ABLATE_THEN_ADD;
      default -> throw invalid(path(field, "operation"), "unknown operation " + e.getOperationValue());
    };
    boolean unit = switch (e.getNormalization()) {
      case NORMALIZATION_UNSPECIFIED, NONE -> false;
      case UNIT -> true;
      default -> throw invalid(path(field, "normalization"),
          "unknown normalization " + e.getNormalizationValue());
    };
    SortedMap<Integer, float[]> applied = selectLayers(e.getLayersList(), values, field);
    if (op != EditOp.ADD || unit) {
      for (var entry : applied.entrySet()) {
        if (isZero(entry.getValue())) {
          throw invalid(field.isEmpty() ? "vector_id" : field, "the vector is zero at layer " + entry.getKey() + ", so it has no "
              + "direction to " + (op != EditOp.ADD ? "ablate" : "normalise"));
        }
      }
    }
    return new ResolvedEdit(vectorId, op, applied, e.getCoefficient(), unit);
  }

  private SortedMap<Integer, float[]> selectLayers(List<Integer> layers,
      SortedMap<Integer, float[]> values, String field) {
    if (layers.isEmpty()) {
      return values;
    }
    SortedMap<Integer, float[]> applied = new TreeMap<>();
    for (int i = 0; i < layers.size(); i++) {
      int layer = layers.get(i);
      String at = path(field, "layers[" + i + "]");
      checkLayer(layer, at);
      if (applied.containsKey(layer)) {
        throw invalid(at, "layer " + layer + " is listed twice");
      }
      float[] v = values.containsKey(layer) ? values.get(layer)
          : values.size() == 1 ? values.get(values.firstKey()) : null;
      if (v == null) {
        throw invalid(at, "the vector has no values for layer " + layer + " (it has layers "
            + values.keySet() + ")");
      }
      applied.put(layer, v);
    }
    return applied;
  }

  /** A nested field's path; the request's own fields have no prefix. */
  private static String path(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  private static SortedMap<Integer, float[]> layerMap(List<LayerValues> layers, String field) {
    SortedMap<Integer, float[]> map = new TreeMap<>();
    for (LayerValues lv : layers) {
      float[] v = new float[lv.getValuesCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = lv.getValues(i);
      }
      map.put(lv.getLayer(), v);
    }
    if (map.isEmpty()) {
      throw invalid(field, "the vector has no layers");
    }
    return map;
  }

  /** Checks per-layer values: layers in range and unique, one finite float per hidden unit. */
  public void layerValues(List<LayerValues> layers, String field) {
    if (layers.isEmpty()) {
      throw invalid(field, "at least one layer is required");
    }
    boolean[] seen = new boolean[config.numLayers()];
    for (int i = 0; i < layers.size(); i++) {
      LayerValues lv = layers.get(i);
      String at = field + "[" + i + "]";
      checkLayer(lv.getLayer(), at + ".layer");
      if (seen[lv.getLayer()]) {
        throw invalid(at + ".layer", "layer " + lv.getLayer() + " appears twice");
      }
      seen[lv.getLayer()] = true;
      if (lv.getValuesCount() != config.dim()) {
        throw invalid(at + ".values", "has " + lv.getValuesCount() + " values; the model's hidden "
            + "size is " + config.dim());
      }
      for (int j = 0; j < lv.getValuesCount(); j++) {
        if (!Float.isFinite(lv.getValues(j))) {
          throw invalid(at + ".values[" + j + "]", "must be finite, got " + lv.getValues(j));
        }
      }
    }
  }

  public void vector(Vector v, String field) {
    vectorId(v.getId(), field + ".id");
    layerValues(v.getLayersList(), field + ".layers");
  }

  public static void vectorId(String id, String field) {
    if (id.isEmpty()) {
      throw invalid(field, "is required");
    }
    if (!VectorRegistry.ID.matcher(id).matches()) {
      throw invalid(field, "'" + id + "' must be 1-64 characters of [a-z0-9._-] starting with a "
          + "letter or digit");
    }
  }

  /** Returns the layers to extract: the request's, or every layer. */
  public int[] extraction(ExtractVectorRequest r) {
    vectorId(r.getId(), "id");
    switch (r.getMethod()) {
      case EXTRACTION_METHOD_UNSPECIFIED, MEAN_DIFFERENCE, PCA -> { }
      default -> throw invalid("method", "unknown extraction method " + r.getMethodValue());
    }
    if (r.getPairsCount() == 0) {
      throw invalid("pairs", "at least one contrastive pair is required");
    }
    if (r.getMethod() == ExtractionMethod.PCA && r.getPairsCount() < 2) {
      throw invalid("pairs", "PCA needs at least 2 pairs to have a variance, got "
          + r.getPairsCount());
    }
    if (r.getPairsCount() > MAX_PAIRS) {
      throw invalid("pairs", "at most " + MAX_PAIRS + " pairs, got " + r.getPairsCount());
    }
    for (int i = 0; i < r.getPairsCount(); i++) {
      extractionPrompt(r.getPairs(i).getPositive(), "pairs[" + i + "].positive");
      extractionPrompt(r.getPairs(i).getNegative(), "pairs[" + i + "].negative");
    }
    if (r.getLayersCount() == 0) {
      return java.util.stream.IntStream.range(0, config.numLayers()).toArray();
    }
    boolean[] seen = new boolean[config.numLayers()];
    int[] layers = new int[r.getLayersCount()];
    for (int i = 0; i < layers.length; i++) {
      int layer = r.getLayers(i);
      checkLayer(layer, "layers[" + i + "]");
      if (seen[layer]) {
        throw invalid("layers[" + i + "]", "layer " + layer + " is listed twice");
      }
      seen[layer] = true;
      layers[i] = layer;
    }
    return layers;
  }

  /** Tokenizes score items, checking each fits the context. */
  public List<Scorer.Item> scoreItems(List<ScoreItem> items) {
    if (items.isEmpty()) {
      throw invalid("items", "at least one item is required");
    }
    if (items.size() > MAX_SCORE_ITEMS) {
      throw invalid("items", "at most " + MAX_SCORE_ITEMS + " items, got " + items.size());
    }
    List<Scorer.Item> out = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String at = "items[" + i + "]";
      out.add(scoreItem(items.get(i).getPrompt(), items.get(i).getContinuation(), at,
          at + ".continuation"));
    }
    return out;
  }

  /**
   * A prompt and continuation as token ids; refusals name {@code field} for the pair and
   * {@code continuationField} for an empty continuation.
   */
  private Scorer.Item scoreItem(String prompt, String continuation, String field,
      String continuationField) {
    if (continuation.isEmpty()) {
      throw invalid(continuationField, "must not be empty");
    }
    Scorer.Item item = new Scorer.Item(tokenizer.encode(prompt, true, false),
        tokenizer.encode(continuation, false, false));
    if (item.length() > config.contextLength()) {
      throw invalid(field, "prompt and continuation are " + (item.length() + 1)
          + " tokens; the context length is " + config.contextLength());
    }
    return item;
  }

  static final double DEFAULT_SWEEP_FROM = -8;
  static final double DEFAULT_SWEEP_TO = 8;
  static final int DEFAULT_SWEEP_STEPS = 17;
  static final int MAX_SWEEP_STEPS = 101;
  static final int MAX_CHOICES = 16;

  /** A sweep of the vector's norm: ADD with UNIT normalisation at each r of the grid. */
  public Sweep sweep(MeasureTradeoffRequest r) {
    vectorId(r.getVectorId(), "vector_id");
    registry.require(r.getVectorId(), "vector_id");
    double from = r.hasFrom() ? r.getFrom() : DEFAULT_SWEEP_FROM;
    double to = r.hasTo() ? r.getTo() : DEFAULT_SWEEP_TO;
    if (!Double.isFinite(from)) {
      throw invalid("from", "must be finite, got " + from);
    }
    if (!Double.isFinite(to) || to <= from) {
      throw invalid("to", "must be finite and greater than from (" + from + "), got " + to);
    }
    int steps = r.getSteps() == 0 ? DEFAULT_SWEEP_STEPS : r.getSteps();
    if (steps < 3 || steps > MAX_SWEEP_STEPS) {
      throw invalid("steps", "must be 3 to " + MAX_SWEEP_STEPS + ", got " + steps);
    }
    double lambda = r.hasExchangeRate() ? r.getExchangeRate() : 1;
    if (!(Double.isFinite(lambda) && lambda > 0)) {
      throw invalid("exchange_rate", "must be a finite number > 0, got " + lambda);
    }
    ProbeSet probes = isEmpty(r.getProbes()) ? ProbeSets.builtIn() : probes(r.getProbes());
    double[] grid = Sweep.grid(from, to, steps);
    List<SteeringPlan> plans = new ArrayList<>(steps);
    int[] layers = null;
    for (double coefficient : grid) {
      ResolvedEdit edit = resolve(Edit.newBuilder().setVectorId(r.getVectorId())
          .addAllLayers(r.getLayersList()).setCoefficient((float) coefficient)
          .setOperation(EditOperation.ADD).setNormalization(Normalization.UNIT).build(), "");
      layers = edit.layers().keySet().stream().mapToInt(Integer::intValue).toArray();
      plans.add(EditCompiler.compile(List.of(edit), config.numLayers(), config.dim()));
    }
    return new Sweep(r.getVectorId(), layers, grid, plans, probes,
        new ProbeEvaluator(tokenizer, config.contextLength(), probes), lambda);
  }

  private static boolean isEmpty(ProbeSet p) {
    return p.getAlignmentCount() == 0 && p.getHelpfulnessCount() == 0 && p.getTextCount() == 0;
  }

  private ProbeSet probes(ProbeSet p) {
    if (p.getAlignmentCount() == 0 && p.getHelpfulnessCount() == 0) {
      throw invalid("probes", "needs alignment or helpfulness probes to measure a tradeoff");
    }
    for (int i = 0; i < p.getAlignmentCount(); i++) {
      AlignmentProbe a = p.getAlignment(i);
      String at = "probes.alignment[" + i + "]";
      scoreItem(a.getPrompt(), a.getDesired(), at, at + ".desired");
      scoreItem(a.getPrompt(), a.getUndesired(), at, at + ".undesired");
    }
    for (int i = 0; i < p.getHelpfulnessCount(); i++) {
      ChoiceProbe c = p.getHelpfulness(i);
      String at = "probes.helpfulness[" + i + "]";
      if (c.getChoicesCount() < 2 || c.getChoicesCount() > MAX_CHOICES) {
        throw invalid(at + ".choices", "needs 2 to " + MAX_CHOICES + " choices, got "
            + c.getChoicesCount());
      }
      if (c.getAnswer() < 0 || c.getAnswer() >= c.getChoicesCount()) {
        throw invalid(at + ".answer", "must index one of the " + c.getChoicesCount()
            + " choices, got " + c.getAnswer());
      }
      for (int j = 0; j < c.getChoicesCount(); j++) {
        scoreItem(c.getPrompt(), c.getChoices(j), at, at + ".choices[" + j + "]");
      }
    }
    for (int i = 0; i < p.getTextCount(); i++) {
      if (p.getText(i).isBlank()) {
        throw invalid("probes.text[" + i + "]", "must not be blank");
      }
    }
    return p;
  }

  private void extractionPrompt(String text, String field) {
    if (text.isEmpty()) {
      throw invalid(field, "must not be empty");
    }
    int tokens = tokenizer.encode(text, true, false).length;
    if (tokens > config.contextLength()) {
      throw invalid(field, "is " + tokens + " tokens; the context length is "
          + config.contextLength());
    }
  }

  private void checkLayer(int layer, String field) {
    if (layer < 0 || layer >= config.numLayers()) {
      throw invalid(field, "layer " + layer + " is out of range; the model has layers 0 to "
          + (config.numLayers() - 1));
    }
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }
}
