package io.steerd.client.sdk;

import io.grpc.Status;
import io.steerd.v1.GenerateResponse;
import io.steerd.v1.GenerateSummary;
import io.steerd.v1.GeneratedToken;
import java.util.ArrayList;
import java.util.List;

/** Gathers a Generate stream into a {@link GenerateResult}, for the blocking and async clients alike. */
final class GenerateCollector {

    private final List<GeneratedToken> tokens = new ArrayList<>();
    private GenerateSummary summary;

    void accept(GenerateResponse response) {
        if (response.hasToken()) {
            tokens.add(response.getToken());
        } else if (response.hasSummary()) {
            summary = response.getSummary();
        }
    }

    /** @throws io.grpc.StatusRuntimeException INTERNAL when the stream ended without its summary */
    GenerateResult result() {
        if (summary == null) {
            throw Status.INTERNAL.withDescription("the server ended the Generate stream without a summary")
                    .asRuntimeException();
        }
        return new GenerateResult(tokens, summary);
    }
}
