package io.steerd.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.steerd.v1.Edit;
import io.steerd.v1.EditOperation;
import io.steerd.v1.Normalization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EditSpecTest {

    @Test
    void parsesEveryKey() {
        Edit edit = EditSpec.parse("vector=happy,layers=1-3;5,coef=4.5,op=ablate_then_add,norm=unit");
        assertEquals("happy", edit.getVectorId());
        assertEquals(List.of(1, 2, 3, 5), edit.getLayersList());
        assertEquals(4.5f, edit.getCoefficient());
        assertEquals(EditOperation.ABLATE_THEN_ADD, edit.getOperation());
        assertEquals(Normalization.UNIT, edit.getNormalization());
    }

    @Test
    void leavesUnsetFieldsAtTheirDefaults() {
        Edit edit = EditSpec.parse("vector=v1,coef=-2");
        assertEquals("v1", edit.getVectorId());
        assertEquals(List.of(), edit.getLayersList());
        assertEquals(-2f, edit.getCoefficient());
        assertEquals(EditOperation.EDIT_OPERATION_UNSPECIFIED, edit.getOperation());
        assertEquals(Normalization.NORMALIZATION_UNSPECIFIED, edit.getNormalization());
    }

    @Test
    void toleratesSpacesAndCaseInEnumValues() {
        Edit edit = EditSpec.parse(" vector = v , layers = 2 , coef = 0 , op = ADD , norm = None ");
        assertEquals("v", edit.getVectorId());
        assertEquals(List.of(2), edit.getLayersList());
        assertEquals(EditOperation.ADD, edit.getOperation());
        assertEquals(Normalization.NONE, edit.getNormalization());
    }

    @Test
    void ablateNeedsNoCoefficient() {
        Edit edit = EditSpec.parse("vector=v,op=ablate");
        assertEquals(EditOperation.ABLATE, edit.getOperation());
        assertFalse(edit.getCoefficient() != 0f);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2          | 2",
        "1-3        | 1,2,3",
        "1;2;5      | 1,2,5",
        "1-3;5      | 1,2,3,5",
        "5;0-1      | 5,0,1",
        "4-4        | 4",
    })
    void parsesLayerLists(String text, String expected) {
        List<Integer> want = java.util.Arrays.stream(expected.split(",")).map(Integer::valueOf).toList();
        assertEquals(want, Layers.parse(text));
        assertEquals(want, EditSpec.parse("vector=v,coef=1,layers=" + text).getLayersList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "vector=v,coef=1,size=3         | unknown key 'size' (expected one of: vector, layers, coef, op, norm)",
        "layers=1,coef=1                | missing vector=ID in edit spec 'layers=1,coef=1'",
        "vector=v                       | missing coef=C in edit spec 'vector=v' (required unless op=ablate)",
        "vector=,coef=1                 | vector: empty id",
        "vector=v,coef=1,vector=w       | duplicate key 'vector' in edit spec",
        "vector=v,coef                  | 'coef' is not key=value (keys: vector, layers, coef, op, norm)",
        "vector=v,,coef=1               | empty item in edit spec 'vector=v,,coef=1'",
        "vector=v,coef=big              | coef: 'big' is not a number",
        "vector=v,coef=NaN              | coef: 'NaN' is not a finite number",
        "vector=v,coef=1,op=scale       | op: unknown operation 'scale' (expected add, ablate or ablate_then_add)",
        "vector=v,coef=1,norm=l2        | norm: unknown normalization 'l2' (expected none or unit)",
        "vector=v,coef=1,layers=3-1     | layers: bad layer range '3-1': start 3 is greater than end 1",
        "vector=v,coef=1,layers=1-      | layers: bad layer range '1-': expected a layer number N or a range A-B of non-negative integers",
        "vector=v,coef=1,layers=-1      | layers: bad layer range '-1': expected a layer number N or a range A-B of non-negative integers",
        "vector=v,coef=1,layers=1-2-3   | layers: bad layer range '1-2-3': expected a layer number N or a range A-B of non-negative integers",
        "vector=v,coef=1,layers=x       | layers: bad layer 'x': expected a layer number N or a range A-B of non-negative integers",
        "vector=v,coef=1,layers=1;;2    | layers: empty item in layer list '1;;2'",
        "vector=v,coef=1,layers=        | layers: empty layer list (expected e.g. 2, 1-3 or 1;2;5)",
        "vector=v,coef=1,layers=1-3;2   | layers: layer 2 is listed more than once in '1-3;2'",
        "vector=v,coef=1,layers=0-99999 | layers: layer 99999 in '0-99999' is out of range (0-4095)",
    })
    void rejectsBadSpecsWithPreciseMessages(String spec, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditSpec.parse(spec));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsEmptySpec() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EditSpec.parse("  "));
        assertEquals("empty edit spec (expected e.g. vector=ID,layers=2,coef=4)", e.getMessage());
    }

    @Test
    void formatsLayerListsCompactly() {
        assertEquals("0-4;7", Layers.format(List.of(0, 1, 2, 3, 4, 7)));
        assertEquals("2", Layers.format(List.of(2)));
        assertEquals("1;3;5-6", Layers.format(List.of(1, 3, 5, 6)));
        assertEquals("-", Layers.format(List.of()));
    }
}
