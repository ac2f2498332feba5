package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.v1.ContrastPair;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairsFileTest {

    private static List<ContrastPair> parse(String text) throws Exception {
        return PairsFile.parse(new StringReader(text), "pairs.jsonl");
    }

    private static String failure(String text) {
        return assertThrows(CliException.class, () -> parse(text)).getMessage();
    }

    @Test
    void parsesOnePairPerLineSkippingBlankLines() throws Exception {
        List<ContrastPair> pairs = parse("""
                {"positive": "I love this", "negative": "I hate this"}

                  \t
                {"negative": "sad \\u00e9", "positive": "happy"}
                """);
        assertEquals(List.of(
                ContrastPair.newBuilder().setPositive("I love this").setNegative("I hate this").build(),
                ContrastPair.newBuilder().setPositive("happy").setNegative("sad \u00e9").build()), pairs);
    }

    @Test
    void readsUtf8FileWithByteOrderMark(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "\uFEFF{\"positive\":\"ja \u2713\",\"negative\":\"nein\"}\n");
        List<ContrastPair> pairs = PairsFile.read(file);
        assertEquals(1, pairs.size());
        assertEquals("ja \u2713", pairs.get(0).getPositive());
    }

    @Test
    void reportsTheLineNumberOfMalformedJson() {
        String message = failure("{\"positive\":\"a\",\"negative\":\"b\"}\n\n{\"positive\": \"a\", \n");
        assertTrue(message.startsWith("pairs.jsonl:3: not a ContrastPair: "), message);
    }

    @Test
    void reportsUnknownFieldsWithTheirLine() {
        String message = failure("{\"positive\":\"a\",\"negative\":\"b\"}\n{\"positve\":\"a\",\"negative\":\"b\"}\n");
        assertTrue(message.startsWith("pairs.jsonl:2: not a ContrastPair: "), message);
        assertTrue(message.contains("positve"), message);
    }

    @Test
    void reportsMissingSides() {
        assertEquals("pairs.jsonl:1: missing or empty \"negative\"", failure("{\"positive\":\"a\"}"));
        assertEquals("pairs.jsonl:2: missing or empty \"positive\"",
                failure("{\"positive\":\"a\",\"negative\":\"b\"}\n{\"positive\":\"\",\"negative\":\"b\"}"));
    }

    @Test
    void rejectsAFileWithoutPairs() {
        assertEquals("pairs.jsonl: no pairs (expected one {\"positive\": ..., \"negative\": ...} per line)",
                failure("\n  \n"));
    }

    @Test
    void rejectsNonObjectLines() {
        assertTrue(failure("[\"a\", \"b\"]").startsWith("pairs.jsonl:1: not a ContrastPair: "));
    }
}
