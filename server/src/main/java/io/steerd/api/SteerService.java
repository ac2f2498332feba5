package io.steerd.api;

import com.google.protobuf.util.Timestamps;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.steerd.engine.GenerationRequest;
import io.steerd.engine.GenerationResult;
import io.steerd.engine.Scheduler;
import io.steerd.engine.Scorer;
import io.steerd.engine.ShadowSpec;
import io.steerd.engine.ShadowStats;
import io.steerd.engine.TokenSink;
import io.steerd.errors.SteerdException;
import io.steerd.metrics.SteerdMetrics;
import io.steerd.model.ModelConfig;
import io.steerd.engine.DecoderSession;
import io.steerd.model.ModelCard;
import io.steerd.steering.ResolvedEdit;
import io.steerd.steering.SteeringPlan;
import io.steerd.steering.VectorExtractor;
import io.steerd.tradeoff.ProbeEvaluator;
import io.steerd.tradeoff.Sweep;
import io.steerd.tradeoff.TradeoffAnalysis;
import io.steerd.steering.VectorRegistry;
import io.steerd.v1.ContinuationScore;
import io.steerd.v1.DeleteVectorRequest;
import io.steerd.v1.DeleteVectorResponse;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.Extraction;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.FinishReason;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GeneratedToken;
import io.steerd.v1.GetModelInfoRequest;
import io.steerd.v1.GetVectorRequest;
import io.steerd.v1.LayerNorm;
import io.steerd.v1.LayerShare;
import io.steerd.v1.LayerValues;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.ListVectorsResponse;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.ProbeTokenPair;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.ScoreRequest;
import io.steerd.v1.ScoreResponse;
import io.steerd.v1.ShadowEstimate;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.SweepProgress;
import io.steerd.v1.Token;
import io.steerd.v1.TokenizeRequest;
import io.steerd.v1.TokenizeResponse;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import io.steerd.v1.TradeoffSummary;
import io.steerd.v1.Vector;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The steerd.v1 API. Handlers validate (throwing {@link SteerdException}, which
 * {@link ExceptionInterceptor} maps), hand model work to the {@link Scheduler}, and answer when
 * it completes; nothing here blocks a gRPC thread on the model.
 */
public final class SteerService extends SteerServiceGrpc.SteerServiceImplBase {
  private final ModelCard model;
  private final DecoderSession session;
  private final Scheduler scheduler;
  private final VectorRegistry registry;
  private final RequestValidator validator;
  private final VectorExtractor extractor;
  private final SteerdMetrics metrics;
  private final double shadowRate;
  private final Executor responses;

  /**
   * @param responses one thread that writes every Generate stream's messages, in order
   */
  public SteerService(ModelCard model, DecoderSession session, Scheduler scheduler,
      VectorRegistry registry, SteerdMetrics metrics, double shadowRate, Executor responses) {
    this.responses = responses;
    this.shadowRate = shadowRate;
    this.model = model;
    this.session = session;
    this.scheduler = scheduler;
    this.registry = registry;
    this.metrics = metrics;
    this.validator = new RequestValidator(model.config(), model.tokenizer(), registry);
    this.extractor = new VectorExtractor(model.tokenizer());
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateResponse> observer) {
    long arrival = System.nanoTime();
    GenerationRequest validated = validator.generation(request);
    boolean steered = !validated.plan().isIdentity();
    // Sampled shadows need a spare cache slot; only a request that asks for one may be refused.
    boolean sampled = scheduler.slots() >= 2
        && ThreadLocalRandom.current().nextDouble() < shadowRate;
    GenerationRequest generation = steered && (request.getShadow() || sampled)
        ? validated.withShadow(shadowSpec(validated.plan())) : validated;
    ServerCallStreamObserver<GenerateResponse> call =
        (ServerCallStreamObserver<GenerateResponse>) observer;
    AtomicBoolean cancelled = new AtomicBoolean();
    call.setOnCancelHandler(() -> cancelled.set(true));
    StreamingSink sink = new StreamingSink(call, cancelled, arrival);

    metrics.runningStreams.inc();
    try {
      scheduler.generate(generation, sink).whenCompleteAsync((result, error) -> {
        metrics.runningStreams.dec();
        if (cancelled.get()) {
          return; // the client is gone; nothing can be sent
        }
        if (error != null) {
          call.onError(StatusMapper.toStatus(error));
          return;
        }
        try {
        metrics.promptTokens.inc(result.promptTokens());
        GenerateSummary.Builder summary = summary(result);
        if (result.shadow() != null) {
          recordShadow(generation.plan(), result.shadow());
          if (request.getShadow()) {
            summary.setShadow(shadowEstimate(result.shadow()));
          }
        }
        call.onNext(GenerateResponse.newBuilder().setSummary(summary).build());
        call.onCompleted();
        } catch (RuntimeException e) {
          call.onError(StatusMapper.toStatus(e));
        }
      }, responses);
    } catch (RuntimeException e) {
      metrics.runningStreams.dec();
      throw e;
    }
    countEdits(generation);
  }

