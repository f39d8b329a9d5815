package org.medsynth.ij1;

import ij.Macro;
import ij.gui.GenericDialog;
import org.medsynth.launch.Failure;
import org.medsynth.core.UserInputException;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;

import java.awt.GraphicsEnvironment;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * An ImageJ 1.x GenericDialog built from a SciJava command's parameters.
 * <p>
 * The label of every field is the parameter's name, which makes GenericDialog do three things
 * for free: show the dialog from the menu, read {@code name=value} pairs when a macro passes
 * options (no dialog then), and record the call for the macro recorder with the same keys.
 * GenericDialog shows underscores in labels as spaces.
 */
final class ParameterDialog {

    private final Module module;
    private final List<ModuleItem<?>> fields = new ArrayList<>();

    ParameterDialog(Module module, List<ModuleItem<?>> dialogItems) {
        this.module = module;
        this.fields.addAll(dialogItems);
    }

    /** Shows the dialog (or reads the macro options) and sets the inputs; false if cancelled. */
    boolean show(String title) {
        if (fields.isEmpty()) return true;
        // Called from a macro with no options where no dialog can be answered (headless, ImageJ -batch):
        // run with the defaults, as ImageJ's own commands do, instead of failing on a dialog
        boolean defaultsOnly = Macro.getOptions() == null && Failure.nobodyToAnswerDialogs();
        if (defaultsOnly) Macro.setOptions(defaultOptions());
        try {
            if (!showOrRead(title)) return false;
        } finally {
            if (defaultsOnly) Macro.setOptions(null);
        }
        if (defaultsOnly) requireValuesWithoutDefaults(title);
        return true;
    }

    /**
     * Macro options meaning "every default": empty, except that checkboxes ticked by default are named
     * (in a macro a checkbox key that is absent means unticked).
     */
    private String defaultOptions() {
        StringBuilder options = new StringBuilder(" ");
        for (ModuleItem<?> item : fields) {
            Object v = module.getInput(item.getName());
            if (Boolean.TRUE.equals(v)) options.append(item.getName()).append(' ');
        }
        return options.toString();
    }

    /** Keys that have no default (a model path, ...) must be given: one line naming them all. */
    private void requireValuesWithoutDefaults(String title) {
        List<String> missing = new ArrayList<>();
        for (ModuleItem<?> item : fields) {
            Object v = module.getInput(item.getName());
            if (item.isRequired() && (v == null || v.toString().isEmpty())) missing.add(item.getName());
        }
        if (missing.isEmpty()) return;
        StringBuilder example = new StringBuilder();
        for (String key : missing) example.append(example.length() == 0 ? "" : " ").append(key).append("=[...]");
        throw new UserInputException("no default for " + String.join(", ", missing) + "; give it in the macro: "
                + "run(\"" + title + "\", \"" + example + "\").");
    }

    private boolean showOrRead(String title) {
        GenericDialog gd = new GenericDialog(title);
        StringBuilder help = new StringBuilder("<html><h3>").append(title).append("</h3><ul>");
        for (ModuleItem<?> item : fields) {
            add(gd, item);
            String d = item.getDescription();
            help.append("<li><b>").append(item.getName()).append("</b>: ")
                    .append(d == null ? "" : d).append("</li>");
        }
        gd.addHelp(help.append("</ul></html>").toString());
        gd.showDialog();
        if (gd.wasCanceled()) return false;
        for (ModuleItem<?> item : fields) read(gd, item);
        return true;
    }

