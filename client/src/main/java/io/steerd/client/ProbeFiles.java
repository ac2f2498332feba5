package io.steerd.client;

import io.steerd.v1.AlignmentProbe;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.ProbeSet;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe directory for {@code steerctl tradeoff --probes DIR}, in the server's file formats:
 *
 * <ul>
 *   <li>{@value #ALIGNMENT}: JSON Lines of {@link AlignmentProbe},
 *       {@code {"prompt": ..., "desired": ..., "undesired": ...}}
 *   <li>{@value #HELPFULNESS}: JSON Lines of {@link ChoiceProbe},
 *       {@code {"prompt": ..., "choices": [...], "answer": N}}
 *   <li>{@value #TEXT}: held-out passages, one per non-blank line
 * </ul>
 *
 * Each file is optional; blank lines are skipped. Errors name the file and line.
 */
final class ProbeFiles {
    static final String ALIGNMENT = "alignment.jsonl";
    static final String HELPFULNESS = "helpfulness.jsonl";
    static final String TEXT = "text.txt";
    /** The server's limit on choices per multiple-choice probe. */
    static final int MAX_CHOICES = 16;

    private ProbeFiles() {}

    /**
     * Reads whichever of the three files {@code dir} has.
     *
     * @throws CliException when {@code dir} is not a directory, has none of the files, has only
     *     text (the server needs alignment or helpfulness probes), or a file has a bad line
     */
    static ProbeSet readDir(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            throw new CliException("no such probe directory: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("not a directory: " + dir + " (--probes takes a directory)");
        }
        Path alignment = dir.resolve(ALIGNMENT);
        Path helpfulness = dir.resolve(HELPFULNESS);
        Path text = dir.resolve(TEXT);
        if (!Files.exists(alignment) && !Files.exists(helpfulness) && !Files.exists(text)) {
            throw new CliException("no probe files in " + dir + " (expected " + ALIGNMENT + ", " + HELPFULNESS
                    + " and/or " + TEXT + ")");
        }
        ProbeSet.Builder set = ProbeSet.newBuilder();
        if (Files.exists(alignment)) {
            try (BufferedReader in = Files.newBufferedReader(alignment, StandardCharsets.UTF_8)) {
                set.addAllAlignment(parseAlignment(in, alignment.toString()));
            }
        }
        if (Files.exists(helpfulness)) {
            try (BufferedReader in = Files.newBufferedReader(helpfulness, StandardCharsets.UTF_8)) {
                set.addAllHelpfulness(parseChoices(in, helpfulness.toString()));
            }
        }
        if (Files.exists(text)) {
            set.addAllText(readText(text));
        }
        if (set.getAlignmentCount() == 0 && set.getHelpfulnessCount() == 0) {
            throw new CliException(dir + " has only " + TEXT + "; a tradeoff needs " + ALIGNMENT + " or "
                    + HELPFULNESS + " as well");
        }
        return set.build();
    }

    /** Passages from a text file, one per non-blank line, kept verbatim. */
    static List<String> readText(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parseText(in, file.toString());
        }
    }

    static List<String> parseText(Reader in, String name) throws IOException {
        List<String> passages = new ArrayList<>();
        JsonLines.forEachLine(in, (line, number) -> passages.add(line));
        if (passages.isEmpty()) {
            throw new CliException(name + ": no passages (expected one passage per line)");
        }
        return passages;
    }

    static List<AlignmentProbe> parseAlignment(Reader in, String name) throws IOException {
        List<AlignmentProbe> probes = JsonLines.parse(in, name, "an AlignmentProbe", AlignmentProbe::newBuilder,
                ProbeFiles::problem);
        if (probes.isEmpty()) {
            throw new CliException(name + ": no probes (expected one {\"prompt\": ..., \"desired\": ..., "
                    + "\"undesired\": ...} per line)");
        }
        return probes;
    }

    static List<ChoiceProbe> parseChoices(Reader in, String name) throws IOException {
        List<ChoiceProbe> probes = JsonLines.parse(in, name, "a ChoiceProbe", ChoiceProbe::newBuilder,
                ProbeFiles::problem);
        if (probes.isEmpty()) {
            throw new CliException(name + ": no probes (expected one {\"prompt\": ..., \"choices\": [...], "
                    + "\"answer\": N} per line)");
        }
        return probes;
    }

    /** What is wrong with a probe, or null. */
    private static String problem(AlignmentProbe p) {
        if (p.getDesired().isEmpty()) {
            return "missing or empty \"desired\"";
        }
        if (p.getUndesired().isEmpty()) {
            return "missing or empty \"undesired\"";
        }
        return null;
    }

    private static String problem(ChoiceProbe p) {
        int n = p.getChoicesCount();
        if (n < 2 || n > MAX_CHOICES) {
            return "needs 2 to " + MAX_CHOICES + " \"choices\", got " + n;
        }
        for (int j = 0; j < n; j++) {
            if (p.getChoices(j).isEmpty()) {
                return "choice " + j + " is empty";
            }
        }
        if (p.getAnswer() < 0 || p.getAnswer() >= n) {
            return "\"answer\" must index one of the " + n + " choices (0 to " + (n - 1) + "), got " + p.getAnswer();
        }
        return null;
    }
}
