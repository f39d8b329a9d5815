package org.medsynth.image.nifti;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** File names of NIfTI data: single files (.nii, .nii.gz) and header/image pairs (.hdr + .img). */
final class NiftiPaths {

    private NiftiPaths() { }

    static String lowerName(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    /** True for names of a header/image pair (.hdr, .img, optionally gzipped). */
    static boolean isPair(Path p) {
        String n = lowerName(p);
        return n.endsWith(".hdr") || n.endsWith(".img") || n.endsWith(".hdr.gz") || n.endsWith(".img.gz");
    }

    /** True if the name asks for gzip compression when writing (.nii.gz). */
    static boolean isGzipName(Path p) {
        return lowerName(p).endsWith(".gz");
    }

    /** The name without .nii/.nii.gz/.hdr/.img(.gz). */
    static String stem(Path p) {
        String n = p.getFileName().toString();
        String l = n.toLowerCase(Locale.ROOT);
        for (String ext : new String[] {".nii.gz", ".hdr.gz", ".img.gz", ".nii", ".hdr", ".img"}) {
            if (l.endsWith(ext)) return n.substring(0, n.length() - ext.length());
        }
        return n;
    }

    /** The name with another extension, in the case style of the given name's extension (".HDR" -> ".IMG"). */
    static String sibling(Path p, String lowerExt) {
        String n = p.getFileName().toString();
        String l = n.toLowerCase(Locale.ROOT);
        boolean upper = !n.equals(l) && n.substring(stem(p).length()).equals(l.substring(stem(p).length()).toUpperCase(Locale.ROOT));
        return stem(p) + (upper ? lowerExt.toUpperCase(Locale.ROOT) : lowerExt);
    }

    /** The header file of a pair, given either of its files: .hdr if present, else .hdr.gz. */
    static Path headerOf(Path p) {
        String n = lowerName(p);
        if (n.endsWith(".hdr") || n.endsWith(".hdr.gz")) return p;
        Path hdr = p.resolveSibling(sibling(p, ".hdr"));
        Path hdrGz = p.resolveSibling(sibling(p, ".hdr.gz"));
        return Files.exists(hdr) || !Files.exists(hdrGz) ? hdr : hdrGz;
    }

    /** The image file of a pair, given either of its files: .img if present, else .img.gz. */
    static Path imageOf(Path p) {
        String n = lowerName(p);
        if (n.endsWith(".img") || n.endsWith(".img.gz")) return p;
        Path img = p.resolveSibling(sibling(p, ".img"));
        Path imgGz = p.resolveSibling(sibling(p, ".img.gz"));
        return Files.exists(img) || !Files.exists(imgGz) ? img : imgGz;
    }
}
