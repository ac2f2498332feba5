package io.steerd.client;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.steerd.client.sdk.ResponseStream;
import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.CurveFit;
import io.steerd.v1.FitStatus;
import io.steerd.v1.MeasureTradeoffRequest;
import io.steerd.v1.MeasureTradeoffResponse;
import io.steerd.v1.PolynomialCurveFit;
import io.steerd.v1.ProbeSet;
import io.steerd.v1.SweepProgress;
import io.steerd.v1.TradeoffPoint;
import io.steerd.v1.TradeoffReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code steerctl tradeoff}: sweeps a vector's steering norm on the server, prints progress to
 * stderr, writes the report as JSON (and optionally a chart), and summarises the fits on stdout.
 */
@Command(
        name = "tradeoff",
        description = {
            "Sweep a vector's norm; fit what it buys in alignment and costs in helpfulness.",
            "The server sweeps r, the norm added per layer, scores the probes at each",
            "point and fits B(r) = tanh(a*r + b0) and",
            "P(r) = 1 / (1 + a + a*(b^2/2)*r^2). Progress goes to stderr, the report",
            "to --out, a summary to stdout."
        },
        footerHeading = "%nProbe directory (--probes DIR), each file optional:%n",
        footer = {
            "  alignment.jsonl    {\"prompt\": ..., \"desired\": ..., \"undesired\": ...}",
            "  helpfulness.jsonl  {\"prompt\": ..., \"choices\": [...], \"answer\": N}",
            "  text.txt           one held-out passage per non-blank line",
            "JSON files hold one object per line. Without --probes the server uses",
            "its built-in TinyStories alignment and multiple-choice sets (no text).",
            "--text needs --probes: any probes sent replace the built-in sets.",
            "",
            "Example:",
            "  steerctl tradeoff --vector happy --layers 2-4 --out happy.json \\",
            "      --plot happy.png"
        })
final class TradeoffCommand implements Callable<Integer> {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--vector", required = true, paramLabel = "ID", description = "Registered vector id.")
    String vector;

    @Option(names = "--layers", paramLabel = "LAYERS",
            description = "Layers to steer, e.g. 2, 1-3 or 1;3. Default: every layer the vector has.")
    String layers;

    @Option(names = "--from", paramLabel = "R", description = "First norm of the sweep. Server default: -8.")
    Double from;

    @Option(names = "--to", paramLabel = "R", description = "Last norm of the sweep. Server default: 8.")
    Double to;

    @Option(names = "--steps", paramLabel = "N",
            description = "Evenly spaced sweep points, from and to included. Server default: 17.")
    Integer steps;

    @Option(names = "--exchange-rate", paramLabel = "LAMBDA",
            description = "Units of alignment one unit of helpfulness is worth, for the break-even norm. "
                    + "Server default: 1.")
    Double exchangeRate;

    @Option(names = "--probes", paramLabel = "DIR",
            description = "Probe directory (see below). Default: the server's built-in probe sets.")
    Path probesDir;

    @Option(names = "--text", paramLabel = "FILE",
            description = "More held-out passages, one per non-blank line (needs --probes).")
    Path textFile;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the report JSON.")
    Path out;

    @Option(names = "--plot", paramLabel = "PNG",
            description = "Also draw the tradeoff as a " + TradeoffChart.DEFAULT_WIDTH + "x"
                    + TradeoffChart.DEFAULT_HEIGHT + " PNG.")
    Path plot;

    MeasureTradeoffRequest request() throws IOException {
        MeasureTradeoffRequest.Builder request = MeasureTradeoffRequest.newBuilder().setVectorId(vector);
        if (layers != null) {
            try {
                request.addAllLayers(Layers.parse(layers));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--layers': " + e.getMessage());
            }
        }
        if (from != null) {
            request.setFrom(from);
        }
        if (to != null) {
            request.setTo(to);
        }
        if (steps != null) {
            request.setSteps(steps);
        }
        if (exchangeRate != null) {
            request.setExchangeRate(exchangeRate);
        }
        if (probesDir != null) {
            ProbeSet.Builder probes = ProbeFiles.readDir(probesDir).toBuilder();
            if (textFile != null) {
                probes.addAllText(ProbeFiles.readText(textFile));
            }
            request.setProbes(probes);
        }
        return request.build();
    }

