package io.steerd.client.sdk;

import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.InlineVector;
import io.steerd.v1.Normalization;
import java.util.Collection;
import java.util.Objects;

/**
 * A mutable builder of one {@link Edit}, started by a factory in {@link Edits}. Fields left
 * unset keep the proto defaults: every layer the vector has, coefficient 0, no normalisation.
 */
public final class EditBuilder {

    private final Edit.Builder edit = Edit.newBuilder();

    private EditBuilder() {}

    static EditBuilder ofId(String vectorId) {
        Objects.requireNonNull(vectorId, "vectorId");
        if (vectorId.isEmpty()) {
            throw new IllegalArgumentException("empty vector id");
        }
        EditBuilder builder = new EditBuilder();
        builder.edit.setVectorId(vectorId);
        return builder;
    }

    static EditBuilder ofInline(InlineVector vector) {
        Objects.requireNonNull(vector, "vector");
        if (vector.getLayersCount() == 0) {
            throw new IllegalArgumentException("inline vector without layers");
        }
        EditBuilder builder = new EditBuilder();
        builder.edit.setInline(vector);
        return builder;
    }

    /** Appends layers to edit (0-based decoder outputs); none means every layer the vector has. */
    public EditBuilder layers(int... layers) {
        for (int layer : layers) {
            edit.addLayers(requireLayer(layer));
        }
        return this;
    }

    /** Appends layers to edit, in iteration order. */
    public EditBuilder layers(Collection<Integer> layers) {
        layers.forEach(this::layers);
        return this;
    }

    /**
     * The coefficient c; with {@link #unitNorm()} it is the L2 norm added per layer. Sent as a
     * float, as the proto has it.
     *
     * @throws IllegalArgumentException when the coefficient is not finite as a float (NaN, or
     *     beyond about ±3.4e38, which a float cannot hold)
     */
    public EditBuilder coefficient(double coefficient) {
        float value = (float) coefficient; // checked after the cast: 1e39 becomes Infinity
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("coefficient must be finite as a float, got " + coefficient);
        }
        edit.setCoefficient(value);
        return this;
    }

    /** Rescales each layer's values to unit L2 norm before the coefficient multiplies them. */
    public EditBuilder unitNorm() {
        return normalization(Normalization.UNIT);
    }

    /** Sets how the values are scaled before the coefficient multiplies them. */
    public EditBuilder normalization(Normalization normalization) {
        edit.setNormalization(Objects.requireNonNull(normalization, "normalization"));
        return this;
    }

    /** Replaces the operation the factory chose. */
    public EditBuilder operation(EditOperation operation) {
        edit.setOperation(Objects.requireNonNull(operation, "operation"));
        return this;
    }

    /** The proto message; the builder stays usable for variations. */
    public Edit build() {
        return edit.build();
    }

    static int requireLayer(int layer) {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be non-negative, got " + layer);
        }
        return layer;
    }
}
