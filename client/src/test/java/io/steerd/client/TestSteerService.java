package io.steerd.client;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
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
import io.steerd.v1.LayerValues;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.SweepProgress;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import io.steerd.v1.ListVectorsRequest;
import io.steerd.v1.ListVectorsResponse;
import io.steerd.v1.ModelInfo;
import io.steerd.v1.PutVectorRequest;
import io.steerd.v1.SteerServiceGrpc;
import io.steerd.v1.Token;
import io.steerd.v1.TokenizeRequest;
import io.steerd.v1.TokenizeResponse;
import io.steerd.v1.Vector;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Test-only SteerService with canned answers, to check the CLI's wiring (flags to request
 * fields, responses to output, status to exit code). It is not a model of the real server.
 */
final class TestSteerService extends SteerServiceGrpc.SteerServiceImplBase {

    static final List<String> TOKENS = List.of("Hello", ",", " w\u00f6rld", "");

    final AtomicReference<GenerateRequest> lastGenerate = new AtomicReference<>();
    final AtomicReference<ExtractVectorRequest> lastExtract = new AtomicReference<>();
    final AtomicReference<PutVectorRequest> lastPut = new AtomicReference<>();
    final AtomicReference<ListVectorsRequest> lastList = new AtomicReference<>();
    final AtomicReference<TokenizeRequest> lastTokenize = new AtomicReference<>();
    final AtomicReference<MeasureTradeoffRequest> lastTradeoff = new AtomicReference<>();

    /** The two sweep points measureTradeoff streams, r = 0 first. */
    static final List<TradeoffPoint> SWEEP = List.of(
            TradeoffPoint.newBuilder().setCoefficient(0).setAlignment(0.05).setAlignmentStderr(0.04)
                    .setHelpfulness(0.8).setHelpfulnessStderr(0.025).setTextLogprob(-1.25).build(),
            TradeoffPoint.newBuilder().setCoefficient(4).setAlignment(0.9).setAlignmentStderr(0.03)
                    .setHelpfulness(0.7).setHelpfulnessStderr(0.03).setTextLogprob(-1.5).build());

    static Vector known() {
        return Vector.newBuilder()
                .setId("known")
                .setDescription("a stored vector")
                .addLayers(LayerValues.newBuilder().setLayer(1).addValues(0.5f).addValues(-1f))
                .addLayers(LayerValues.newBuilder().setLayer(2).addValues(0.25f).addValues(2f))
                .build();
    }

    @Override
    public void generate(GenerateRequest request, StreamObserver<GenerateResponse> out) {
        lastGenerate.set(request);
        if (request.getPrompt().equals("hang")) {
            return; // never answers: the client's deadline must end the call
        }
        if (request.getPrompt().equals("fail midway")) {
            out.onNext(token(0));
            out.onError(Status.RESOURCE_EXHAUSTED.withDescription("queue is full").asRuntimeException());
            return;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < TOKENS.size(); i++) {
            out.onNext(token(i));
            text.append(TOKENS.get(i));
        }
        out.onNext(GenerateResponse.newBuilder()
                .setSummary(GenerateSummary.newBuilder()
                        .setFinishReason(FinishReason.LENGTH)
                        .setPromptTokens(5)
                        .setGeneratedTokens(TOKENS.size())
                        .setText(text.toString()))
                .build());
        out.onCompleted();
    }

    private static GenerateResponse token(int i) {
        return GenerateResponse.newBuilder()
                .setToken(GeneratedToken.newBuilder().setId(100 + i).setText(TOKENS.get(i)).setLogprob(-0.5f))
                .build();
    }

    @Override
    public void getVector(GetVectorRequest request, StreamObserver<Vector> out) {
        if (!request.getId().equals("known")) {
            out.onError(Status.NOT_FOUND.withDescription("vector '" + request.getId() + "' not found")
                    .asRuntimeException());
            return;
        }
        out.onNext(known());
        out.onCompleted();
    }

    @Override
    public void listVectors(ListVectorsRequest request, StreamObserver<ListVectorsResponse> out) {
        lastList.set(request);
        Vector vector = known();
        if (request.getOmitValues()) {
            vector = vector.toBuilder().clearLayers()
                    .setExtraction(Extraction.newBuilder()
                            .addNorms(LayerNorm.newBuilder().setLayer(1))
                            .addNorms(LayerNorm.newBuilder().setLayer(2)))
                    .build();
        }
        out.onNext(ListVectorsResponse.newBuilder().addVectors(vector).build());
        out.onCompleted();
    }

