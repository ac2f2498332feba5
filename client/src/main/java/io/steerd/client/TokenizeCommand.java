package io.steerd.client;

import io.steerd.client.sdk.SteerdClient;
import io.steerd.v1.Token;
import io.steerd.v1.TokenizeResponse;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code steerctl tokenize}: one {@code id<TAB>piece} line per token. */
@Command(name = "tokenize",
        description = "Tokenize text with the served model's tokenizer; prints id<TAB>piece per token.")
final class TokenizeCommand implements Callable<Integer> {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "Text to tokenize.")
    String text;

    @Option(names = "--bos", description = "Prepend the BOS token (as generate does).")
    boolean bos;

    @Option(names = "--json", description = "Print the TokenizeResponse as JSON instead.")
    boolean json;

    @Override
    public Integer call() {
        List<Token> tokens;
        try (SteerdClient client = root.connect()) {
            tokens = client.tokenize(text, bos);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(TokenizeResponse.newBuilder().addAllTokens(tokens).build()));
        } else {
            for (Token token : tokens) {
                out.println(token.getId() + "\t" + visible(token.getPiece()));
            }
        }
        out.flush();
        return 0;
    }

    /** Control characters (BOS is stored as "\n<s>\n") written as escapes, one token per line. */
    static String visible(String piece) {
        StringBuilder sb = new StringBuilder();
        for (char ch : piece.toCharArray()) {
            switch (ch) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (Character.isISOControl(ch)) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.toString();
    }
}
