# SPDX-License-Identifier: MIT
# The seed's FinaliserProxy example: a Python class whose __del__ runs when
# an instance is garbage. Runs unchanged on the desktop (mpx.finaliserproxy)
# and on a MicroPython board (the built-in finaliserproxy module). The order
# of finalisation may differ; every object is finalised exactly once, but
# for the last one, which `f` still holds when the program ends.
try:
    from mpx.finaliserproxy import FinaliserProxy  # desktop: the mpx package
except ImportError:
    try:
        from finaliserproxy import FinaliserProxy  # MicroPython: the built-in module
    except ImportError:
        # ports that do not implement this feature
        print("no finaliser proxy ...")

        class FinaliserProxy:
            def __init__(self, cb):
                pass

import gc


class FP(FinaliserProxy):
    def __init__(self, desc):
        self.desc = desc
        super().__init__(self.__del__)

    def __del__(self):
        print("__del__: finalise", self.desc)


for i in range(20):
    f = FP("obj {}".format(i))
    if i % 4 == 0:
        print("--------- collect ...", i)
        gc.collect()

gc.collect()

print("DONE")
