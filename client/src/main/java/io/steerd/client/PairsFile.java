package io.steerd.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.steerd.v1.ContrastPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Contrastive pairs as JSON Lines: one {@code {"positive": "...", "negative": "..."}} object
 * per line, parsed with JsonFormat into {@link ContrastPair}. Blank lines are skipped.
 */
final class PairsFile {

    private PairsFile() {}

    static List<ContrastPair> read(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(reader, file.toString());
        }
    }

    /**
     * @param name used in error messages as {@code name:LINE: ...}
     * @throws CliException for a bad line (naming its line number) or a file without pairs
     */
    static List<ContrastPair> parse(Reader in, String name) throws IOException {
        BufferedReader reader = in instanceof BufferedReader b ? b : new BufferedReader(in);
        List<ContrastPair> pairs = new ArrayList<>();
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            ContrastPair pair;
            try {
                pair = Json.merge(line, ContrastPair.newBuilder()).build();
            } catch (InvalidProtocolBufferException e) {
                throw new CliException(name + ":" + number + ": not a ContrastPair: " + e.getMessage(), e);
            }
            if (pair.getPositive().isEmpty()) {
                throw new CliException(name + ":" + number + ": missing or empty \"positive\"");
            }
            if (pair.getNegative().isEmpty()) {
                throw new CliException(name + ":" + number + ": missing or empty \"negative\"");
            }
            pairs.add(pair);
        }
        if (pairs.isEmpty()) {
            throw new CliException(name + ": no pairs (expected one {\"positive\": ..., \"negative\": ...} per line)");
        }
        return pairs;
    }
}
