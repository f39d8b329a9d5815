package org.medsynth.ij1;

import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;
import org.scijava.plugin.DefaultPluginFinder;
import org.scijava.plugin.PluginIndex;
import org.scijava.plugin.PluginService;

import java.util.List;

/**
 * The SciJava Context that MedSynth's commands run in.
 * <p>
 * Inside Fiji there is already one (owned by imagej-legacy) and a second would duplicate every
 * service, so we ask ImageJ 1.x for it. In plain ImageJ 1.x there is none; we create one whose
 * plugin index is read with MedSynth's own class loader, because there the thread's context class
 * loader is the system loader, which cannot see jars in ImageJ's plugins folder.
 */
public final class MedSynthContext {

    private static Context own;

    private MedSynthContext() { }

    public static synchronized Context get() {
        Context fiji = fijiContext();
        if (fiji != null) return fiji;
        if (own == null) own = create(MedSynthContext.class.getClassLoader());
        return own;
    }

    /** A minimal context holding the command and module services, discovered with {@code loader}. */
    public static Context create(ClassLoader loader) {
        PluginIndex index = new PluginIndex(new DefaultPluginFinder(loader));
        return new Context(List.of(PluginService.class, CommandService.class, ModuleService.class), index);
    }

    private static Context fijiContext() {
        try {
            Class.forName("net.imagej.legacy.LegacyService", false, MedSynthContext.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null; // plain ImageJ 1.x
        }
        // imagej-legacy answers this call with its Context (documented Fiji idiom).
        Object context = ij.IJ.runPlugIn("org.scijava.Context", "");
        return context instanceof Context ? (Context) context : null;
    }
}
