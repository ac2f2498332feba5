package io.steerd.client.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.InlineVector;
import io.steerd.v1.LayerValues;
import io.steerd.v1.Normalization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EditsTest {

    @Test
    void addBuildsTheExactEdit() {
        Edit expected = Edit.newBuilder().setVectorId("happy").addLayers(2).addLayers(3).setCoefficient(2f)
                .setOperation(EditOperation.ADD).setNormalization(Normalization.UNIT).build();
        assertEquals(expected, Edits.add("happy").layers(2, 3).coefficient(2.0).unitNorm().build());
        assertEquals(expected, Edits.add("happy").layers(List.of(2, 3)).coefficient(2).unitNorm().build());
    }

    @Test
    void ablateAndAblateThenAddSetTheirOperation() {
        assertEquals(Edit.newBuilder().setVectorId("toxic").addLayers(1).setOperation(EditOperation.ABLATE).build(),
                Edits.ablate("toxic").layers(1).build());
        assertEquals(Edit.newBuilder().setVectorId("calm").setCoefficient(-1.5f)
                        .setOperation(EditOperation.ABLATE_THEN_ADD).setNormalization(Normalization.NONE).build(),
                Edits.ablateThenAdd("calm").coefficient(-1.5).normalization(Normalization.NONE).build());
    }

    @Test
    void vectorLeavesTheOperationToTheServer() {
        Edit edit = Edits.vector("v").coefficient(4).build();
        assertEquals(Edit.newBuilder().setVectorId("v").setCoefficient(4f).build(), edit);
        assertEquals(EditOperation.EDIT_OPERATION_UNSPECIFIED, edit.getOperation());
        assertEquals(EditOperation.ABLATE, Edits.vector("v").operation(EditOperation.ABLATE).build().getOperation());
    }

    @Test
    void inlineVectorsCarryTheirValues() {
        InlineVector one = Edits.inline(3, 0.5f, -1f);
        assertEquals(InlineVector.newBuilder().addLayers(LayerValues.newBuilder().setLayer(3)
                .addValues(0.5f).addValues(-1f)).build(), one);
        assertEquals(Edit.newBuilder().setInline(one).addLayers(1).addLayers(2).setCoefficient(8f)
                        .setOperation(EditOperation.ADD).build(),
                Edits.add(one).layers(1, 2).coefficient(8).build());
        assertEquals(EditOperation.ABLATE, Edits.ablate(one).build().getOperation());
        assertEquals(EditOperation.ABLATE_THEN_ADD, Edits.ablateThenAdd(one).build().getOperation());

        InlineVector two = Edits.inline(Map.of(4, new float[] {2f}, 1, new float[] {1f}));
        assertEquals(List.of(1, 4), two.getLayersList().stream().map(LayerValues::getLayer).toList());
        assertEquals(List.of(2f), two.getLayers(1).getValuesList());
    }

    @Test
    void aCoefficientBeyondFloatRangeIsRejectedNotSentAsInfinity() {
        assertEquals("coefficient must be finite as a float, got 1.0E39",
                assertThrows(IllegalArgumentException.class, () -> Edits.add("v").coefficient(1e39)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Edits.add("v").coefficient(-1e39));
        assertThrows(IllegalArgumentException.class, () -> Edits.add("v").coefficient(Double.POSITIVE_INFINITY));
        assertEquals(Float.MAX_VALUE, Edits.add("v").coefficient(Float.MAX_VALUE).build().getCoefficient());
    }

    @Test
    void theBuilderStaysUsableForVariations() {
        EditBuilder base = Edits.add("happy").layers(2);
        Edit weak = base.coefficient(1).build();
        Edit strong = base.coefficient(8).build();
        assertEquals(1f, weak.getCoefficient());
        assertEquals(8f, strong.getCoefficient());
    }

    @Test
    void rejectsWhatTheServerWouldRefuse() {
        assertEquals("layer must be non-negative, got -1",
                assertThrows(IllegalArgumentException.class, () -> Edits.add("v").layers(-1)).getMessage());
        assertEquals("coefficient must be finite as a float, got NaN",
                assertThrows(IllegalArgumentException.class, () -> Edits.add("v").coefficient(Double.NaN)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Edits.add(""));
        assertThrows(NullPointerException.class, () -> Edits.ablate((String) null));
        assertThrows(IllegalArgumentException.class, () -> Edits.add(InlineVector.getDefaultInstance()));
        assertThrows(IllegalArgumentException.class, () -> Edits.inline(0));
    }
}