    private void add(GenericDialog gd, ModuleItem<?> item) {
        String name = item.getName();
        Class<?> type = item.getType();
        Object value = module.getInput(name);
        List<?> choices = item.getChoices();
        if (type == boolean.class || type == Boolean.class) {
            gd.addCheckbox(name, value != null && (Boolean) value);
        } else if (isNumber(type)) {
            double v = value == null ? 0 : ((Number) value).doubleValue();
            gd.addNumericField(name, v, isInteger(type) ? 0 : 3, 8, unitsOf(item));
        } else if (type == String.class && choices != null && !choices.isEmpty()) {
            String[] items = choices.stream().map(String::valueOf).toArray(String[]::new);
            gd.addChoice(name, items, value == null ? items[0] : value.toString());
        } else if (type == File.class) {
            String path = value == null ? "" : value.toString();
            boolean directory = item.getWidgetStyle() != null && item.getWidgetStyle().contains("directory");
            if (GraphicsEnvironment.isHeadless()) gd.addStringField(name, path, 40);
            else if (directory) gd.addDirectoryField(name, path, 40);
            else gd.addFileField(name, path, 40);
        } else if (type == String.class) {
            gd.addStringField(name, value == null ? "" : value.toString(), 30);
        } else {
            throw new IllegalStateException("MedSynth cannot show a dialog field of type " + type.getName()
                    + " for parameter '" + name + "'");
        }
    }

    private void read(GenericDialog gd, ModuleItem<?> item) {
        String name = item.getName();
        Class<?> type = item.getType();
        List<?> choices = item.getChoices();
        Object v;
        if (type == boolean.class || type == Boolean.class) {
            checkMacroCheckbox(name);
            v = gd.getNextBoolean();
        } else if (isNumber(type)) {
            double d = gd.getNextNumber();
            if (gd.invalidNumber()) {
                throw new org.medsynth.core.UserInputException(
                        "The value of '" + name + "' is not a number. Give a number, e.g. " + name + "=2");
            }
            v = toType(type, d);
        } else if (type == String.class && choices != null && !choices.isEmpty()) {
            v = gd.getNextChoice();
            checkMacroChoice(name, choices);
        } else if (type == File.class) {
            String s = gd.getNextString().trim();
            v = s.isEmpty() ? null : new File(s);
        } else {
            v = gd.getNextString();
        }
        module.setInput(name, v);
        module.resolveInput(name);
    }

    /**
     * A macro value that is not one of the choices is refused with the valid ones: the headless
     * (patched) GenericDialog would silently use the default choice instead, e.g. train without the
     * window a macro asked for with a misspelt preset.
     */
    private static void checkMacroChoice(String name, List<?> choices) {
        String options = Macro.getOptions();
        if (options == null) return;
        String given = Macro.getValue(options, name, null);
        if (given == null || given.startsWith("&")) return;
        for (Object c : choices) if (given.equals(String.valueOf(c))) return;
        throw new UserInputException("'" + given + "' is not a valid choice for " + name + ". Use one of " + choices + ".");
    }

    /**
     * In a macro a checkbox is ticked by its bare name ("resume") and unticked by leaving it out; ImageJ reads
     * "resume=true" as unticked, which would silently restart a training the user meant to continue.
     */
    private static void checkMacroCheckbox(String name) {
        String options = Macro.getOptions();
        if (options == null) return;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|\\s)" + java.util.regex.Pattern.quote(name)
                + "=\\[?(true|false|yes|no|on|off|1|0)\\]?(?:\\s|$)", java.util.regex.Pattern.CASE_INSENSITIVE).matcher(options);
        if (m.find()) {
            throw new UserInputException("'" + name + "=" + m.group(1) + "': in a macro a checkbox is set by its name alone. Write "
                    + name + " to tick it, and leave it out to untick it.");
        }
    }

    private static String unitsOf(ModuleItem<?> item) {
        String style = item.getWidgetStyle();
        if (style != null && style.startsWith("units:")) return style.substring(6);
        return "";
    }

    private static boolean isNumber(Class<?> t) {
        return t == int.class || t == Integer.class || t == long.class || t == Long.class
                || t == double.class || t == Double.class || t == float.class || t == Float.class;
    }

    private static boolean isInteger(Class<?> t) {
        return t == int.class || t == Integer.class || t == long.class || t == Long.class;
    }

    private static Object toType(Class<?> t, double d) {
        if (t == int.class || t == Integer.class) return (int) Math.round(d);
        if (t == long.class || t == Long.class) return Math.round(d);
        if (t == float.class || t == Float.class) return (float) d;
        return d;
    }
}
