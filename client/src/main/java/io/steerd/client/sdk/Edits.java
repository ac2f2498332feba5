package io.steerd.client.sdk;

import io.steerd.v1.EditOperation;
import io.steerd.v1.InlineVector;
import io.steerd.v1.LayerValues;
import java.util.Map;
import java.util.TreeMap;

/**
 * Entry points for building residual-stream {@link io.steerd.v1.Edit}s, e.g.
 * {@code Edits.add("happy").layers(2, 3).coefficient(2.0).unitNorm().build()}.
 *
 * <p>Each factory names the operation; the vector is either a registered id or an
 * {@link InlineVector} from {@link #inline}.
 */
public final class Edits {

    private Edits() {}

    /** Adds {@code c * v} of a registered vector ({@link EditOperation#ADD}). */
    public static EditBuilder add(String vectorId) {
        return EditBuilder.ofId(vectorId).operation(EditOperation.ADD);
    }

    /** Adds {@code c * v} of values sent with the request. */
    public static EditBuilder add(InlineVector vector) {
        return EditBuilder.ofInline(vector).operation(EditOperation.ADD);
    }

    /** Projects a registered vector's direction out of the hidden state; the coefficient is ignored. */
    public static EditBuilder ablate(String vectorId) {
        return EditBuilder.ofId(vectorId).operation(EditOperation.ABLATE);
    }

    /** Projects the direction of values sent with the request out of the hidden state. */
    public static EditBuilder ablate(InlineVector vector) {
        return EditBuilder.ofInline(vector).operation(EditOperation.ABLATE);
    }

    /** Ablates a registered vector's direction, then adds {@code c * v}: sets the component rather than shifting it. */
    public static EditBuilder ablateThenAdd(String vectorId) {
        return EditBuilder.ofId(vectorId).operation(EditOperation.ABLATE_THEN_ADD);
    }

    /** {@link #ablateThenAdd(String)} with values sent with the request. */
    public static EditBuilder ablateThenAdd(InlineVector vector) {
        return EditBuilder.ofInline(vector).operation(EditOperation.ABLATE_THEN_ADD);
    }

    /**
     * An edit of a registered vector whose operation is left unset, so the server applies its
     * default (ADD); set one with {@link EditBuilder#operation}. For callers that take the
     * operation from their own input, such as a command line.
     */
    public static EditBuilder vector(String vectorId) {
        return EditBuilder.ofId(vectorId);
    }

    /** A single-layer inline vector; the server may apply it at any layer listed on the edit. */
    public static InlineVector inline(int layer, float... values) {
        return InlineVector.newBuilder().addLayers(layerValues(layer, values)).build();
    }

    /** An inline vector with values for several layers, ordered by layer. */
    public static InlineVector inline(Map<Integer, float[]> valuesByLayer) {
        InlineVector.Builder vector = InlineVector.newBuilder();
        new TreeMap<>(valuesByLayer).forEach((layer, values) -> vector.addLayers(layerValues(layer, values)));
        return vector.build();
    }

    private static LayerValues layerValues(int layer, float[] values) {
        EditBuilder.requireLayer(layer);
        if (values.length == 0) {
            throw new IllegalArgumentException("layer " + layer + ": no values");
        }
        LayerValues.Builder layerValues = LayerValues.newBuilder().setLayer(layer);
        for (float value : values) {
            layerValues.addValues(value);
        }
        return layerValues.build();
    }
}
