package io.steerd.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.steerd.client.sdk.SteerdClient;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code steerctl}: a command-line client for the steerd gRPC sidecar. */
@Command(
        name = "steerctl",
        // Subcommands inherit -h/--help (and -V/--version) from here.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        version = "steerctl 0.1.0",
        description = "Command-line client for the steerd sidecar.",
        subcommands = {
            GenerateCommand.class,
            HealthCommand.class,
            InfoCommand.class,
            TokenizeCommand.class,
            TradeoffCommand.class,
            VectorsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class SteerCtl implements Runnable {

    /** Exit code for a failed RPC or bad input. */
    static final int EXIT_ERROR = 1;
    /** Exit code for bad usage: picocli's default for invalid input. */
    static final int EXIT_USAGE = 2;

    static final double MIN_DEADLINE_SECONDS = 0.001;
    static final double MAX_DEADLINE_SECONDS = 1e9;

    /** steerctl's default for unary calls, documented as 60 s; the SDK's is 30 s. Streams keep the SDK's. */
    static final Duration UNARY_DEADLINE = Duration.ofSeconds(60);

    @Spec
    CommandSpec spec;

    @Option(
            names = "--target",
            paramLabel = "HOST:PORT",
            defaultValue = "localhost:50051",
            description = "steerd address (plaintext). Default: ${DEFAULT-VALUE}.")
    String target;

    private Duration deadline;

    @Option(
            names = "--deadline",
            paramLabel = "SECONDS",
            description = "gRPC deadline per call, from 0.001 to 1e9. Default: 60 for unary calls, 600 for generate, "
                    + "1800 for tradeoff.")
    void setDeadline(double seconds) {
        // Below a millisecond no call can finish, and rounding tiny values to nanoseconds would
        // give zero, which the SDK rejects; NaN fails both comparisons.
        if (!(seconds >= MIN_DEADLINE_SECONDS && seconds <= MAX_DEADLINE_SECONDS)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--deadline': "
                    + "must be a number of seconds from 0.001 to 1000000000, got " + seconds);
        }
        deadline = Duration.ofNanos(Math.round(seconds * 1e9));
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** A client of {@code --target} whose calls default to steerctl's deadlines, or all to {@code --deadline}. */
    SteerdClient connect() {
        return SteerdClient.forTarget(target)
                .unaryDeadline(deadline(UNARY_DEADLINE))
                .generateDeadline(deadline(SteerdClient.DEFAULT_GENERATE_DEADLINE))
                .tradeoffDeadline(deadline(SteerdClient.DEFAULT_TRADEOFF_DEADLINE))
                .build();
    }

    /** The {@code --deadline} given, else {@code fallback}. */
    private Duration deadline(Duration fallback) {
        return deadline != null ? deadline : fallback;
    }

    /** A configured command line writing to {@code out} and {@code err}; {@link #main} is the only caller of exit. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new SteerCtl());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler(SteerCtl::handleExecutionException);
        cmd.setParameterExceptionHandler(SteerCtl::handleUsageError);
        return cmd;
    }

    /** The one-line reason and where to read more, instead of the whole usage text. */
    private static int handleUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("error: " + e.getMessage());
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** Held so the level sticks: java.util.logging keeps only weak references to loggers. */
    private static final Logger GRPC_LOG = Logger.getLogger("io.grpc");

    public static void main(String[] args) {
        // Charts are drawn off-screen; set before any AWT class loads.
        System.setProperty("java.awt.headless", "true");
        // Failures are reported once, as "error: CODE: ...", not also as grpc-java's log warnings.
        GRPC_LOG.setLevel(Level.SEVERE);
        // Explicit UTF-8: generated text is rarely pure ASCII, and JDK 17 would use the locale's charset.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static int handleExecutionException(
            Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        cmd.getOut().flush();
        if (ex instanceof StatusRuntimeException sre) {
            err.println("error: " + describe(sre.getStatus()));
        } else if (ex instanceof CliException) {
            err.println("error: " + ex.getMessage());
        } else if (ex instanceof NoSuchFileException nsf) {
            err.println("error: no such file: " + nsf.getFile());
        } else if (ex instanceof java.io.IOException) {
            err.println("error: " + ex);
        } else {
            err.println("error: unexpected failure:");
            ex.printStackTrace(err);
        }
        err.flush();
        return EXIT_ERROR;
    }

    /**
     * {@code CODE: description}, plus the local cause where there is one (e.g. the connection
     * refused behind UNAVAILABLE; statuses from the server never carry one).
     */
    static String describe(Status status) {
        StringBuilder sb = new StringBuilder(status.getCode().name());
        if (status.getDescription() != null) {
            sb.append(": ").append(status.getDescription());
        }
        Throwable cause = status.getCause();
        if (cause != null) {
            String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            sb.append(status.getDescription() != null ? " (" + reason + ")" : ": " + reason);
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && cause != null) {
            sb.append("; is steerd running at --target?");
        }
        return sb.toString();
    }
}
