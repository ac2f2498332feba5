package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.Normalization;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end over a real Netty gRPC server on an ephemeral port, serving the
 * canned {@link TestSteerService}.
 */
class SteerCtlTest {

    private static final TestSteerService service = new TestSteerService();
    private static final HealthStatusManager health = new HealthStatusManager();
    private static Server server;
    private static String target;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus("draining", ServingStatus.NOT_SERVING);
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(service)
                .addService(health.getHealthService()).build().start();
        target = "localhost:" + server.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    private static Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--target", target));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    private static Result runRaw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SteerCtl.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void generateStreamsTokenTextThenNewlineAndSummaryOnStderr() {
        Result r = run("generate", "--prompt", "Once upon a time");
        assertEquals(0, r.code(), r.err());
        assertEquals("Hello, w\u00f6rld\n", r.out());
        assertEquals("finish_reason=LENGTH prompt_tokens=5 generated_tokens=4\n", r.err());

        GenerateRequest request = service.lastGenerate.get();
        assertEquals("Once upon a time", request.getPrompt());
        assertEquals(128, request.getMaxTokens());
        assertFalse(request.hasTemperature());
        assertFalse(request.hasTopP());
        assertFalse(request.hasSeed());
        assertEquals(0, request.getEditsCount());
    }

    @Test
    void generateMapsEveryFlagIntoTheRequest() {
        Result r = run("generate", "--prompt", "p", "--temperature", "0", "--top-p", "0.9", "--top-k", "40",
                "--seed", "18446744073709551615", "--max-tokens", "7", "--stop", "\n", "--stop", "The end",
                "--edit", "vector=happy,layers=1-3;5,coef=4,norm=unit", "--edit", "vector=sad,op=ablate");
        assertEquals(0, r.code(), r.err());

        GenerateRequest request = service.lastGenerate.get();
        assertTrue(request.hasTemperature());
        assertEquals(0f, request.getTemperature());
        assertEquals(0.9f, request.getTopP());
        assertEquals(40, request.getTopK());
        assertEquals(-1L, request.getSeed()); // 2^64 - 1 as uint64
        assertEquals(7, request.getMaxTokens());
        assertEquals(List.of("\n", "The end"), request.getStopList());
        assertEquals(List.of(
                Edit.newBuilder().setVectorId("happy").addAllLayers(List.of(1, 2, 3, 5)).setCoefficient(4)
                        .setNormalization(Normalization.UNIT).build(),
                Edit.newBuilder().setVectorId("sad").setOperation(EditOperation.ABLATE).build()),
                request.getEditsList());
    }

    @Test
    void generateJsonPrintsOneParsableMessagePerLine() throws Exception {
        Result r = run("generate", "--prompt", "p", "--json");
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        String[] lines = r.out().split("\n");
        assertEquals(TestSteerService.TOKENS.size() + 1, lines.length);
        for (int i = 0; i < TestSteerService.TOKENS.size(); i++) {
            GenerateResponse token = Json.merge(lines[i], GenerateResponse.newBuilder()).build();
            assertEquals(100 + i, token.getToken().getId());
            assertEquals(TestSteerService.TOKENS.get(i), token.getToken().getText());
        }
        GenerateResponse last = Json.merge(lines[lines.length - 1], GenerateResponse.newBuilder()).build();
        assertEquals("Hello, w\u00f6rld", last.getSummary().getText());
    }

    @Test
    void generateFailingMidStreamEndsTheLineAndReportsTheStatus() {
        Result r = run("generate", "--prompt", "fail midway");
        assertEquals(SteerCtl.EXIT_ERROR, r.code());
        assertEquals("Hello\n", r.out());
        assertEquals("error: RESOURCE_EXHAUSTED: queue is full\n", r.err());
    }

    @Test
    void deadlineIsAppliedToTheCall() {
        long start = System.nanoTime();
        Result r = run("--deadline", "0.5", "generate", "--prompt", "hang");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(SteerCtl.EXIT_ERROR, r.code());
        assertTrue(r.err().startsWith("error: DEADLINE_EXCEEDED: "), r.err());
        assertTrue(millis < 10_000, "took " + millis + " ms");
    }

    @Test
    void healthPrintsTheStatusAndExitsZeroOnlyWhenServing() {
        Result serving = run("health");
        assertEquals(0, serving.code(), serving.err());
        assertEquals("SERVING\n", serving.out());

        Result notServing = run("health", "--service", "draining");
        assertEquals(SteerCtl.EXIT_ERROR, notServing.code());
        assertEquals("NOT_SERVING\n", notServing.out());

        Result unknown = run("health", "--service", "nope");
        assertEquals(SteerCtl.EXIT_ERROR, unknown.code());
        assertEquals("", unknown.out());
        assertTrue(unknown.err().startsWith("error: NOT_FOUND"), unknown.err());
    }

    @Test
    void notFoundGivesNonZeroExitAndPrintsTheStatus() {
        Result r = run("vectors", "get", "nope");
        assertEquals(SteerCtl.EXIT_ERROR, r.code());
        assertEquals("", r.out());
        assertEquals("error: NOT_FOUND: vector 'nope' not found\n", r.err());

        Result delete = run("vectors", "delete", "nope");
        assertEquals(SteerCtl.EXIT_ERROR, delete.code());
        assertEquals("error: NOT_FOUND: vector 'nope' not found\n", delete.err());
    }

    @Test
    void unreachableServerIsReportedAsUnavailable() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Result r = runRaw("--target", "localhost:" + port, "info");
        assertEquals(SteerCtl.EXIT_ERROR, r.code());
        assertTrue(r.err().startsWith("error: UNAVAILABLE"), r.err());
    }

    @Test
    void badUsageExitsTwoWithPicocliMessage() {
        Result unknown = run("generate", "--prompt", "p", "--temprature", "1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown options: '--temprature'"), unknown.err());

        Result missing = run("generate");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required option: '--prompt=TEXT'"), missing.err());

        Result badEdit = run("generate", "--prompt", "p", "--edit", "vector=v,coef=1,layers=3-1");
        assertEquals(2, badEdit.code());
        assertTrue(badEdit.err().contains("bad layer range '3-1': start 3 is greater than end 1"), badEdit.err());

        Result badSeed = run("generate", "--prompt", "p", "--seed", "-1");
        assertEquals(2, badSeed.code());
        assertTrue(badSeed.err().contains("'-1' is not an unsigned 64-bit integer"), badSeed.err());

        for (String deadline : List.of("0", "-1", "0.0000000001", "0.0009", "NaN", "Infinity", "1e10")) {
            Result badDeadline = run("--deadline", deadline, "info");
            assertEquals(2, badDeadline.code(), deadline);
            assertTrue(badDeadline.err().startsWith("error: Invalid value for option '--deadline': "
                    + "must be a number of seconds from 0.001 to 1000000000, got "), badDeadline.err());
            assertFalse(badDeadline.err().contains("\tat "), "a stack trace: " + badDeadline.err());
        }
        assertEquals(0, run("--deadline", "0.001", "health", "--help").code(), "the smallest deadline is accepted");

        Result noCommand = run();
        assertEquals(2, noCommand.code());
        assertTrue(noCommand.err().contains("Missing required subcommand"), noCommand.err());

        Result noVectorsCommand = run("vectors");
        assertEquals(2, noVectorsCommand.code());

        Result badLayers = run("vectors", "extract", "--id", "x", "--pairs", "p.jsonl", "--layers", "a");
        assertEquals(2, badLayers.code());
        assertTrue(badLayers.err().contains("Invalid value for option '--layers': bad layer 'a'"), badLayers.err());
    }

    @Test
    void infoPrintsReadableLines() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("architecture:      llama\n"), r.out());
        assertTrue(r.out().contains("num_layers:        6\n"), r.out());
        assertTrue(r.out().contains("parameter_count:   15000000\n"), r.out());

        Result json = run("info", "--json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().contains("\"hiddenSize\": 288"), json.out());
    }

    @Test
    void tokenizePrintsIdTabPiece() {
        Result r = run("tokenize", "--text", "Hello\n", "--bos");
        assertEquals(0, r.code(), r.err());
        assertEquals("1\t<s>\n15043\t Hello\n13\t<0x0A>\n", r.out());
        assertTrue(service.lastTokenize.get().getAddBos());
        assertEquals("Hello\n", service.lastTokenize.get().getText());
    }

    @Test
    void vectorsListAndGet() throws Exception {
        Result list = run("vectors", "list");
        assertEquals(0, list.code(), list.err());
        assertEquals("known\t1-2\ta stored vector\n", list.out());
        assertTrue(service.lastList.get().getOmitValues());

        Result values = run("vectors", "list", "--values");
        assertEquals(0, values.code(), values.err());
        assertFalse(service.lastList.get().getOmitValues());
        assertEquals("known\t1-2\ta stored vector\n  layer 1: 0.5 -1.0\n  layer 2: 0.25 2.0\n", values.out());

        Result get = run("vectors", "get", "known");
        assertEquals(0, get.code(), get.err());
        assertEquals(TestSteerService.known(),
                Json.merge(get.out(), io.steerd.v1.Vector.newBuilder()).build());
    }

    @Test
    void vectorsPutReadsJsonFileAndOverridesId(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v.json");
        Files.writeString(file, Json.pretty(TestSteerService.known()));
        Result r = run("vectors", "put", "--file", file.toString(), "--id", "copy");
        assertEquals(0, r.code(), r.err());
        assertEquals("stored copy (layers 1-2)\n", r.out());
        assertEquals(TestSteerService.known().toBuilder().setId("copy").build(),
                service.lastPut.get().getVector());

        Files.writeString(file, "{\"id\": \"x\", \"layerz\": []}");
        Result bad = run("vectors", "put", "--file", file.toString());
        assertEquals(SteerCtl.EXIT_ERROR, bad.code());
        assertTrue(bad.err().startsWith("error: " + file + ": not a Vector: "), bad.err());

        Result missing = run("vectors", "put", "--file", dir.resolve("absent.json").toString());
        assertEquals(SteerCtl.EXIT_ERROR, missing.code());
        assertEquals("error: no such file: " + dir.resolve("absent.json") + "\n", missing.err());
    }

    @Test
    void vectorsDelete() {
        Result r = run("vectors", "delete", "known");
        assertEquals(0, r.code(), r.err());
        assertEquals("deleted known\n", r.out());
    }

    @Test
    void vectorsExtractSendsPairsAndPrintsNorms(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"positive\": \"I love it\", \"negative\": \"I hate it\"}\n\n"
                + "{\"positive\": \"joy\", \"negative\": \"grief\"}\n");
        Result r = run("vectors", "extract", "--id", "love", "--pairs", pairs.toString(), "--layers", "0-2",
                "--description", "love vs hate", "--overwrite");
        assertEquals(0, r.code(), r.err());
        assertEquals("id: love\nlayers: 0-2\npairs: 2\nnorms:\n"
                + "  layer 0\t1.500000\n  layer 1\t2.500000\n  layer 2\t3.500000\n", r.out());

        ExtractVectorRequest request = service.lastExtract.get();
        assertEquals("love", request.getId());
        assertEquals(List.of(0, 1, 2), request.getLayersList());
        assertEquals("love vs hate", request.getDescription());
        assertTrue(request.getOverwrite());
        assertEquals(2, request.getPairsCount());
        assertEquals("grief", request.getPairs(1).getNegative());
    }

    @Test
    void vectorsExtractReportsTheBadPairsLine(@TempDir Path dir) throws Exception {
        Path pairs = dir.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"positive\": \"a\", \"negative\": \"b\"}\n{\"positive\": \"a\"}\n");
        Result r = run("vectors", "extract", "--id", "x", "--pairs", pairs.toString());
        assertEquals(SteerCtl.EXIT_ERROR, r.code());
        assertEquals("error: " + pairs + ":2: missing or empty \"negative\"\n", r.err());
    }

    @Test
    void tradeoffSendsTheSweepAndProbesAndWritesReportPlotAndSummary(@TempDir Path dir) throws Exception {
        Path probes = Files.createDirectory(dir.resolve("probes"));
        Files.writeString(probes.resolve("alignment.jsonl"), ProbeFilesTest.ALIGNMENT);
        Files.writeString(probes.resolve("helpfulness.jsonl"), ProbeFilesTest.HELPFULNESS);
        Files.writeString(probes.resolve("text.txt"), "One day a bird sang.\n");
        Path text = Files.writeString(dir.resolve("valid.txt"), "Tom had a red ball.\n\nThe end.\n");
        Path report = dir.resolve("report.json");
        Path png = dir.resolve("tradeoff.png");

        Result r = run("tradeoff", "--vector", "known", "--layers", "1-3", "--from", "-4", "--to", "4",
                "--steps", "9", "--exchange-rate", "2", "--probes", probes.toString(), "--text", text.toString(),
                "--out", report.toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());

        MeasureTradeoffRequest request = service.lastTradeoff.get();
        assertEquals("known", request.getVectorId());
        assertEquals(List.of(1, 2, 3), request.getLayersList());
        assertTrue(request.hasFrom());
        assertEquals(-4, request.getFrom());
        assertEquals(4, request.getTo());
        assertEquals(9, request.getSteps());
        assertEquals(2, request.getExchangeRate());
        assertEquals(2, request.getProbes().getAlignmentCount());
        assertEquals(" happy", request.getProbes().getAlignment(0).getDesired());
        assertEquals(2, request.getProbes().getHelpfulnessCount());
        assertEquals(List.of("One day a bird sang.", "Tom had a red ball.", "The end."),
                request.getProbes().getTextList());

        assertEquals("point 1/2  r=0.000  alignment=0.050\u00b10.040  helpfulness=0.800\u00b10.025  text_ll=-1.25\n"
                + "point 2/2  r=4.000  alignment=0.900\u00b10.030  helpfulness=0.700\u00b10.030  text_ll=-1.50\n",
                r.err());

        JsonObject json = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        JsonObject first = json.getAsJsonArray("points").get(0).getAsJsonObject();
        assertEquals(0.0, first.get("coefficient").getAsDouble()); // printed although zero
        assertEquals(0.025, first.get("helpfulness_stderr").getAsDouble());
        assertEquals(-1.25, first.get("text_logprob").getAsDouble());
        JsonObject alignment = json.getAsJsonObject("fits").getAsJsonObject("alignment");
        assertEquals(0.35, alignment.getAsJsonObject("params").get("a").getAsDouble());
        assertEquals(0.05, alignment.getAsJsonObject("params").get("b0").getAsDouble());
        assertEquals(0.987, alignment.get("r2").getAsDouble());
        assertEquals("FIT_OK", alignment.get("status").getAsString());
        assertEquals(2.5, json.get("break_even_norm").getAsDouble());
        assertEquals("BREAK_EVEN_FOUND", json.get("break_even_status").getAsString());
        assertEquals(2.0, json.get("exchange_rate").getAsDouble());
        assertEquals(3, json.get("text_passages").getAsInt());
        assertEquals("known", Json.merge(Files.readString(report), io.steerd.v1.TradeoffReport.newBuilder())
                .getVectorId());

        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());

        assertTrue(r.out().startsWith("tradeoff of known at layers 1-3: 2 points, 2 alignment and 2 helpfulness "
                + "probes, 3 text passages, 1.5 s\n"), r.out());
        assertTrue(r.out().contains("alignment   B(r) = tanh(a*r + b0)  FIT_OK  a=0.35\u00b10.012  b0=0.05\u00b10.02"
                + "  R\u00b2=0.9870"), r.out());
        assertTrue(r.out().contains("helpfulness P(r) = 1/(1 + a + a*(b^2/2)*r^2)  FIT_OK  a=0.25\u00b10.01"), r.out());
        assertTrue(r.out().contains("alignment   near r=0 (c0 + c1*r)  c1=0.33  95% CI [0.29, 0.37]"
                + " (|r| <= 4, 9 points)\n"), r.out());
        assertTrue(r.out().contains("helpfulness near r=0 (c0 + c1*r + c2*r^2)  c1=-0.002  95% CI [-0.009, 0.005]"
                + " (|r| <= 4, 9 points)\n"), r.out());
        assertTrue(r.out().contains("break-even  BREAK_EVEN_FOUND (exchange rate 2): r* = 2.5; "
                + "marginal gain equals marginal loss\n"), r.out());
        assertTrue(r.out().endsWith("report: " + report + "\nplot:   " + png + "\n"), r.out());
    }

    @Test
    void tradeoffDefaultsLeaveTheOptionalFieldsUnset(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");
        Result r = run("tradeoff", "--vector", "known", "--out", report.toString());
        assertEquals(0, r.code(), r.err());

        MeasureTradeoffRequest request = service.lastTradeoff.get();
        assertFalse(request.hasFrom());
        assertFalse(request.hasTo());
        assertFalse(request.hasExchangeRate());
        assertEquals(0, request.getSteps());
        assertFalse(request.hasProbes(), "an empty ProbeSet selects the server's built-in sets");
        assertEquals(List.of(), request.getLayersList());

        // The built-in sets have no text, so no text_ll in the progress or the points.
        assertEquals("point 1/2  r=0.000  alignment=0.050\u00b10.040  helpfulness=0.800\u00b10.025\n"
                + "point 2/2  r=4.000  alignment=0.900\u00b10.030  helpfulness=0.700\u00b10.030\n", r.err());
        JsonObject first = JsonParser.parseString(Files.readString(report)).getAsJsonObject()
                .getAsJsonArray("points").get(0).getAsJsonObject();
        assertEquals(0.0, first.get("coefficient").getAsDouble());
        assertFalse(first.has("text_logprob"), first.toString());
        assertFalse(r.out().contains("plot:"), r.out());
    }

    @Test
    void tradeoffUsageAndInputErrors(@TempDir Path dir) throws Exception {
        String out = dir.resolve("report.json").toString();
        Result textAlone = run("tradeoff", "--vector", "known", "--text", "valid.txt", "--out", out);
        assertEquals(SteerCtl.EXIT_USAGE, textAlone.code());
        assertTrue(textAlone.err().contains("--text needs --probes DIR"), textAlone.err());

        Result noOut = run("tradeoff", "--vector", "known");
        assertEquals(SteerCtl.EXIT_USAGE, noOut.code());
        assertTrue(noOut.err().contains("Missing required option: '--out=FILE'"), noOut.err());

        Result badLayers = run("tradeoff", "--vector", "known", "--layers", "2-1", "--out", out);
        assertEquals(SteerCtl.EXIT_USAGE, badLayers.code());
        assertTrue(badLayers.err().contains("Invalid value for option '--layers': bad layer range '2-1'"),
                badLayers.err());

        Path probes = Files.createDirectory(dir.resolve("probes"));
        Path helpfulness = Files.writeString(probes.resolve("helpfulness.jsonl"), "{\"prompt\": \"x\",\n");
        Result badProbe = run("tradeoff", "--vector", "known", "--probes", probes.toString(), "--out", out);
        assertEquals(SteerCtl.EXIT_ERROR, badProbe.code());
        assertTrue(badProbe.err().startsWith("error: " + helpfulness + ":1: not a ChoiceProbe: "), badProbe.err());

        Path nowhere = dir.resolve("no/such/dir/report.json");
        Result badOut = run("tradeoff", "--vector", "known", "--out", nowhere.toString());
        assertEquals(SteerCtl.EXIT_ERROR, badOut.code());
        assertTrue(badOut.err().startsWith("error: cannot write --out " + nowhere + ": no such directory"),
                badOut.err());

        Result noReport = run("tradeoff", "--vector", "noreport", "--out", out);
        assertEquals(SteerCtl.EXIT_ERROR, noReport.code());
        assertTrue(noReport.err().endsWith("error: the server ended the stream without a report\n"), noReport.err());
        assertFalse(Files.exists(dir.resolve("report.json")));
    }
}