  private void countEdits(GenerationRequest generation) {
    Set<String> aboveBreakEven = new HashSet<>();
    for (ResolvedEdit edit : generation.plan().edits()) {
      recordForVector(edit, vector -> metrics.edits.labels(vector, edit.op().name()).inc());
      if (edit.vectorId() != null && edit.maxAddedNorm() > breakEven(edit.vectorId())) {
        aboveBreakEven.add(edit.vectorId());
      }
    }
    aboveBreakEven.forEach(v -> metrics.recordIfKnown(() -> registry.get(v).isPresent(),
        () -> metrics.aboveBreakEven.labels(v).inc()));
    for (double norm : generation.plan().appliedNorms()) {
      metrics.appliedNorm.observe(norm);
    }
  }

  /** Records series labelled with the edit's vector, unless that vector has been deleted. */
  private void recordForVector(ResolvedEdit edit, Consumer<String> record) {
    String id = edit.vectorId();
    if (id == null) {
      record.accept(SteerdMetrics.INLINE_VECTOR);
    } else {
      metrics.recordIfKnown(() -> registry.get(id).isPresent(), () -> record.accept(id));
    }
  }

  /** |r*| of the vector's last sweep, or infinity when it has none. */
  private double breakEven(String vectorId) {
    return registry.get(vectorId)
        .filter(v -> v.getTradeoff().getReport().hasBreakEvenNorm())
        .map(v -> Math.abs(v.getTradeoff().getReport().getBreakEvenNorm()))
        .orElse(Double.POSITIVE_INFINITY);
  }

  /** Probe tokens for the online logit gap, from the first edit whose vector was swept. */
  private ShadowSpec shadowSpec(SteeringPlan plan) {
    for (ResolvedEdit edit : plan.edits()) {
      List<ProbeTokenPair> pairs = edit.vectorId() == null ? List.of()
          : registry.get(edit.vectorId()).map(v -> v.getTradeoff().getProbeTokensList())
              .orElse(List.of());
      if (!pairs.isEmpty()) {
        return new ShadowSpec(pairs.stream().mapToInt(ProbeTokenPair::getDesired).toArray(),
            pairs.stream().mapToInt(ProbeTokenPair::getUndesired).toArray());
      }
    }
    return ShadowSpec.WITHOUT_PROBES;
  }

  private void recordShadow(SteeringPlan plan, ShadowStats shadow) {
    recordForVector(plan.edits().get(0), vector -> {
      shadow.klPerToken().forEach(kl -> metrics.shadowKl.labels(vector).observe(kl));
      for (int i = 0; i < shadow.tokens(); i++) {
        metrics.shadowTop1Agreement.labels(vector).observe(shadow.agreedAt(i) ? 1 : 0);
      }
      shadow.logitGapPerToken().forEach(gap -> metrics.shadowLogitGap.labels(vector).observe(gap));
    });
  }

  private static ShadowEstimate shadowEstimate(ShadowStats shadow) {
    ShadowEstimate.Builder estimate = ShadowEstimate.newBuilder()
        .setTokens(shadow.tokens())
        .setMeanKl(shadow.meanKl())
        .setTop1Agreement(shadow.top1Agreement());
    if (shadow.hasLogitGap()) {
      estimate.setMeanLogitGap(shadow.meanLogitGap());
    }
    return estimate.build();
  }

