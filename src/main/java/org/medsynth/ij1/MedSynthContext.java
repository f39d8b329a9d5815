package org.medsynth.ij1;

import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.ModuleService;
import org.scijava.plugin.DefaultPluginFinder;
import org.scijava.plugin.PluginIndex;
import org.scijava.plugin.PluginService;

import java.util.List;

/**
 * The SciJava Context that MedSynth's commands run in: a small one of MedSynth's own (plugin, command
 * and module services), whose plugin index is read with MedSynth's class loader.
 * <p>
 * Also inside Fiji: MedSynth runs in its own class loader with its own SciJava (see
 * org.medsynth.launch.EngineClassLoader), so Fiji's Context, made of Fiji's SciJava classes, cannot
 * hold MedSynth's commands; a context of three services costs little.
 */
public final class MedSynthContext {

    private static Context own;

    private MedSynthContext() { }

    public static synchronized Context get() {
        if (own == null) own = create(MedSynthContext.class.getClassLoader());
        return own;
    }

    /** A minimal context holding the command and module services, discovered with {@code loader}. */
    public static Context create(ClassLoader loader) {
        PluginIndex index = new PluginIndex(new DefaultPluginFinder(loader));
        return new Context(List.of(PluginService.class, CommandService.class, ModuleService.class), index);
    }
}
