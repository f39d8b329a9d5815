package org.medsynth.metrics;

import org.medsynth.core.UserInputException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Which classes a segmentation is scored for, parsed from the {@code classes} key:
 * <ul>
 * <li>{@code binary} (default): binary masks; 0 is background, any other value foreground
 * (0/1 and 0/255 both work). A mask with more than two values is refused.</li>
 * <li>{@code labels}: label images; every non-zero label found in truth or prediction is a class.</li>
 * <li>a list such as {@code 1,2}: exactly these labels (also when absent from both images).</li>
 * <li>{@code brats}: the BraTS 2017-2021 regions from labels 0 (background), 1 (necrotic/non-enhancing
 * core), 2 (oedema), 4 (enhancing tumour): WT = {1,2,4}, TC = {1,4}, ET = {4}.</li>
 * <li>{@code brats2023}: the same regions with the 2023 labels (3 = enhancing tumour):
 * WT = {1,2,3}, TC = {1,3}, ET = {3}.</li>
 * </ul>
 */
public final class SegmentationClasses {

    /** Most labels a label image may hold before it is taken for an intensity image. */
    public static final int MAX_LABELS = 1000;

    /**
     * One scored class: the set of label values that count as positive.
     * @param label the single label value of a plain label class (used to pick the probability
     *              channel), -1 for binary foreground and BraTS regions
     */
    public record ClassDef(String name, int[] labels, boolean anyNonZero, int label) {
        public boolean contains(float v) {
            if (anyNonZero) return v != 0;
            for (int l : labels) if (v == l) return true;
            return false;
        }

        /** Membership of every pixel. */
        public boolean[] members(float[] values) {
            boolean[] m = new boolean[values.length];
            for (int i = 0; i < values.length; i++) m[i] = contains(values[i]);
            return m;
        }
    }

    private enum Kind { BINARY, LABELS, LIST, BRATS, BRATS2023 }

    private final Kind kind;
    private final int[] list;
    private final String spec;

    private SegmentationClasses(Kind kind, int[] list, String spec) {
        this.kind = kind;
        this.list = list;
        this.spec = spec;
    }

    public static SegmentationClasses binary() {
        return new SegmentationClasses(Kind.BINARY, null, "binary");
    }