    @Override
    public void putVector(PutVectorRequest request, StreamObserver<Vector> out) {
        lastPut.set(request);
        out.onNext(request.getVector());
        out.onCompleted();
    }

    @Override
    public void deleteVector(DeleteVectorRequest request, StreamObserver<DeleteVectorResponse> out) {
        if (!request.getId().equals("known")) {
            out.onError(Status.NOT_FOUND.withDescription("vector '" + request.getId() + "' not found")
                    .asRuntimeException());
            return;
        }
        out.onNext(DeleteVectorResponse.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void extractVector(ExtractVectorRequest request, StreamObserver<Vector> out) {
        lastExtract.set(request);
        Vector.Builder vector = Vector.newBuilder().setId(request.getId()).setDescription(request.getDescription());
        Extraction.Builder extraction = Extraction.newBuilder()
                .setMethod(ExtractionMethod.MEAN_DIFFERENCE)
                .setPairCount(request.getPairsCount());
        for (int layer : request.getLayersList()) {
            vector.addLayers(LayerValues.newBuilder().setLayer(layer).addValues(1f));
            extraction.addNorms(LayerNorm.newBuilder().setLayer(layer).setNorm(1.5 + layer));
        }
        out.onNext(vector.setExtraction(extraction).build());
        out.onCompleted();
    }

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> out) {
        out.onNext(ModelInfo.newBuilder()
                .setArchitecture("llama")
                .setSource("/models/stories15M.bin")
                .setNumLayers(6)
                .setHiddenSize(288)
                .setVocabSize(32000)
                .setContextLength(256)
                .setDevice("cpu")
                .setParameterCount(15_000_000L)
                .setBosTokenId(1)
                .setEosTokenId(2)
                .build());
        out.onCompleted();
    }

    @Override
    public void tokenize(TokenizeRequest request, StreamObserver<TokenizeResponse> out) {
        lastTokenize.set(request);
        TokenizeResponse.Builder response = TokenizeResponse.newBuilder();
        if (request.getAddBos()) {
            response.addTokens(Token.newBuilder().setId(1).setPiece("<s>"));
        }
        response.addTokens(Token.newBuilder().setId(15043).setPiece(" Hello"));
        response.addTokens(Token.newBuilder().setId(13).setPiece("<0x0A>"));
        out.onNext(response.build());
        out.onCompleted();
    }

    /** Two progress messages, then a report; vector "noreport" ends the stream without one. */
    @Override
    public void measureTradeoff(MeasureTradeoffRequest request, StreamObserver<MeasureTradeoffResponse> out) {
        lastTradeoff.set(request);
        // Like the server, points carry text measurements only when there was text to score.
        List<TradeoffPoint> points = request.getProbes().getTextCount() > 0 ? SWEEP
                : SWEEP.stream().map(p -> p.toBuilder().clearTextLogprob().build()).toList();
        for (int i = 0; i < points.size(); i++) {
            out.onNext(MeasureTradeoffResponse.newBuilder().setProgress(SweepProgress.newBuilder()
                    .setCompletedPoints(i + 1).setTotalPoints(points.size()).setPoint(points.get(i))).build());
        }
        if (request.getVectorId().equals("noreport")) {
            out.onCompleted();
            return;
        }
        boolean builtIn = !request.hasProbes();
        TradeoffReport report = TradeoffReport.newBuilder()
                .setVectorId(request.getVectorId())
                .addAllLayers(request.getLayersCount() > 0 ? request.getLayersList() : List.of(1, 2))
                .addAllPoints(points)
                .setFits(TradeoffFixtures.goodReport().getFits())
                .setBreakEvenNorm(2.5)
                .setBreakEvenStatus(io.steerd.v1.BreakEvenStatus.BREAK_EVEN_FOUND)
                .setBreakEvenReason("marginal gain equals marginal loss")
                .setExchangeRate(request.hasExchangeRate() ? request.getExchangeRate() : 1)
                .setAlignmentProbes(builtIn ? 24 : request.getProbes().getAlignmentCount())
                .setHelpfulnessProbes(builtIn ? 32 : request.getProbes().getHelpfulnessCount())
                .setTextPassages(request.getProbes().getTextCount())
                .setSeconds(1.5)
                .build();
        out.onNext(MeasureTradeoffResponse.newBuilder().setReport(report).build());
        out.onCompleted();
    }
}
