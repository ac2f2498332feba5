package io.steerd.client;

import io.steerd.client.sdk.EditBuilder;
import io.steerd.client.sdk.Edits;
import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.Normalization;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The {@code --edit} spec: {@code key=value} pairs separated by commas, e.g.
 * {@code vector=happy,layers=2-4,coef=4,op=add,norm=unit}.
 *
 * <ul>
 *   <li>{@code vector=ID} (required): a registered vector's id.
 *   <li>{@code layers=LIST}: see {@link Layers}; omitted means every layer the vector has.
 *   <li>{@code coef=C}: the coefficient; required unless {@code op=ablate} (an ADD with the
 *       proto default 0 would silently do nothing; write {@code coef=0} to mean it).
 *   <li>{@code op=add|ablate|ablate_then_add}: default add.
 *   <li>{@code norm=none|unit}: default none.
 * </ul>
 */
final class EditSpec {

    private static final String KEYS = "vector, layers, coef, op, norm";

    private EditSpec() {}

    /**
     * Parses a spec into an {@link Edit}, built with the SDK's {@link Edits}.
     *
     * @throws IllegalArgumentException with a message naming the offending part
     */
    static Edit parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty edit spec (expected e.g. vector=ID,layers=2,coef=4)");
        }
        String vector = null;
        List<Integer> layers = List.of();
        Float coefficient = null;
        EditOperation operation = null;
        Normalization normalization = null;
        Set<String> seen = new HashSet<>();
        for (String raw : spec.split(",", -1)) {
            String pair = raw.trim();
            if (pair.isEmpty()) {
                throw new IllegalArgumentException("empty item in edit spec '" + spec + "'");
            }
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + pair + "' is not key=value (keys: " + KEYS + ")");
            }
            String key = pair.substring(0, eq).trim();
            String value = pair.substring(eq + 1).trim();
            if (!seen.add(key)) {
                throw new IllegalArgumentException("duplicate key '" + key + "' in edit spec");
            }
            switch (key) {
                case "vector" -> {
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException("vector: empty id");
                    }
                    vector = value;
                }
                case "layers" -> {
                    try {
                        layers = Layers.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("layers: " + e.getMessage(), e);
                    }
                }
                case "coef" -> coefficient = coefficient(value);
                case "op" -> operation = operation(value);
                case "norm" -> normalization = normalization(value);
                default -> throw new IllegalArgumentException(
                        "unknown key '" + key + "' (expected one of: " + KEYS + ")");
            }
        }
        if (vector == null) {
            throw new IllegalArgumentException("missing vector=ID in edit spec '" + spec + "'");
        }
        if (coefficient == null && operation != EditOperation.ABLATE) {
            throw new IllegalArgumentException(
                    "missing coef=C in edit spec '" + spec + "' (required unless op=ablate)");
        }
        // Only what the spec names is set, so an omitted op or norm stays the server's default.
        EditBuilder edit = Edits.vector(vector).layers(layers);
        if (coefficient != null) {
            edit.coefficient(coefficient);
        }
        if (operation != null) {
            edit.operation(operation);
        }
        if (normalization != null) {
            edit.normalization(normalization);
        }
        return edit.build();
    }

    private static float coefficient(String value) {
        float c;
        try {
            c = Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("coef: '" + value + "' is not a number");
        }
        if (!Float.isFinite(c)) {
            throw new IllegalArgumentException("coef: '" + value + "' is not a finite number");
        }
        return c;
    }

    private static EditOperation operation(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "add" -> EditOperation.ADD;
            case "ablate" -> EditOperation.ABLATE;
            case "ablate_then_add" -> EditOperation.ABLATE_THEN_ADD;
            default -> throw new IllegalArgumentException(
                    "op: unknown operation '" + value + "' (expected add, ablate or ablate_then_add)");
        };
    }

    private static Normalization normalization(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> Normalization.NONE;
            case "unit" -> Normalization.UNIT;
            default -> throw new IllegalArgumentException(
                    "norm: unknown normalization '" + value + "' (expected none or unit)");
        };
    }

    /** Lets picocli report a bad spec as a usage error (exit code 2). */
    static final class Converter implements ITypeConverter<Edit> {
        @Override
        public Edit convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