    @Override
    public Integer call() throws IOException {
        if (textFile != null && probesDir == null) {
            throw new ParameterException(spec.commandLine(),
                    "--text needs --probes DIR: probes given replace the server's built-in sets, and text "
                            + "alone does not measure a tradeoff");
        }
        // Fail before a long sweep rather than after it.
        requireParentDirectory(out, "--out");
        if (plot != null) {
            requireParentDirectory(plot, "--plot");
        }
        MeasureTradeoffRequest request = request();
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();

        TradeoffReport report = null;
        try (SteerdClient client = root.connect();
                ResponseStream<MeasureTradeoffResponse> stream = client.measureTradeoff(request)) {
            while (stream.hasNext()) {
                MeasureTradeoffResponse response = stream.next();
                if (response.hasProgress()) {
                    stderr.println(progressLine(response.getProgress(), request.getProbes()));
                    stderr.flush();
                } else if (response.hasReport()) {
                    report = response.getReport();
                }
            }
        }
        if (report == null) {
            throw new CliException("the server ended the stream without a report");
        }
        Files.writeString(out, reportJson(report) + "\n", StandardCharsets.UTF_8);
        if (plot != null) {
            TradeoffChart.writePng(report, plot, TradeoffChart.DEFAULT_WIDTH, TradeoffChart.DEFAULT_HEIGHT);
        }
        printSummary(stdout, report);
        stdout.println("report: " + out);
        if (plot != null) {
            stdout.println("plot:   " + plot);
        }
        stdout.flush();
        return 0;
    }

