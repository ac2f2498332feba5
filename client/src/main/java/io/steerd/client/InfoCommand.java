package io.steerd.client;

import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.ModelInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code steerctl info}: the served model. */
@Command(name = "info", description = "Show the served model (GetModelInfo).")
final class InfoCommand implements Callable<Integer> {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the ModelInfo as JSON.")
    boolean json;

    @Override
    public Integer call() {
        ModelInfo info;
        try (SteerdClient client = root.connect()) {
            info = client.getModelInfo();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(info));
        } else {
            print(out, info);
        }
        out.flush();
        return 0;
    }

    static void print(PrintWriter out, ModelInfo info) {
        line(out, "architecture", info.getArchitecture());
        line(out, "source", info.getSource());
        line(out, "device", info.getDevice());
        line(out, "num_layers", info.getNumLayers());
        line(out, "hidden_size", info.getHiddenSize());
        line(out, "intermediate_size", info.getIntermediateSize());
        line(out, "num_heads", info.getNumHeads());
        line(out, "num_kv_heads", info.getNumKvHeads());
        line(out, "vocab_size", info.getVocabSize());
        line(out, "context_length", info.getContextLength());
        line(out, "parameter_count", info.getParameterCount());
        line(out, "bos_token_id", info.getBosTokenId());
        line(out, "eos_token_id", info.getEosTokenId());
    }

    private static void line(PrintWriter out, String name, Object value) {
        out.printf("%-18s %s%n", name + ":", value);
    }
}
