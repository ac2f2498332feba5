package io.steerd.client;

import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.steerd.v1.LayerNorm;
import io.steerd.v1.LayerShare;
import io.steerd.v1.LayerValues;
import java.util.Set;

/** Proto3 JSON (JsonFormat) in and out. */
final class Json {
    /** Layer 0 is a real layer, not an unset field: always print layer numbers. */
    private static final Set<Descriptors.FieldDescriptor> LAYER_FIELDS = Set.of(
            LayerValues.getDescriptor().findFieldByName("layer"),
            LayerNorm.getDescriptor().findFieldByName("layer"),
            LayerShare.getDescriptor().findFieldByName("layer"));
    private static final JsonFormat.Printer LINE =
            JsonFormat.printer().includingDefaultValueFields(LAYER_FIELDS).omittingInsignificantWhitespace();
    private static final JsonFormat.Printer PRETTY = JsonFormat.printer().includingDefaultValueFields(LAYER_FIELDS);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private Json() {}

    /** One line, no insignificant whitespace (for JSON Lines output). */
    static String line(MessageOrBuilder message) {
        return print(LINE, message);
    }

    /** Indented, multi-line. */
    static String pretty(MessageOrBuilder message) {
        return print(PRETTY, message);
    }

    /**
     * Merges JSON into a builder; unknown fields are an error.
     *
     * @throws InvalidProtocolBufferException when the text is not valid JSON for the message
     */
    static <B extends Message.Builder> B merge(String json, B builder) throws InvalidProtocolBufferException {
        PARSER.merge(json, builder);
        return builder;
    }

    private static String print(JsonFormat.Printer printer, MessageOrBuilder message) {
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException e) {
            // Only possible for Any fields with unregistered types, which steerd.v1 has none of.
            throw new IllegalStateException(e);
        }
    }
}