  private static GenerateSummary.Builder summary(GenerationResult result) {
    FinishReason reason = switch (result.reason()) {
      case LENGTH -> FinishReason.LENGTH;
      case STOP -> FinishReason.STOP;
      case END_OF_SEQUENCE -> FinishReason.END_OF_SEQUENCE;
      case CANCELLED -> FinishReason.FINISH_REASON_UNSPECIFIED;
    };
    return GenerateSummary.newBuilder()
        .setFinishReason(reason)
        .setPromptTokens(result.promptTokens())
        .setGeneratedTokens(result.generatedTokens())
        .setText(result.text());
  }

  /**
   * Times tokens on the model thread, where they are produced, and hands them to the response
   * thread, so building, serialising and writing a message never delays the next step.
   */
  private final class StreamingSink implements TokenSink {
    private final ServerCallStreamObserver<GenerateResponse> call;
    private final AtomicBoolean cancelled;
    private long last;
    private boolean first = true;

    StreamingSink(ServerCallStreamObserver<GenerateResponse> call, AtomicBoolean cancelled,
        long arrival) {
      this.call = call;
      this.cancelled = cancelled;
      this.last = arrival;
    }

    @Override
    public void token(int id, String text, float logprob) {
      long now = System.nanoTime();
      double seconds = (now - last) / 1e9;
      if (first) {
        metrics.timeToFirstToken.observe(seconds);
        first = false;
      } else {
        metrics.interTokenLatency.observe(seconds);
      }
      last = now;
      metrics.generatedTokens.inc();
      responses.execute(() -> call.onNext(GenerateResponse.newBuilder().setToken(
          GeneratedToken.newBuilder().setId(id).setText(text).setLogprob(logprob)).build()));
    }

    @Override
    public boolean cancelled() {
      return cancelled.get();
    }
  }

  @Override
  public void putVector(PutVectorRequest request, StreamObserver<Vector> observer) {
    if (!request.hasVector()) {
      throw SteerdException.invalid("vector", "is required");
    }
    validator.vector(request.getVector(), "vector");
    Vector stored = request.getVector().toBuilder()
        .setCreateTime(Timestamps.fromMillis(System.currentTimeMillis()))
        .clearExtraction()
        .clearTradeoff()
        .build();
    registry.put(stored);
    // New values make the old sweep's figures meaningless.
    metrics.forgetVector(stored.getId());
    observer.onNext(stored);
    observer.onCompleted();
  }

  @Override
  public void getVector(GetVectorRequest request, StreamObserver<Vector> observer) {
    RequestValidator.vectorId(request.getId(), "id");
    observer.onNext(registry.require(request.getId(), "id"));
    observer.onCompleted();
  }

  @Override
  public void listVectors(ListVectorsRequest request, StreamObserver<ListVectorsResponse> observer) {
    ListVectorsResponse.Builder response = ListVectorsResponse.newBuilder();
    for (Vector v : registry.list()) {
      response.addVectors(request.getOmitValues() ? withoutValues(v) : v);
    }
    observer.onNext(response.build());
    observer.onCompleted();
  }

  private static Vector withoutValues(Vector v) {
    Vector.Builder b = v.toBuilder().clearLayers();
    for (LayerValues lv : v.getLayersList()) {
      b.addLayers(LayerValues.newBuilder().setLayer(lv.getLayer()));
    }
    return b.build();
  }

  @Override
  public void deleteVector(DeleteVectorRequest request,
      StreamObserver<DeleteVectorResponse> observer) {
    RequestValidator.vectorId(request.getId(), "id");
    if (!registry.delete(request.getId())) {
      throw SteerdException.notFound("id: no vector with id '" + request.getId() + "'");
    }
    metrics.forgetVector(request.getId());
    observer.onNext(DeleteVectorResponse.getDefaultInstance());
    observer.onCompleted();
  }