    public static SegmentationClasses parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "": case "binary": return binary();
            case "labels": case "all": return new SegmentationClasses(Kind.LABELS, null, "labels");
            case "brats": return new SegmentationClasses(Kind.BRATS, null, "brats");
            case "brats2023": return new SegmentationClasses(Kind.BRATS2023, null, "brats2023");
            default:
        }
        String[] parts = s.split("[,;\\s]+");
        TreeSet<Integer> labels = new TreeSet<>();
        for (String p : parts) {
            if (p.isEmpty()) continue;
            try {
                int v = Integer.parseInt(p);
                if (v <= 0) throw new NumberFormatException();
                labels.add(v);
            } catch (NumberFormatException e) {
                throw new UserInputException("classes=" + spec + " is not understood. Use binary, labels, brats, "
                        + "brats2023, or a list of positive label values such as classes=1,2");
            }
        }
        if (labels.isEmpty()) return binary();
        return new SegmentationClasses(Kind.LIST, labels.stream().mapToInt(Integer::intValue).toArray(), s);
    }

    public String spec() {
        return spec;
    }

    public boolean isBinary() {
        return kind == Kind.BINARY;
    }

    /**
     * The classes to score for one pair of images, after checking that the values suit the mode.
     * @param what names the pair in messages, e.g. "case01"
     */
    public List<ClassDef> resolve(float[] truth, float[] prediction, String what) {
        switch (kind) {
            case BINARY: {
                checkBinary(truth, "The truth of " + what);
                checkBinary(prediction, "The prediction of " + what);
                return List.of(new ClassDef("foreground", new int[0], true, -1));
            }
            case BRATS:
            case BRATS2023: {
                int et = kind == Kind.BRATS ? 4 : 3;
                int[] allowed = {0, 1, 2, et};
                checkLabels(truth, "The truth of " + what, allowed);
                checkLabels(prediction, "The prediction of " + what, allowed);
                return List.of(new ClassDef("WT", new int[] {1, 2, et}, false, -1),
                        new ClassDef("TC", new int[] {1, et}, false, -1),
                        new ClassDef("ET", new int[] {et}, false, -1));
            }
            case LIST: {
                checkLabels(truth, "The truth of " + what, null);
                checkLabels(prediction, "The prediction of " + what, null);
                List<ClassDef> out = new ArrayList<>();
                for (int l : list) out.add(new ClassDef("label " + l, new int[] {l}, false, l));
                return out;
            }
            default: {
                TreeSet<Integer> found = new TreeSet<>();
                found.addAll(checkLabels(truth, "The truth of " + what, null));
                found.addAll(checkLabels(prediction, "The prediction of " + what, null));
                found.remove(0);
                List<ClassDef> out = new ArrayList<>();
                for (int l : found) out.add(new ClassDef("label " + l, new int[] {l}, false, l));
                if (out.isEmpty()) out.add(new ClassDef("foreground", new int[0], true, -1));
                return out;
            }
        }
    }

    /** Refuses NaN and masks with more than two values (or two values without a 0). */
    public static void checkBinary(float[] v, String what) {
        float a = Float.NaN, b = Float.NaN;
        for (float x : v) {
            if (Float.isNaN(x)) throw nan(what);
            if (Float.isNaN(a) || x == a) {
                a = x;
            } else if (Float.isNaN(b) || x == b) {
                b = x;
            } else {
                throw new UserInputException(what + " is not a binary mask: it has at least three values (" + fmt(a) + ", "
                        + fmt(b) + ", " + fmt(x) + "). For label images use classes=labels (or a list such as classes=1,2); "
                        + "for a probability map give it as 'probabilities' and a thresholded mask as prediction.");
            }
        }
        if (!Float.isNaN(b) && a != 0 && b != 0) {
            throw new UserInputException(what + " has the two values " + fmt(a) + " and " + fmt(b)
                    + " but no 0 for background. Binary masks need 0 = background and one other value = foreground.");
        }
    }

    /** Refuses NaN and non-integer labels; returns the distinct labels. */
    static TreeSet<Integer> checkLabels(float[] v, String what, int[] allowed) {
        TreeSet<Integer> found = new TreeSet<>();
        float last = Float.NaN;
        for (float x : v) {
            if (x == last) continue;
            if (Float.isNaN(x)) throw nan(what);
            if (x != Math.rint(x) || x < 0) {
                throw new UserInputException(what + " holds the value " + fmt(x) + "; labels must be whole numbers >= 0. "
                        + "Give a label image (8- or 16-bit), not an intensity or probability image.");
            }
            last = x;
            if (found.add((int) x) && found.size() > MAX_LABELS) {
                throw new UserInputException(what + " has more than " + MAX_LABELS + " different values; "
                        + "it looks like an intensity image, not a label image.");
            }
        }
        if (allowed != null) {
            for (int l : found) {
                boolean ok = false;
                for (int a : allowed) ok |= a == l;
                if (!ok) {
                    throw new UserInputException(what + " holds label " + l + ", which is not a BraTS label (allowed: "
                            + java.util.Arrays.toString(allowed) + "). BraTS 2017-2021 labels are 0,1,2,4 (classes=brats); "
                            + "BraTS 2023 labels are 0,1,2,3 (classes=brats2023).");
                }
            }
        }
        return found;
    }

    private static UserInputException nan(String what) {
        return new UserInputException(what + " contains NaN values. Replace them first (Process>Math>Remove NaNs...) "
                + "or fix the image that produced them.");
    }

    private static String fmt(float v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
