package io.steerd.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.ExtractionMethod;
import io.steerd.v1.LayerNorm;
import io.steerd.v1.LayerValues;
import io.steerd.v1.ListVectorsResponse;
import io.steerd.v1.Vector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code steerctl vectors ...}: the steering-vector registry. */
@Command(name = "vectors", description = "Manage stored steering vectors.")
final class VectorsCommand implements Runnable {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    @Command(name = "list",
            description = "List vectors, one ID<TAB>LAYERS<TAB>DESCRIPTION line each.")
    int list(
            @Option(names = "--values", description = "Also fetch and print per-layer values.") boolean values,
            @Option(names = "--json", description = "Print the ListVectorsResponse as JSON.") boolean json) {
        List<Vector> vectors = call(client -> client.listVectors(!values));
        PrintWriter out = out();
        if (json) {
            out.println(Json.pretty(ListVectorsResponse.newBuilder().addAllVectors(vectors).build()));
        } else {
            for (Vector vector : vectors) {
                out.println(vector.getId() + "\t" + Layers.format(layersOf(vector)) + "\t" + vector.getDescription());
                if (values) {
                    for (LayerValues layer : vector.getLayersList()) {
                        out.println("  layer " + layer.getLayer() + ": " + layer.getValuesList().stream()
                                .map(String::valueOf).collect(Collectors.joining(" ")));
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    @Command(name = "get", description = "Print a vector as JSON.")
    int get(@Parameters(paramLabel = "ID", description = "Vector id.") String id) {
        Vector vector = call(client -> client.getVector(id));
        out().println(Json.pretty(vector));
        out().flush();
        return 0;
    }

    @Command(name = "delete", description = "Delete a vector.")
    int delete(@Parameters(paramLabel = "ID", description = "Vector id.") String id) {
        try (SteerdClient client = root.connect()) {
            client.deleteVector(id);
        }
        out().println("deleted " + id);
        out().flush();
        return 0;
    }

    @Command(name = "put",
            description = "Store a vector read from a JSON file (a steerd.v1.Vector in proto3 JSON).")
    int put(
            @Option(names = "--file", required = true, paramLabel = "FILE", description = "Vector JSON.") Path file,
            @Option(names = "--id", paramLabel = "ID", description = "Store under this id instead of the file's.")
                    String id)
            throws IOException {
        Vector.Builder vector;
        try {
            vector = Json.merge(Files.readString(file, StandardCharsets.UTF_8), Vector.newBuilder());
        } catch (InvalidProtocolBufferException e) {
            throw new CliException(file + ": not a Vector: " + e.getMessage(), e);
        }
        if (id != null) {
            vector.setId(id);
        }
        Vector stored = call(client -> client.putVector(vector.build()));
        out().println("stored " + stored.getId() + " (layers " + Layers.format(layersOf(stored)) + ")");
        out().flush();
        return 0;
    }

    @Command(name = "extract",
            description = "Extract a vector from contrastive pairs on the served model and store it.")
    int extract(
            @Option(names = "--id", required = true, paramLabel = "ID", description = "Id to store it under.")
                    String id,
            @Option(names = "--pairs", required = true, paramLabel = "FILE",
                    description = "JSON Lines, one {\"positive\": \"...\", \"negative\": \"...\"} per line.")
                    Path pairsFile,
            @Option(names = "--layers", paramLabel = "LAYERS",
                    description = "Layers to extract, e.g. 0-4 or 1;3. Default: every layer.") String layers,
            @Option(names = "--description", paramLabel = "TEXT", description = "Free text.") String description,
            @Option(names = "--overwrite", description = "Replace an existing vector with this id.")
                    boolean overwrite,
            @Option(names = "--method", defaultValue = "mean", paramLabel = "mean|pca",
                    description = "mean: mean of positive minus negative; pca: first principal component "
                            + "of the paired differences (default: ${DEFAULT-VALUE}).")
                    String method)
            throws IOException {
        ExtractionMethod extraction = switch (method.toLowerCase(java.util.Locale.ROOT)) {
            case "mean" -> ExtractionMethod.MEAN_DIFFERENCE;
            case "pca" -> ExtractionMethod.PCA;
            default -> throw new ParameterException(spec.commandLine().getSubcommands().get("extract"),
                    "Invalid value for option '--method': expected mean or pca, got '" + method + "'");
        };
        ExtractVectorRequest.Builder request = ExtractVectorRequest.newBuilder().setId(id).setOverwrite(overwrite)
                .setMethod(extraction);
        if (layers != null) {
            try {
                request.addAllLayers(Layers.parse(layers));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine().getSubcommands().get("extract"),
                        "Invalid value for option '--layers': " + e.getMessage());
            }
        }
        if (description != null) {
            request.setDescription(description);
        }
        List<ContrastPair> pairs = PairsFile.read(pairsFile);
        request.addAllPairs(pairs);
        Vector stored = call(client -> client.extractVector(request.build()));
        printExtracted(out(), stored);
        return 0;
    }

    static void printExtracted(PrintWriter out, Vector vector) {
        out.println("id: " + vector.getId());
        out.println("layers: " + Layers.format(layersOf(vector)));
        out.println("pairs: " + vector.getExtraction().getPairCount());
        out.println("norms:");
        for (LayerNorm norm : vector.getExtraction().getNormsList()) {
            out.printf("  layer %d\t%.6f%n", norm.getLayer(), norm.getNorm());
        }
        if (vector.getExtraction().getExplainedVarianceCount() > 0) {
            out.println("explained variance:");
            vector.getExtraction().getExplainedVarianceList().forEach(
                    share -> out.printf("  layer %d\t%.4f%n", share.getLayer(), share.getShare()));
        }
        out.flush();
    }

    /** The layers a vector has values for; from its provenance when values were omitted. */
    static List<Integer> layersOf(Vector vector) {
        if (vector.getLayersCount() > 0) {
            return vector.getLayersList().stream().map(LayerValues::getLayer).sorted().toList();
        }
        return vector.getExtraction().getNormsList().stream().map(LayerNorm::getLayer).sorted().toList();
    }

    private <T> T call(Function<SteerdClient, T> rpc) {
        try (SteerdClient client = root.connect()) {
            return rpc.apply(client);
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
