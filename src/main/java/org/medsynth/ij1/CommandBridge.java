package org.medsynth.ij1;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import org.medsynth.launch.Failure;
import org.medsynth.launch.LastError;
import org.medsynth.core.CancelledException;
import org.medsynth.core.UserInputException;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;

import java.util.ArrayList;
import java.util.List;

/**
 * The one ImageJ 1.x entry point for every MedSynth command: plugins.config maps each menu item
 * to this class with the SciJava command's class name as argument, e.g.
 * {@code Plugins>MedSynth, "MedSynth Extract Sketch", org.medsynth.launch.MedSynthPlugin("org.medsynth.command.ExtractSketchCommand")};
 * MedSynthPlugin starts MedSynth's class loader and calls this class inside it.
 * <p>
 * It fills ImagePlus inputs with the active image, asks for the other parameters through a
 * GenericDialog (or reads them from the macro options), runs the command on the calling thread
 * so that macros wait for it, shows image and table outputs, and turns failures into one clear
 * message instead of a stack trace.
 */
public class CommandBridge implements PlugIn {

    private static volatile boolean allocatorAdviceShown;

    /** Once per session, before the first training command: how to start Fiji for faster training, if that applies. */
    static void adviseOnAllocator(String commandClass) {
        if (allocatorAdviceShown || commandClass == null || !commandClass.contains(".Train")) return;
        allocatorAdviceShown = true;
        String advice = org.medsynth.nn.Backend.allocatorAdvice();
        if (advice != null) IJ.log("MedSynth: " + advice);
    }

    @Override
    public void run(String commandClass) {
        LastError.clear();
        org.medsynth.nn.Backend.preferPassiveThreadWaiting();
        adviseOnAllocator(commandClass);
        String title = "MedSynth";
        try {
            Context context = MedSynthContext.get();
            CommandInfo info = context.service(CommandService.class).getCommand(commandClass);
            if (info == null) {
                fail(title, "MedSynth is installed incompletely: command " + commandClass
                        + " was not found. Reinstall MedSynth_.jar and its jars.");
                return;
            }
            title = info.getTitle() == null ? title : info.getTitle();
            Module module = context.service(ModuleService.class).createModule(info);
            List<ModuleItem<?>> dialogItems = new ArrayList<>();
            for (ModuleItem<?> item : info.inputs()) {
                Class<?> type = item.getType();
                if (Service.class.isAssignableFrom(type) || Context.class.isAssignableFrom(type)) continue;
                if (type == ImagePlus.class) {
                    ImagePlus imp = WindowManager.getCurrentImage();
                    if (imp == null && item.isRequired()) {
                        fail(title, title + " works on an open image: open one first (File>Open...).");
                        return;
                    }
                    module.setInput(item.getName(), imp);
                    module.resolveInput(item.getName());
                } else {
                    dialogItems.add(item);
                }
            }
            if (!new ParameterDialog(module, dialogItems).show(title)) return;
            module.run();
            showOutputs(info, module);
        } catch (CancelledException e) {
            IJ.showStatus(title + ": cancelled");
            IJ.showProgress(1.0);
            LastError.set(title + ": cancelled by the user");
            abortMacro();
        } catch (UserInputException e) {
            fail(title, e.getMessage());
        } catch (LinkageError e) {
            // ND4J's natives failed to load (no GPU for a CUDA build, missing native jar, ...)
            try {
                org.medsynth.nn.Backend.require();
                failUnexpected(title, e, e);
            } catch (UserInputException backend) {
                fail(title, backend.getMessage());
            } catch (OutOfMemoryError oom) {
                fail(title, OutOfMemoryAdvice.of(oom));
            }
        } catch (OutOfMemoryError e) {
            fail(title, OutOfMemoryAdvice.of(e));
        } catch (RuntimeException e) {
            Throwable cause = rootCause(e);
            if (cause instanceof UserInputException) {
                fail(title, cause.getMessage());
            } else {
                failUnexpected(title, e, cause);
            }
        }
    }

    /**
     * Images are shown (in batch mode they become the macro's current image). The first table
     * becomes ImageJ's Results table, so macros read it with nResults / getResult / getResultString
     * in the GUI and headless alike; further tables are shown under their own titles.
     */
    private static void showOutputs(CommandInfo info, Module module) {
        boolean resultsTaken = false;
        for (ModuleItem<?> item : info.outputs()) {
            Object value = module.getOutput(item.getName());
            if (value instanceof ImagePlus) {
                ((ImagePlus) value).show();
            } else if (value instanceof ResultsTable) {
                ResultsTable rt = (ResultsTable) value;
                if (!resultsTaken) {
                    ij.plugin.filter.Analyzer.setResultsTable(rt);
                    if (!java.awt.GraphicsEnvironment.isHeadless()) rt.show("Results");
                    resultsTaken = true;
                } else if (!java.awt.GraphicsEnvironment.isHeadless()) {
                    rt.show(item.getLabel() == null ? item.getName() : item.getLabel());
                }
            }
        }
    }

    /**
     * Shows one error message (see {@link Failure#report}: a dialog wrapped to a readable width in the GUI,
     * one line on stderr where nobody can answer a dialog); the headless launcher prints it from {@link LastError}.
     */
    private static void fail(String title, String message) {
        if (!java.awt.GraphicsEnvironment.isHeadless()) IJ.showProgress(1.0);
        Failure.report(title, message);
    }

    /** An internal error: a short message, and the stack trace for a bug report in the Log window (stderr headless). */
    private static void failUnexpected(String title, Throwable thrown, Throwable cause) {
        Failure.details(title + " failed; details for a bug report:\n" + stackTrace(thrown));
        fail(title, "Unexpected error: " + ErrorText.brief(cause)
                + (Failure.nobodyToAnswerDialogs() ? " (details in the error output above)." : " (details in the Log window)."));
    }

    private static void abortMacro() {
        Failure.abortMacro();
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof UserInputException) return t;
            t = t.getCause();
        }
        return t;
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        return sw.toString();
    }
}
