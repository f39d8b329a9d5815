package org.medsynth.image.nifti;

/**
 * The voxel-to-world arithmetic of NIfTI: quaternion (qform) to matrix and back, following
 * {@code nifti_quatern_to_mat44} and {@code nifti_mat44_to_quatern} of the reference nifti1_io.c,
 * and small 3x4 affine helpers. An affine here is a {@code double[3][4]} whose row r gives world
 * coordinate r as {@code a[r][0]*i + a[r][1]*j + a[r][2]*k + a[r][3]} for voxel indices (i, j, k).
 */
public final class NiftiAffine {

    private NiftiAffine() { }

    /**
     * The qform matrix from quaternion parameters (b, c, d), offsets, voxel sizes and qfac
     * (pixdim[0]; a value below 0 flips the third axis, anything else counts as +1).
     */
    public static double[][] fromQuaternion(double b, double c, double d, double qx, double qy, double qz,
                                            double dx, double dy, double dz, double qfac) {
        double a = 1.0 - (b * b + c * c + d * d);
        if (a < 1.0e-7) { // special case: a 180 degree rotation, renormalise (b, c, d)
            a = 1.0 / Math.sqrt(b * b + c * c + d * d);
            b *= a;
            c *= a;
            d *= a;
            a = 0.0;
        } else {
            a = Math.sqrt(a);
        }
        double xd = dx > 0 ? dx : 1.0;
        double yd = dy > 0 ? dy : 1.0;
        double zd = dz > 0 ? dz : 1.0;
        if (qfac < 0) zd = -zd;
        return new double[][] {
                {(a * a + b * b - c * c - d * d) * xd, 2.0 * (b * c - a * d) * yd, 2.0 * (b * d + a * c) * zd, qx},
                {2.0 * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2.0 * (c * d - a * b) * zd, qy},
                {2.0 * (b * d - a * c) * xd, 2.0 * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd, qz}};
    }

