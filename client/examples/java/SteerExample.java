import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.steerd.client.sdk.Edits;
import io.steerd.client.sdk.ResponseStream;
import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.ContrastPair;
import io.steerd.v1.Edit;
import io.steerd.v1.ExtractVectorRequest;
import io.steerd.v1.GenerateRequest;
import io.steerd.v1.GenerateResponse;
import java.util.List;

/**
 * Steers a story with the steerd Java SDK: extracts a "happy" vector from contrastive story
 * openings, generates greedily with and without it, and checks that steering changed the text.
 *
 * <p>Run from the repository root after {@code mvn package}:
 * {@code java -cp client/target/steerctl.jar client/examples/java/SteerExample.java [HOST:PORT]}
 * (default: $STEERD_ADDR, else localhost:50051). Exits 0 when every check passes, 1 otherwise.
 */
public class SteerExample {

    /** Happy vs sad openings in the TinyStories style the served model was trained on. */
    private static final List<ContrastPair> PAIRS = List.of(
            pair("The children were happy and played together all day.", "The children were sad and fought all day."),
            pair("Lily was kind. She shared her toys and helped her friends.",
                    "Lily was mean. She took the toys and hurt her friends."),
            pair("Tom smiled and gave the puppy a gentle hug.", "Tom frowned and gave the puppy a hard kick."),
            pair("They laughed and had a lot of fun at the park.", "They cried and had a bad day at the park."));

    private static final int MAX_TOKENS = 60;
    // On stories260K, a unit-norm push of 2 at layer 3 changes the story and keeps it fluent;
    // much more derails the small model into repeated tokens.
    private static final int STEER_LAYER = 3;
    private static final double COEFFICIENT = 2.0;

    /** What one streamed generation delivered. */
    private record Streamed(String text, int chunks) {}

    /** A failed check, reported as the reason for exit code 1. */
    private static final class CheckFailed extends RuntimeException {
        CheckFailed(String reason) {
            super(reason);
        }
    }

    public static void main(String[] args) {
        String target = args.length > 0 ? args[0]
                : System.getenv().getOrDefault("STEERD_ADDR", "localhost:50051");
        try {
            run(target);
            System.out.println("OK");
            System.exit(0);
        } catch (CheckFailed e) {
            System.out.println("FAILED: " + e.getMessage());
        } catch (StatusRuntimeException e) {
            System.out.println("FAILED: " + target + ": " + e.getStatus().getCode() + ": "
                    + e.getStatus().getDescription());
        }
        System.exit(1);
    }

    private static void run(String target) {
        try (SteerdClient client = SteerdClient.forTarget(target).build()) {
            ServingStatus health = client.health();
            check(health == ServingStatus.SERVING, "server at " + target + " is " + health + ", not SERVING");
            System.out.println("connected to " + target + ": " + health);

            String vectorId = "example-java-" + ProcessHandle.current().pid();
            client.extractVector(ExtractVectorRequest.newBuilder()
                    .setId(vectorId)
                    .addAllPairs(PAIRS)
                    .setDescription("happy minus sad story openings (SteerExample.java)")
                    .setOverwrite(true)
                    .build());
            System.out.println("extracted " + vectorId + " from " + PAIRS.size() + " pairs");
            try {
                Streamed plain = generate(client, List.of());
                Streamed steered = generate(client,
                        List.of(Edits.add(vectorId).layers(STEER_LAYER).coefficient(COEFFICIENT).unitNorm().build()));
                System.out.println("\nunsteered (" + plain.chunks() + " chunks):\n" + plain.text());
                System.out.println("\nsteered, +" + COEFFICIENT + " x unit(" + vectorId + ") at layer " + STEER_LAYER
                        + " (" + steered.chunks() + " chunks):\n" + steered.text() + "\n");
                check(plain.chunks() > 1, "the unsteered text arrived in " + plain.chunks() + " chunk(s)");
                check(steered.chunks() > 1, "the steered text arrived in " + steered.chunks() + " chunk(s)");
                check(!plain.text().equals(steered.text()), "steering did not change the text");
            } finally {
                client.deleteVector(vectorId);
                System.out.println("deleted " + vectorId);
            }
        }
    }

    /** Greedy decoding from BOS alone, read as a stream: the text and how many token chunks carried it. */
    private static Streamed generate(SteerdClient client, List<Edit> edits) {
        GenerateRequest request = GenerateRequest.newBuilder()
                .setPrompt("")
                .setMaxTokens(MAX_TOKENS)
                .setTemperature(0)
                .addAllEdits(edits)
                .build();
        StringBuilder text = new StringBuilder();
        int chunks = 0;
        String summaryText = null;
        try (ResponseStream<GenerateResponse> stream = client.generateStream(request)) {
            while (stream.hasNext()) {
                GenerateResponse response = stream.next();
                if (response.hasToken()) {
                    text.append(response.getToken().getText());
                    chunks++;
                } else if (response.hasSummary()) {
                    summaryText = response.getSummary().getText();
                }
            }
        }
        check(summaryText != null, "the stream ended without a summary");
        check(summaryText.equals(text.toString()), "the streamed tokens do not add up to the summary's text");
        return new Streamed(text.toString(), chunks);
    }

    private static void check(boolean ok, String reason) {
        if (!ok) {
            throw new CheckFailed(reason);
        }
    }

    private static ContrastPair pair(String positive, String negative) {
        return ContrastPair.newBuilder().setPositive(positive).setNegative(negative).build();
    }
}
