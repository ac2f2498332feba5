package io.steerd.client;

import io.steerd.v1.ContrastPair;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        List<ContrastPair> pairs = JsonLines.parse(in, name, "a ContrastPair", ContrastPair::newBuilder,
                PairsFile::problem);
        if (pairs.isEmpty()) {
            throw new CliException(name + ": no pairs (expected one {\"positive\": ..., \"negative\": ...} per line)");
        }
        return pairs;
    }

    /** What is wrong with a pair, or null. */
    private static String problem(ContrastPair pair) {
        if (pair.getPositive().isEmpty()) {
            return "missing or empty \"positive\"";
        }
        if (pair.getNegative().isEmpty()) {
            return "missing or empty \"negative\"";
        }
        return null;
    }
}
