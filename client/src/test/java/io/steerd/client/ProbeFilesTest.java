package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steerd.v1.AlignmentProbe;
import io.steerd.v1.ChoiceProbe;
import io.steerd.v1.ProbeSet;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbeFilesTest {

    static final String ALIGNMENT = """
            {"prompt": "Lily saw a puppy. She felt", "desired": " happy", "undesired": " sad"}

            {"prompt": "The sun came out and Tom was", "desired": " glad", "undesired": " angry"}
            """;
    static final String HELPFULNESS = """
            {"prompt": "The cat says", "choices": [" meow", " moo", " quack"], "answer": 0}
            {"prompt": "Two and two make", "choices": [" three", " four"], "answer": 1}
            """;

    private static String failure(Path dir) {
        return assertThrows(CliException.class, () -> ProbeFiles.readDir(dir)).getMessage();
    }

    @Test
    void readsAllThreeFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("alignment.jsonl"), "\uFEFF" + ALIGNMENT);
        Files.writeString(dir.resolve("helpfulness.jsonl"), HELPFULNESS);
        Files.writeString(dir.resolve("text.txt"), "Once upon a time there was a bee.\n\n  \nThe end.\n");
        ProbeSet set = ProbeFiles.readDir(dir);
        assertEquals(List.of(
                AlignmentProbe.newBuilder().setPrompt("Lily saw a puppy. She felt").setDesired(" happy")
                        .setUndesired(" sad").build(),
                AlignmentProbe.newBuilder().setPrompt("The sun came out and Tom was").setDesired(" glad")
                        .setUndesired(" angry").build()), set.getAlignmentList());
        assertEquals(ChoiceProbe.newBuilder().setPrompt("Two and two make").addChoices(" three")
                .addChoices(" four").setAnswer(1).build(), set.getHelpfulness(1));
        assertEquals(List.of(" meow", " moo", " quack"), set.getHelpfulness(0).getChoicesList());
        assertEquals(List.of("Once upon a time there was a bee.", "The end."), set.getTextList());
    }

    @Test
    void everyFileIsOptional(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("helpfulness.jsonl"), HELPFULNESS);
        ProbeSet set = ProbeFiles.readDir(dir);
        assertEquals(0, set.getAlignmentCount());
        assertEquals(2, set.getHelpfulnessCount());
        assertEquals(0, set.getTextCount());
    }

    @Test
    void missingOrEmptyDirectoriesAreErrors(@TempDir Path dir) throws Exception {
        Path absent = dir.resolve("nope");
        assertEquals("no such probe directory: " + absent, failure(absent));

        Path file = Files.writeString(dir.resolve("file.jsonl"), ALIGNMENT);
        assertEquals("not a directory: " + file + " (--probes takes a directory)", failure(file));

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertEquals("no probe files in " + empty
                + " (expected alignment.jsonl, helpfulness.jsonl and/or text.txt)", failure(empty));

        Path textOnly = Files.createDirectory(dir.resolve("text-only"));
        Files.writeString(textOnly.resolve("text.txt"), "a passage\n");
        assertEquals(textOnly + " has only text.txt; a tradeoff needs alignment.jsonl or helpfulness.jsonl as well",
                failure(textOnly));
    }

    @Test
    void badJsonNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path alignment = Files.writeString(dir.resolve("alignment.jsonl"),
                ALIGNMENT + "\n{\"prompt\": \"x\", \"desired\": \n");
        String message = failure(dir);
        assertTrue(message.startsWith(alignment + ":5: not an AlignmentProbe: "), message);

        Files.writeString(alignment, ALIGNMENT);
        Path helpfulness = Files.writeString(dir.resolve("helpfulness.jsonl"),
                "{\"prompt\": \"a\", \"choices\": [\"b\", \"c\"], \"answr\": 1}\n");
        message = failure(dir);
        assertTrue(message.startsWith(helpfulness + ":1: not a ChoiceProbe: "), message);
        assertTrue(message.contains("answr"), message);
    }

    @Test
    void probesAreCheckedWithTheirLine() throws Exception {
        assertEquals("a.jsonl:2: missing or empty \"undesired\"", assertThrows(CliException.class,
                () -> ProbeFiles.parseAlignment(new StringReader(
                        "{\"prompt\":\"p\",\"desired\":\"d\",\"undesired\":\"u\"}\n{\"prompt\":\"p\",\"desired\":\"d\"}"),
                        "a.jsonl")).getMessage());
        assertEquals("h.jsonl:3: \"answer\" must index one of the 2 choices (0 to 1), got 2",
                assertThrows(CliException.class, () -> ProbeFiles.parseChoices(new StringReader(
                        "{\"choices\":[\"a\",\"b\"]}\n\n{\"choices\":[\"a\",\"b\"],\"answer\":2}"), "h.jsonl"))
                        .getMessage());
        assertEquals("h.jsonl:1: needs 2 to 16 \"choices\", got 1", assertThrows(CliException.class,
                () -> ProbeFiles.parseChoices(new StringReader("{\"choices\":[\"a\"]}"), "h.jsonl")).getMessage());
        assertEquals("h.jsonl:1: choice 1 is empty", assertThrows(CliException.class,
                () -> ProbeFiles.parseChoices(new StringReader("{\"choices\":[\"a\",\"\"]}"), "h.jsonl")).getMessage());
    }

    @Test
    void filesWithoutEntriesAreErrors() {
        assertTrue(assertThrows(CliException.class,
                () -> ProbeFiles.parseAlignment(new StringReader("\n \n"), "a.jsonl")).getMessage()
                .startsWith("a.jsonl: no probes"));
        assertEquals("t.txt: no passages (expected one passage per line)", assertThrows(CliException.class,
                () -> ProbeFiles.parseText(new StringReader("\n"), "t.txt")).getMessage());
    }
}