  @Override
  public void extractVector(ExtractVectorRequest request, StreamObserver<Vector> observer) {
    int[] layers = validator.extraction(request);
    if (!request.getOverwrite() && registry.contains(request.getId())) {
      throw new SteerdException(SteerdException.Kind.ALREADY_EXISTS, "id: a vector with id '"
          + request.getId() + "' exists; set overwrite to replace it");
    }
    List<VectorExtractor.Pair> pairs = request.getPairsList().stream()
        .map(p -> new VectorExtractor.Pair(p.getPositive(), p.getNegative())).toList();
    VectorExtractor.Method method = request.getMethod() == ExtractionMethod.PCA
        ? VectorExtractor.Method.PCA : VectorExtractor.Method.MEAN_DIFFERENCE;
    answerWhenDone(scheduler.submit(session -> extractor.extract(session, pairs, layers, method)),
        observer, result -> {
          Vector v = extracted(request, result);
          if (request.getOverwrite()) {
            registry.put(v);
          } else if (!registry.putIfAbsent(v)) {
            throw new SteerdException(SteerdException.Kind.ALREADY_EXISTS, "id: a vector with id '"
                + v.getId() + "' was stored while this one was being extracted; set overwrite "
                + "to replace it");
          }
          metrics.forgetVector(v.getId());
          return v;
        });
  }

  private static Vector extracted(ExtractVectorRequest request, VectorExtractor.Result result) {
    boolean pca = request.getMethod() == ExtractionMethod.PCA;
    Extraction.Builder extraction = Extraction.newBuilder()
        .setMethod(pca ? ExtractionMethod.PCA : ExtractionMethod.MEAN_DIFFERENCE)
        .setPairCount(request.getPairsCount());
    Vector.Builder v = Vector.newBuilder()
        .setId(request.getId())
        .setDescription(request.getDescription())
        .setCreateTime(Timestamps.fromMillis(System.currentTimeMillis()));
    for (int i = 0; i < result.layers().length; i++) {
      LayerValues.Builder lv = LayerValues.newBuilder().setLayer(result.layers()[i]);
      double sq = 0;
      for (float x : result.values()[i]) {
        lv.addValues(x);
        sq += (double) x * x;
      }
      v.addLayers(lv);
      extraction.addNorms(LayerNorm.newBuilder().setLayer(result.layers()[i]).setNorm(Math.sqrt(sq)));
      if (pca) {
        extraction.addExplainedVariance(LayerShare.newBuilder().setLayer(result.layers()[i])
            .setShare(result.explainedVariance()[i]));
      }
    }
    return v.setExtraction(extraction).build();
  }

  @Override
  public void score(ScoreRequest request, StreamObserver<ScoreResponse> observer) {
    List<Scorer.Item> items = validator.scoreItems(request.getItemsList());
    SteeringPlan plan = validator.plan(request.getEditsList(), "edits");
    answerWhenDone(scheduler.submit(session -> new Scorer(session).score(items, plan)), observer,
        scores -> {
          ScoreResponse.Builder response = ScoreResponse.newBuilder();
          for (Scorer.Score s : scores) {
            ContinuationScore.Builder c = ContinuationScore.newBuilder()
                .setLogprob(s.logprob())
                .setTokenCount(s.tokenLogprobs().length)
                .setTop1Matches(s.top1Matches());
            for (float lp : s.tokenLogprobs()) {
              c.addTokenLogprobs(lp);
            }
            response.addScores(c);
          }
          return response.build();
        });
  }

  /** Completes a unary call from a scheduler result, mapping any failure to its status. */
  private <T, R> void answerWhenDone(java.util.concurrent.CompletableFuture<T> work,
      StreamObserver<R> observer, java.util.function.Function<T, R> respond) {
    // Off the model thread: responding may persist to disk, which must not stall decoding.
    work.whenCompleteAsync((result, error) -> {
      try {
        if (error != null) {
          throw StatusMapper.toStatus(error);
        }
        observer.onNext(respond.apply(result));
        observer.onCompleted();
      } catch (RuntimeException e) {
        observer.onError(StatusMapper.toStatus(e));
      }
    }, responses);
  }

  @Override
  public void measureTradeoff(MeasureTradeoffRequest request,
      StreamObserver<MeasureTradeoffResponse> observer) {
    Sweep sweep = validator.sweep(request);
    ServerCallStreamObserver<MeasureTradeoffResponse> call =
        (ServerCallStreamObserver<MeasureTradeoffResponse>) observer;
    AtomicBoolean cancelled = new AtomicBoolean();
    call.setOnCancelHandler(() -> cancelled.set(true));
    new SweepRun(sweep, call, cancelled).next(0);
  }

