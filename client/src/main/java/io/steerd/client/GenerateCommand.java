package io.steerd.client;

import io.steerd.client.sdk.ResponseStream;
import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.Edit;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.ShadowEstimate;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code steerctl generate}: streams generated text to stdout, the summary to stderr. */
@Command(
        name = "generate",
        description = "Generate text, streaming tokens to stdout as they arrive; the summary goes to stderr.",
        footerHeading = "%nEdit SPEC, key=value pairs separated by commas:%n",
        footer = {
            "  vector=ID  registered vector id (required)",
            "  layers=L   2, 1-3, 1;2;5 or 1-3;5 (default: every layer the vector has)",
            "  coef=C     coefficient (required unless op=ablate)",
            "  op=OP      add (default), ablate or ablate_then_add",
            "  norm=N     none (default) or unit",
            "Example: --edit 'vector=happy,layers=2-4,coef=4,norm=unit'"
        })
final class GenerateCommand implements Callable<Integer> {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "Prompt text (BOS is added).")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "Tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "0 is greedy. Server default: 1.0.")
    Float temperature;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus mass in (0, 1]. Server default: 1.0.")
    Float topP;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0",
            description = "Sample among the K most likely tokens; 0 means no limit.")
    int topK;

    @Option(names = "--seed", paramLabel = "S", converter = UnsignedLong.class,
            description = "Sampling seed (unsigned 64-bit). Default: random.")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop before this string (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--edit", paramLabel = "SPEC", converter = EditSpec.Converter.class,
            description = "Residual-stream edit (repeatable; applied in order).")
    List<Edit> edits = List.of();

    @Option(names = "--json", description = "Print each response message as one JSON line instead.")
    boolean json;

    @Option(names = "--shadow",
            description = "Also run the sequence unsteered and report KL, top-1 agreement and logit gap.")
    boolean shadow;

    GenerateRequest request() {
        GenerateRequest.Builder request = GenerateRequest.newBuilder()
                .setPrompt(prompt)
                .setMaxTokens(maxTokens)
                .setTopK(topK)
                .addAllStop(stops)
                .addAllEdits(edits)
                .setShadow(shadow);
        if (temperature != null) {
            request.setTemperature(temperature);
        }
        if (topP != null) {
            request.setTopP(topP);
        }
        if (seed != null) {
            request.setSeed(seed);
        }
        return request.build();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (SteerdClient client = root.connect();
                ResponseStream<GenerateResponse> stream = client.generateStream(request())) {
            return json ? printJson(stream, out) : printText(stream, out, err);
        }
    }

    private static int printJson(Iterator<GenerateResponse> stream, PrintWriter out) {
        while (stream.hasNext()) {
            out.println(Json.line(stream.next()));
            out.flush();
        }
        return 0;
    }

    private static int printText(Iterator<GenerateResponse> stream, PrintWriter out, PrintWriter err) {
        GenerateSummary summary = null;
        boolean printed = false;
        try {
            while (stream.hasNext()) {
                GenerateResponse response = stream.next();
                if (response.hasToken()) {
                    out.print(response.getToken().getText());
                    out.flush();
                    printed = true;
                } else if (response.hasSummary()) {
                    summary = response.getSummary();
                }
            }
        } finally {
            // Finish the line, also when the stream fails part-way (the error goes to stderr).
            if (printed || summary != null) {
                out.println();
                out.flush();
            }
        }
        if (summary == null) {
            throw new CliException("the server ended the stream without a summary");
        }
        err.printf("finish_reason=%s prompt_tokens=%d generated_tokens=%d%n",
                summary.getFinishReason(), summary.getPromptTokens(), summary.getGeneratedTokens());
        if (summary.hasShadow()) {
            ShadowEstimate s = summary.getShadow();
            err.printf("shadow: tokens=%d mean_kl=%.5f top1_agreement=%.3f%s%n", s.getTokens(), s.getMeanKl(),
                    s.getTop1Agreement(),
                    s.hasMeanLogitGap() ? String.format(" mean_logit_gap=%.4f", s.getMeanLogitGap()) : "");
        }
        err.flush();
        return 0;
    }

    /** uint64 seeds: accepts 0 to 18446744073709551615. */
    static final class UnsignedLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.parseUnsignedLong(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not an unsigned 64-bit integer");
            }
        }
    }
}
