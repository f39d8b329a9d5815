"""java.util.Random in Python (same 48-bit LCG, nextInt(bound), nextFloat, nextDouble and the
polar-method nextGaussian), so that reference scripts draw exactly the numbers the Java code draws."""
import math

_MULT = 0x5DEECE66D
_MASK = (1 << 48) - 1


class JavaRandom:
    def __init__(self, seed):
        self.seed = (seed ^ _MULT) & _MASK
        self._spare = None

    def _next(self, bits):
        self.seed = (self.seed * _MULT + 0xB) & _MASK
        r = self.seed >> (48 - bits)
        if r >= 1 << 31:  # (int) cast
            r -= 1 << 32
        return r

    def next_int(self, bound):
        r = self._next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        while True:
            r = u % bound
            v = u - r + m
            if v < (1 << 31):  # no int overflow
                return r
            u = self._next(31)

    def next_float(self):
        return self._next(24) / float(1 << 24)

    def next_double(self):
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def next_gaussian(self):
        if self._spare is not None:
            g, self._spare = self._spare, None
            return g
        while True:
            v1 = 2 * self.next_double() - 1
            v2 = 2 * self.next_double() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mul = math.sqrt(-2 * math.log(s) / s)
        self._spare = v2 * mul
        return v1 * mul