  /**
   * Runs a sweep one point per scheduler task, so generation requests interleave with it
   * instead of waiting for the whole sweep.
   */
  private final class SweepRun {
    private final Sweep sweep;
    private final ServerCallStreamObserver<MeasureTradeoffResponse> call;
    private final AtomicBoolean cancelled;
    private final List<TradeoffPoint> points = new java.util.ArrayList<>();
    private final long started = System.nanoTime();
    private final Vector swept;

    SweepRun(Sweep sweep, ServerCallStreamObserver<MeasureTradeoffResponse> call,
        AtomicBoolean cancelled) {
      this.swept = registry.require(sweep.vectorId(), "vector_id");
      this.sweep = sweep;
      this.call = call;
      this.cancelled = cancelled;
    }

    void next(int i) {
      if (cancelled.get()) {
        return;
      }
      if (i == sweep.coefficients().length) {
        finish();
        return;
      }
      try {
        scheduler.submit(session -> sweep.probes().evaluate(new Scorer(session),
                sweep.plans().get(i)))
            .whenCompleteAsync((result, error) -> {
              if (cancelled.get()) {
                return;
              }
              if (error != null) {
                call.onError(StatusMapper.toStatus(error));
                return;
              }
              try {
                TradeoffPoint point = TradeoffAnalysis.point(sweep.coefficients()[i], result);
                points.add(point);
                call.onNext(MeasureTradeoffResponse.newBuilder().setProgress(
                    SweepProgress.newBuilder().setCompletedPoints(i + 1)
                        .setTotalPoints(sweep.coefficients().length).setPoint(point)).build());
                next(i + 1);
              } catch (RuntimeException e) {
                call.onError(StatusMapper.toStatus(e));
              }
            }, responses);
      } catch (RuntimeException e) {
        // The queue was full or the server is stopping between two points.
        if (i == 0) {
          throw e;
        }
        call.onError(StatusMapper.toStatus(e));
      }
    }

    private void finish() {
      try {
        TradeoffReport report = TradeoffAnalysis.report(sweep, points,
            Timestamps.fromMillis(System.currentTimeMillis()), (System.nanoTime() - started) / 1e9);
        TradeoffSummary.Builder summary = TradeoffSummary.newBuilder().setReport(report);
        for (int[] pair : ProbeEvaluator.firstTokens(model.tokenizer(),
            sweep.probeSet().getAlignmentList())) {
          summary.addProbeTokens(ProbeTokenPair.newBuilder().setDesired(pair[0])
              .setUndesired(pair[1]));
        }
        if (!registry.updateIfUnchanged(swept, v -> v.toBuilder().setTradeoff(summary).build())) {
          throw new SteerdException(SteerdException.Kind.ABORTED, "vector_id: '"
              + sweep.vectorId() + "' was replaced or deleted during the sweep; its figures "
              + "would not describe the stored values");
        }
        metrics.recordSweep(sweep.vectorId(), report);
        call.onNext(MeasureTradeoffResponse.newBuilder().setReport(report).build());
        call.onCompleted();
      } catch (RuntimeException e) {
        call.onError(StatusMapper.toStatus(e));
      }
    }
  }

  @Override
  public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> observer) {
    ModelConfig c = model.config();
    observer.onNext(ModelInfo.newBuilder()
        .setArchitecture("llama")
        .setSource(model.source())
        .setNumLayers(c.numLayers())
        .setHiddenSize(c.dim())
        .setIntermediateSize(c.hiddenDim())
        .setNumHeads(c.numHeads())
        .setNumKvHeads(c.numKvHeads())
        .setVocabSize(c.vocabSize())
        .setContextLength(c.contextLength())
        .setDevice(session.device().toString())
        .setParameterCount(c.parameterCount())
        .setBosTokenId(model.tokenizer().bos())
        .setEosTokenId(model.tokenizer().eos())
        .build());
    observer.onCompleted();
  }

  @Override
  public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> observer) {
    TokenizeResponse.Builder response = TokenizeResponse.newBuilder();
    for (int id : model.tokenizer().encode(request.getText(), request.getAddBos(), false)) {
      response.addTokens(Token.newBuilder().setId(id).setPiece(model.tokenizer().piece(id)));
    }
    observer.onNext(response.build());
    observer.onCompleted();
  }
}
