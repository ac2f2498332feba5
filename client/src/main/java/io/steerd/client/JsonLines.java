package io.steerd.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The line-oriented files steerctl reads (contrast pairs, probes, text passages): blank lines
 * skipped, a leading BOM dropped, and every error naming the file and the 1-based line.
 */
final class JsonLines {

    private JsonLines() {}

    @FunctionalInterface
    interface LineSink {
        void accept(String line, int number) throws IOException;
    }

    /** Calls {@code sink} with each non-blank line and its 1-based number. */
    static void forEachLine(Reader in, LineSink sink) throws IOException {
        BufferedReader reader = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (!line.isBlank()) {
                sink.accept(line, number);
            }
        }
    }

    /**
     * One message per non-blank line, parsed with JsonFormat (unknown fields are an error) and
     * checked: {@code check} returns what is wrong with a message, or null.
     *
     * @throws CliException {@code name:LINE: not <what>: ...} or {@code name:LINE: <problem>}
     */
    @SuppressWarnings("unchecked")
    static <M extends Message> List<M> parse(Reader in, String name, String what,
            Supplier<? extends Message.Builder> builder, Function<M, String> check) throws IOException {
        List<M> messages = new ArrayList<>();
        forEachLine(in, (line, number) -> {
            M message;
            try {
                message = (M) Json.merge(line, builder.get()).build();
            } catch (InvalidProtocolBufferException e) {
                throw new CliException(name + ":" + number + ": not " + what + ": " + e.getMessage(), e);
            }
            String problem = check.apply(message);
            if (problem != null) {
                throw new CliException(name + ":" + number + ": " + problem);
            }
            messages.add(message);
        });
        return messages;
    }
}