    private static void requireParentDirectory(Path file, String option) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CliException("cannot write " + option + " " + file + ": no such directory " + parent);
        }
        if (Files.isDirectory(file)) {
            throw new CliException("cannot write " + option + " " + file + ": it is a directory");
        }
    }

    // ---- output -----------------------------------------------------------

    /**
     * {@code point 3/17  r=-4.000  alignment=0.123±0.010  helpfulness=0.456±0.020  text_ll=-1.23},
     * naming only what the probes measure (both built-in sets when none were sent).
     */
    static String progressLine(SweepProgress progress, ProbeSet sent) {
        boolean builtIn = sent.getAlignmentCount() == 0 && sent.getHelpfulnessCount() == 0 && sent.getTextCount() == 0;
        TradeoffPoint p = progress.getPoint();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "point %d/%d  r=%.3f",
                progress.getCompletedPoints(), progress.getTotalPoints(), p.getCoefficient()));
        if (builtIn || sent.getAlignmentCount() > 0) {
            line.append(String.format(Locale.ROOT, "  alignment=%.3f\u00b1%.3f", p.getAlignment(), p.getAlignmentStderr()));
        }
        if (builtIn || sent.getHelpfulnessCount() > 0) {
            line.append(String.format(Locale.ROOT, "  helpfulness=%.3f\u00b1%.3f",
                    p.getHelpfulness(), p.getHelpfulnessStderr()));
        }
        if (sent.getTextCount() > 0) {
            line.append(String.format(Locale.ROOT, "  text_ll=%.2f", p.getTextLogprob()));
        }
        return line.toString();
    }

    /**
     * Pretty JSON with the proto field names. Fields left at zero are printed where zero is a
     * measurement (r = 0, a zero standard error, a probe count) and omitted where it only means
     * "not measured": point fields of a probe kind the report has none of, numbers of failed fits.
     */
    static String reportJson(TradeoffReport report) {
        Set<FieldDescriptor> always = new HashSet<>();
        always.add(field(TradeoffPoint.getDescriptor(), TradeoffPoint.COEFFICIENT_FIELD_NUMBER));
        if (report.getAlignmentProbes() > 0) {
            always.add(field(TradeoffPoint.getDescriptor(), TradeoffPoint.ALIGNMENT_FIELD_NUMBER));
            always.add(field(TradeoffPoint.getDescriptor(), TradeoffPoint.ALIGNMENT_STDERR_FIELD_NUMBER));
        }
        if (report.getHelpfulnessProbes() > 0) {
            always.add(field(TradeoffPoint.getDescriptor(), TradeoffPoint.HELPFULNESS_FIELD_NUMBER));
            always.add(field(TradeoffPoint.getDescriptor(), TradeoffPoint.HELPFULNESS_STDERR_FIELD_NUMBER));
        }
        if (report.getTextPassages() > 0) {
            for (int number : new int[] {TradeoffPoint.TEXT_LOGPROB_FIELD_NUMBER,
                    TradeoffPoint.TEXT_LOGPROB_STDERR_FIELD_NUMBER, TradeoffPoint.TEXT_ACCURACY_FIELD_NUMBER,
                    TradeoffPoint.TEXT_ACCURACY_STDERR_FIELD_NUMBER}) {
                always.add(field(TradeoffPoint.getDescriptor(), number));
            }
        }
        for (int number : new int[] {TradeoffReport.LAYERS_FIELD_NUMBER, TradeoffReport.EXCHANGE_RATE_FIELD_NUMBER,
                TradeoffReport.ALIGNMENT_PROBES_FIELD_NUMBER, TradeoffReport.HELPFULNESS_PROBES_FIELD_NUMBER,
                TradeoffReport.TEXT_PASSAGES_FIELD_NUMBER}) {
            always.add(field(TradeoffReport.getDescriptor(), number));
        }
        JsonFormat.Printer printer = JsonFormat.printer()
                .preservingProtoFieldNames()
                .sortingMapKeys()
                .includingDefaultValueFields(always);
        try {
            return printer.print(report);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e); // no Any fields in a report
        }
    }

    private static FieldDescriptor field(com.google.protobuf.Descriptors.Descriptor type, int number) {
        return type.findFieldByNumber(number);
    }

    static void printSummary(PrintWriter out, TradeoffReport report) {
        out.println(TradeoffChart.title(report) + ": " + report.getPointsCount() + " points, "
                + report.getAlignmentProbes() + " alignment and " + report.getHelpfulnessProbes()
                + " helpfulness probes, " + report.getTextPassages() + " text passages, "
                + String.format(Locale.ROOT, "%.1f s", report.getSeconds()));
        out.println(fitLine("alignment   B(r) = tanh(a*r + b0)", report.getFits().getAlignment()));
        out.println(fitLine("helpfulness P(r) = 1/(1 + a + a*(b^2/2)*r^2)", report.getFits().getHelpfulness()));
        if (report.getFits().hasAlignmentLinear()) {
            out.println(localLine("alignment   near r=0 (c0 + c1*r)", report.getFits().getAlignmentLinear(), null));
        }
        if (report.getFits().hasHelpfulnessQuadratic()) {
            out.println(localLine("helpfulness near r=0 (c0 + c1*r + c2*r^2)", report.getFits().getHelpfulnessQuadratic(),
                    "CI excludes 0: the loss is not purely quadratic"));
        }
        StringBuilder breakEven = new StringBuilder("break-even  ")
                .append(report.getBreakEvenStatus().name())
                .append(String.format(Locale.ROOT, " (exchange rate %s)", TradeoffChart.num(report.getExchangeRate())));
        if (report.hasBreakEvenNorm()) {
            breakEven.append(": r* = ").append(TradeoffChart.num(report.getBreakEvenNorm()));
        }
        if (!report.getBreakEvenReason().isEmpty()) {
            breakEven.append(report.hasBreakEvenNorm() ? "; " : ": ").append(report.getBreakEvenReason());
        }
        out.println(breakEven);
    }

    private static String fitLine(String label, CurveFit fit) {
        StringBuilder line = new StringBuilder(label).append("  ").append(fit.getStatus().name());
        if (fit.getStatus() != FitStatus.FIT_OK) {
            if (!fit.getReason().isEmpty()) {
                line.append(": ").append(fit.getReason());
            }
            return line.toString();
        }
        for (var param : new TreeMap<>(fit.getParamsMap()).entrySet()) {
            line.append("  ").append(param.getKey()).append('=').append(TradeoffChart.num(param.getValue()));
            Double stderr = fit.getParamsStderrMap().get(param.getKey());
            if (stderr != null) {
                line.append('\u00b1').append(TradeoffChart.num(stderr));
            }
        }
        line.append(String.format(Locale.ROOT, "  R\u00b2=%.4f  rmse=%s  (%d points)",
                fit.getR2(), TradeoffChart.num(fit.getRmse()), fit.getPoints()));
        return line.toString();
    }

    /** The linear term c1 with its 95% interval; {@code excludesZero} is said when the interval misses 0. */
    private static String localLine(String label, PolynomialCurveFit fit, String excludesZero) {
        StringBuilder line = new StringBuilder(label).append("  ");
        String window = String.format(Locale.ROOT, " (|r| <= %s, %d points)", TradeoffChart.num(fit.getWindow()),
                fit.getPoints());
        if (fit.getStatus() != FitStatus.FIT_OK || fit.getCoefficientsCount() < 2) {
            line.append(fit.getStatus().name());
            if (!fit.getReason().isEmpty()) {
                line.append(": ").append(fit.getReason());
            }
            return line.append(window).toString();
        }
        List<String> parts = new ArrayList<>();
        parts.add("c1=" + TradeoffChart.num(fit.getCoefficients(1)));
        if (fit.getCiLowCount() > 1 && fit.getCiHighCount() > 1) {
            double low = fit.getCiLow(1);
            double high = fit.getCiHigh(1);
            parts.add("95% CI [" + TradeoffChart.num(low) + ", " + TradeoffChart.num(high) + "]");
            if (excludesZero != null && (low > 0 || high < 0)) {
                parts.add(excludesZero);
            }
        }
        return line.append(String.join("  ", parts)).append(window).toString();
    }
}
