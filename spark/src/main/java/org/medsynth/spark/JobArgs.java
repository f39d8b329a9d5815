package org.medsynth.spark;

import org.medsynth.core.UserInputException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A job's {@code key=value} arguments, with the same keys as the macro commands ({@code model=/m.zip
 * input=[/my images] probabilities}). A bare key means {@code true} (as in macros); values may be put in square
 * brackets. Keys the job does not know are refused with the list of those it does.
 */
public final class JobArgs implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, String> values;

    public JobArgs(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Parses {@code key=value} tokens (a command line after the job name). */
    public static JobArgs parse(List<String> tokens) {
        Map<String, String> m = new LinkedHashMap<>();
        // "input=[/my" "images]" from a shell that split a bracketed value: join until the closing bracket
        List<String> joined = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            int eq = t.indexOf('=');
            if (eq > 0 && t.startsWith("[", eq + 1) && !t.endsWith("]")) {
                StringBuilder sb = new StringBuilder(t);
                while (i + 1 < tokens.size() && !sb.toString().endsWith("]")) sb.append(' ').append(tokens.get(++i));
                t = sb.toString();
            }
            joined.add(t);
        }
        for (String t : joined) {
            if (t.isBlank()) continue;
            int eq = t.indexOf('=');
            String key = (eq > 0 ? t.substring(0, eq) : t).trim().toLowerCase(Locale.ROOT);
            String value = eq > 0 ? t.substring(eq + 1).trim() : "true";
            if (value.startsWith("[") && value.endsWith("]")) value = value.substring(1, value.length() - 1);
            if (key.isEmpty()) throw new UserInputException("'" + t + "' is not key=value.");
            if (m.containsKey(key)) throw new UserInputException("The key " + key + " is given twice.");
            m.put(key, value);
        }
        return new JobArgs(m);
    }

    public Map<String, String> asMap() {
        return values;
    }

    public boolean has(String key) {
        String v = values.get(key);
        return v != null && !v.isEmpty();
    }

    /** The value, or {@code def} when the key is missing or empty. */
    public String get(String key, String def) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? def : v;
    }

    public String required(String key, String what) {
        if (!has(key)) throw new UserInputException("Give " + what + " (" + key + "=...).");
        return values.get(key);
    }

    public int getInt(String key, int def) {
        String v = get(key, null);
        if (v == null) return def;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException(key + " must be a whole number, not '" + v + "'.");
        }
    }

    public long getLong(String key, long def) {
        String v = get(key, null);
        if (v == null) return def;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException(key + " must be a whole number, not '" + v + "'.");
        }
    }

    public double getDouble(String key, double def) {
        String v = get(key, null);
        if (v == null) return def;
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException(key + " must be a number, not '" + v + "'.");
        }
    }

    public boolean getBoolean(String key, boolean def) {
        String v = get(key, null);
        if (v == null) return def;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new UserInputException(key + " must be true or false, not '" + v + "'.");
        };
    }

    /** Refuses keys outside {@code known} (the job's keys plus the common ones). */
    public void checkKeys(String job, java.util.Collection<String> known) {
        for (String k : values.keySet()) {
            if (!known.contains(k)) {
                // the commands take engine=...; a Spark job's executors take theirs from the JVM property
                String engine = k.equals("engine") ? " The engine is chosen for the whole job with -Dmedsynth.engine=dl4j|libtorch|auto"
                        + " (MEDSYNTH_JAVA_OPTS for bin/medsynth-spark, spark.executor.extraJavaOptions on a cluster)." : "";
                throw new UserInputException("The " + job + " job has no key '" + k + "'." + engine + " Its keys: " + String.join(", ", known) + ".");
            }
        }
    }

    /** A copy with some keys changed. */
    public JobArgs with(Map<String, String> changes) {
        Map<String, String> m = new LinkedHashMap<>(values);
        m.putAll(changes);
        return new JobArgs(m);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v.contains(" ") ? "[" + v + "]" : v));
        return sb.toString();
    }
}
