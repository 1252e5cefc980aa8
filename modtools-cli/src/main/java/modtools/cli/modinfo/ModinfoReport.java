package modtools.cli.modinfo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import modtools.deps.KmodLevel;
import modtools.elf.module.ModInfoEntry;

/**
 * Formats one module's entries exactly as kmod's modinfo does: {@code %-16s} keys, the
 * merged {@code parm}/{@code parmtype} lines last in reverse order of first appearance,
 * {@code key=value} with {@code -0}, and bare values for {@code -F}.
 */
final class ModinfoReport {
    /** A parameter assembled from {@code parm} (description) and {@code parmtype} (type) entries. */
    private static final class Param {
        final String name;
        String description;
        String type;

        Param(String name) {
            this.name = name;
        }
    }

    private final boolean padsLongKeys;
    private final PrintStream out;
    private final PrintStream err;
    private final String program;
    private final String field;
    private final char separator;

    ModinfoReport(KmodLevel level, PrintStream out, PrintStream err, String program, String field, char separator) {
        this.padsLongKeys = level.padsLongModinfoKeys();
        this.out = out;
        this.err = err;
        this.program = program;
        this.field = field;
        this.separator = separator;
    }

    /** The lines printed before the module is read; false when {@code -F filename} says that was all. */
    boolean header(Target target, String filename) {
        if (target instanceof Target.Builtin) {
            if (field == null) {
                line("name:", target.name());
            } else if (field.equals("name")) {
                value(target.name());
            }
        }
        if (field != null && field.equals("filename")) {
            value(filename);
            return false;
        }
        if (field == null) {
            line("filename:", filename);
        }
        return true;
    }

    void entries(List<ModInfoEntry> entries) {
        if (field != null && field.equals("parm")) {
            parameterList(entries);
            return;
        }
        List<Param> params = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (ModInfoEntry e : entries) {
            if (field != null) {
                if (field.equals(e.key())) {
                    value(e.value());
                }
                continue;
            }
            if (e.key().equals("parm") || e.key().equals("parmtype")) {
                collect(e, params);
                continue;
            }
            if (separator == '\0') {
                b.setLength(0);
                out.append(b.append(e.key()).append('=').append(e.value()).append(separator));
                continue;
            }
            entryLine(e.key(), e.value());
        }
        if (field != null) {
            return;
        }
        for (int i = params.size() - 1; i >= 0; i--) {
            Param p = params.get(i);
            b.setLength(0);
            b.append(p.name).append(':');
            if (p.description == null) {
                b.append(p.type);
            } else if (p.type != null) {
                b.append(p.description).append(" (").append(p.type).append(')');
            } else {
                b.append(p.description);
            }
            line("parm:", b.toString());
        }
    }

    /** {@code -p} / {@code -F parm}: the merged parameters without the "parm:" column. */
    private void parameterList(List<ModInfoEntry> entries) {
        List<Param> params = new ArrayList<>();
        for (ModInfoEntry e : entries) {
            if (e.key().equals("parm") || e.key().equals("parmtype")) {
                collect(e, params);
            }
        }
        for (int i = params.size() - 1; i >= 0; i--) {
            Param p = params.get(i);
            if (p.description == null) {
                value(p.name + ": (" + p.type + ")");
            } else if (p.type != null) {
                value(p.name + ":" + p.description + " (" + p.type + ")");
            } else {
                value(p.name + ":" + p.description);
            }
        }
    }

    private void collect(ModInfoEntry e, List<Param> params) {
        int colon = e.value().indexOf(':');
        if (colon < 0) {
            err.println(program + ": ERROR: Found invalid \"" + e.key() + "=" + e.value() + "\": missing ':'");
            return;
        }
        String name = e.value().substring(0, colon);
        String rest = e.value().substring(colon + 1);
        Param p = null;
        for (Param q : params) {
            if (q.name.equals(name)) {
                p = q;
                break;
            }
        }
        if (p == null) {
            p = new Param(name);
            params.add(p);
        }
        if (e.key().equals("parm")) {
            p.description = rest;
        } else {
            p.type = rest;
        }
    }

    private void line(String label, String value) {
        StringBuilder b = new StringBuilder(label.length() + value.length() + 17);
        b.append(label);
        for (int i = label.length(); i < 16; i++) {
            b.append(' ');
        }
        out.append(b.append(value).append(separator));
    }

    /**
     * kmod prints entries with {@code "%s:%-*s%s"} and a width of 15 - strlen(key): for keys
     * longer than 15 kmod 30's width turns negative, which printf reads as left-justified, so
     * such keys get |15 - len| spaces; kmod 34 stops the width at 0.
     */
    private void entryLine(String key, String value) {
        StringBuilder b = new StringBuilder(key.length() + value.length() + 17);
        b.append(key).append(':');
        b.append(" ".repeat(padsLongKeys ? Math.abs(15 - key.length()) : Math.max(0, 15 - key.length())));
        out.append(b.append(value).append(separator));
    }

    private void value(String value) {
        out.append(value).append(separator);
    }
}
