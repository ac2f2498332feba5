package io.steerd.client;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Layer lists as written on the command line: items separated by {@code ;}, each a
 * layer {@code N} or an inclusive range {@code A-B}, e.g. {@code 1-3;5}.
 */
final class Layers {

    /** Bound on a layer number, so a typo like {@code 0-9999999} fails here, not as a huge request. */
    static final int MAX_LAYER = 4095;

    private Layers() {}

    /**
     * Parses a layer list. Layers keep the order written; a layer listed twice is an error.
     *
     * @throws IllegalArgumentException with a message naming the offending item
     */
    static List<Integer> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty layer list (expected e.g. 2, 1-3 or 1;2;5)");
        }
        Set<Integer> layers = new LinkedHashSet<>();
        for (String raw : text.split(";", -1)) {
            String item = raw.trim();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("empty item in layer list '" + text + "'");
            }
            int dash = item.indexOf('-');
            int first;
            int last;
            if (dash < 0) {
                first = last = layer(item, item);
            } else {
                first = layer(item.substring(0, dash).trim(), item);
                last = layer(item.substring(dash + 1).trim(), item);
                if (first > last) {
                    throw new IllegalArgumentException(
                            "bad layer range '" + item + "': start " + first + " is greater than end " + last);
                }
            }
            for (int l = first; l <= last; l++) {
                if (!layers.add(l)) {
                    throw new IllegalArgumentException("layer " + l + " is listed more than once in '" + text + "'");
                }
            }
        }
        return new ArrayList<>(layers);
    }

    private static int layer(String number, String item) {
        boolean digits = !number.isEmpty() && number.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits) {
            String what = item.indexOf('-') >= 0 ? "bad layer range '" : "bad layer '";
            throw new IllegalArgumentException(
                    what + item + "': expected a layer number N or a range A-B of non-negative integers");
        }
        if (number.length() > 9 || Integer.parseInt(number) > MAX_LAYER) {
            throw new IllegalArgumentException(
                    "layer " + number + " in '" + item + "' is out of range (0-" + MAX_LAYER + ")");
        }
        return Integer.parseInt(number);
    }

    /** Compact form for display: runs of consecutive layers become ranges, e.g. {@code 0-4;7}. */
    static String format(List<Integer> layers) {
        if (layers.isEmpty()) {
            return "-";
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < layers.size()) {
            int start = layers.get(i);
            int j = i;
            while (j + 1 < layers.size() && layers.get(j + 1) == layers.get(j) + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(start);
            if (j > i) {
                sb.append('-').append(layers.get(j));
            }
            i = j + 1;
        }
        return sb.toString();
    }
}
