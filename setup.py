# SPDX-License-Identifier: MIT
"""Build the C extensions of the mpx package; metadata is in pyproject.toml.

    pip install --no-build-isolation .          # install (offline)
    python3 setup.py build_ext --inplace        # develop: .so files next to the sources
"""
import glob
import os
import subprocess

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


MPK_SOURCES = [rel("lib", "msgpack", "src", f) for f in ("mpk_write.c", "mpk_read.c", "mpk_common.c", "mpk_inbuf.c")]
CFLAGS = ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
          "-Wno-unused-parameter", "-Wno-cast-function-type"]
if os.environ.get("MPX_WERROR", "1") != "0":
    CFLAGS.append("-Werror")


def libusb_flags():
    """libusb-1.0's include dirs and libraries: pkg-config, else Debian's paths."""
    try:
        out = subprocess.run(["pkg-config", "--cflags", "--libs", "libusb-1.0"], check=True,
                             capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        out = ["-I/usr/include/libusb-1.0", "-lusb-1.0"]
    incs = [f[2:] for f in out if f.startswith("-I")] or ["/usr/include/libusb-1.0"]
    libs = [f[2:] for f in out if f.startswith("-l")] or ["usb-1.0"]
    return incs, libs


# libmpxdfu: the portable part and the host part (files, libusb).
DFU_SOURCES = sorted(glob.glob(rel("lib", "dfu", "src", "*.c"))) + sorted(glob.glob(rel("lib", "dfu", "host", "*.c")))
LIBUSB_INCLUDES, LIBUSB_LIBS = libusb_flags()

setup(
    package_dir={"": "cpython"},
    packages=["mpx", "mpx.msgpack", "mpx.urpc", "mpx.dfu"],
    py_modules=["mpx.finaliserproxy", "mpx.ioctl"],
    ext_modules=[
        Extension(
            "mpx.msgpack._cmsgpack",
            sources=[rel("cpython", "mpx", "msgpack", "_cmsgpack", f)
                     for f in ("module.c", "pack.c", "unpack.c")] + MPK_SOURCES,
            include_dirs=[rel("lib", "msgpack", "include")],
            extra_compile_args=CFLAGS + ["-O2", "-g"],
        ),
        Extension(
            "mp_rlvgl",
            sources=[rel("cpython", "mp_rlvgl.c"), rel("sim", "ui_sim.c"), rel("sim", "ui_png.c"),
                     rel("lib", "ring", "src", "ring.c"),
                     rel("lib", "ui", "font", "ui_font_8x16.c")]
                    + [rel("lib", "ui", "src", f) for f in ("ui_area.c", "ui_draw.c", "ui_scene.c",
                                                          "ui_link.c", "ui_client.c")],
            include_dirs=[rel("lib", "ring", "include"), rel("lib", "ui", "include"), "sim"],
            extra_compile_args=CFLAGS + ["-O2", "-g"],
            libraries=["pthread", "dl", "z"],  # z: sim/ui_png.c
        ),
        Extension(
            "mpx._urpc",
            sources=[rel("cpython", "mpx", "_urpc.c"), rel("lib", "urpc", "src", "urpc_frame.c")],
            include_dirs=[rel("lib", "urpc", "include")],
            extra_compile_args=CFLAGS + ["-O2", "-g"],
        ),
        Extension(
            "mpx.dfu._cdfu",
            sources=[rel("cpython", "mpx", "dfu", "_cdfu.c")] + DFU_SOURCES,
            include_dirs=[rel("lib", "dfu", "include"), rel("lib", "dfu", "src")] + LIBUSB_INCLUDES,
            extra_compile_args=CFLAGS + ["-O2", "-g"],
            libraries=LIBUSB_LIBS,
        ),
    ],
)