    /**
     * The qform parameters that best represent an affine: {@code {b, c, d, qx, qy, qz, dx, dy, dz, qfac}}.
     * The 3x3 part is made orthogonal first (polar decomposition), as nifti1_io.c does, so shears
     * are dropped.
     */
    public static double[] toQuaternion(double[][] m) {
        double r11 = m[0][0], r12 = m[0][1], r13 = m[0][2];
        double r21 = m[1][0], r22 = m[1][1], r23 = m[1][2];
        double r31 = m[2][0], r32 = m[2][1], r33 = m[2][2];
        double dx = Math.sqrt(r11 * r11 + r21 * r21 + r31 * r31);
        double dy = Math.sqrt(r12 * r12 + r22 * r22 + r32 * r32);
        double dz = Math.sqrt(r13 * r13 + r23 * r23 + r33 * r33);
        if (dx == 0) { r11 = 1; r21 = 0; r31 = 0; dx = 1; } else { r11 /= dx; r21 /= dx; r31 /= dx; }
        if (dy == 0) { r22 = 1; r12 = 0; r32 = 0; dy = 1; } else { r12 /= dy; r22 /= dy; r32 /= dy; }
        if (dz == 0) { r33 = 1; r13 = 0; r23 = 0; dz = 1; } else { r13 /= dz; r23 /= dz; r33 /= dz; }
        double[][] p = polar(new double[][] {{r11, r12, r13}, {r21, r22, r23}, {r31, r32, r33}});
        r11 = p[0][0]; r12 = p[0][1]; r13 = p[0][2];
        r21 = p[1][0]; r22 = p[1][1]; r23 = p[1][2];
        r31 = p[2][0]; r32 = p[2][1]; r33 = p[2][2];
        double qfac;
        if (det3(p) > 0) {
            qfac = 1.0;
        } else {
            qfac = -1.0;
            r13 = -r13;
            r23 = -r23;
            r33 = -r33;
        }
        double a = r11 + r22 + r33 + 1.0;
        double b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r32 - r23) / a;
            c = 0.25 * (r13 - r31) / a;
            d = 0.25 * (r21 - r12) / a;
        } else {
            double xd = 1.0 + r11 - (r22 + r33);
            double yd = 1.0 + r22 - (r11 + r33);
            double zd = 1.0 + r33 - (r11 + r22);
            if (xd > 1.0) {
                b = 0.5 * Math.sqrt(xd);
                c = 0.25 * (r12 + r21) / b;
                d = 0.25 * (r13 + r31) / b;
                a = 0.25 * (r32 - r23) / b;
            } else if (yd > 1.0) {
                c = 0.5 * Math.sqrt(yd);
                b = 0.25 * (r12 + r21) / c;
                d = 0.25 * (r23 + r32) / c;
                a = 0.25 * (r13 - r31) / c;
            } else {
                d = 0.5 * Math.sqrt(zd);
                b = 0.25 * (r13 + r31) / d;
                c = 0.25 * (r23 + r32) / d;
                a = 0.25 * (r21 - r12) / d;
            }
            if (a < 0.0) {
                b = -b;
                c = -c;
                d = -d;
            }
        }
        return new double[] {b, c, d, m[0][3], m[1][3], m[2][3], dx, dy, dz, qfac};
    }

    /** The voxel coordinates (i, j, k) that an affine maps to world point w, or null if it is singular. */
    public static double[] worldToVoxel(double[][] a, double[] w) {
        double[][] m = {{a[0][0], a[0][1], a[0][2]}, {a[1][0], a[1][1], a[1][2]}, {a[2][0], a[2][1], a[2][2]}};
        double[][] inv = invert3(m);
        if (inv == null) return null;
        double[] r = {w[0] - a[0][3], w[1] - a[1][3], w[2] - a[2][3]};
        return new double[] {
                inv[0][0] * r[0] + inv[0][1] * r[1] + inv[0][2] * r[2],
                inv[1][0] * r[0] + inv[1][1] * r[1] + inv[1][2] * r[2],
                inv[2][0] * r[0] + inv[2][1] * r[1] + inv[2][2] * r[2]};
    }

    /** World coordinates of voxel (i, j, k). */
    public static double[] voxelToWorld(double[][] a, double i, double j, double k) {
        return new double[] {
                a[0][0] * i + a[0][1] * j + a[0][2] * k + a[0][3],
                a[1][0] * i + a[1][1] * j + a[1][2] * k + a[1][3],
                a[2][0] * i + a[2][1] * j + a[2][2] * k + a[2][3]};
    }

    /** True if the 3x3 part is diagonal with positive entries (voxel axes along +x, +y, +z). */
    public static boolean isPositiveDiagonal(double[][] a) {
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                if (r == c ? !(a[r][c] > 0) : a[r][c] != 0) return false;
            }
        }
        return true;
    }

    /** The unit direction of each voxel axis (columns of the 3x3 part divided by their lengths). */
    public static double[][] directions(double[][] a) {
        double[][] dirs = new double[3][3];
        for (int c = 0; c < 3; c++) {
            double n = Math.sqrt(a[0][c] * a[0][c] + a[1][c] * a[1][c] + a[2][c] * a[2][c]);
            for (int r = 0; r < 3; r++) dirs[r][c] = n > 0 ? a[r][c] / n : (r == c ? 1 : 0);
        }
        return dirs;
    }

    static double det3(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }

    static double[][] invert3(double[][] m) {
        double det = det3(m);
        if (det == 0 || !Double.isFinite(det)) return null;
        double[][] r = new double[3][3];
        r[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
        r[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
        r[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
        r[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
        r[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
        r[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
        r[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
        r[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
        r[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
        return r;
    }

    /** The orthogonal factor of the polar decomposition (Newton iteration X <- (X + X^-T) / 2). */
    static double[][] polar(double[][] x) {
        double[][] cur = {x[0].clone(), x[1].clone(), x[2].clone()};
        for (int it = 0; it < 100; it++) {
            double[][] inv = invert3(cur);
            if (inv == null) { // degenerate: nudge the diagonal, as nifti1_io.c does
                for (int i = 0; i < 3; i++) cur[i][i] += 1.0e-5;
                continue;
            }
            double change = 0;
            double[][] next = new double[3][3];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    next[r][c] = 0.5 * (cur[r][c] + inv[c][r]);
                    change += Math.abs(next[r][c] - cur[r][c]);
                }
            }
            cur = next;
            if (change < 1.0e-12) break;
        }
        return cur;
    }
}
