# SPDX-License-Identifier: MIT
"""Build the mpx package: its C extensions and the mpx-dfu and mpx-dfu-sim
commands (C programs, installed beside the venv's python). The metadata is
in pyproject.toml; the version is mpx.__version__ (cpython/mpx/__init__.py).

    pip install --no-build-isolation --no-index .   # install (offline)
    python3 setup.py build_ext --inplace            # develop: .so files next to the sources

MPX_WERROR=1 makes compiler warnings errors (the project's own tests set it;
off by default, so that a newer compiler's new warning does not stop an install).
"""
import glob
import os
import re
import subprocess

from setuptools import Extension, setup

try:
    from setuptools.command.build_scripts import build_scripts
except ImportError:  # setuptools before 67 (Debian 12 has 66): distutils' own, setuptools' copy
    from distutils.command.build_scripts import build_scripts

HERE = os.path.dirname(os.path.abspath(__file__))


def rel(*parts):
    return os.path.join(*parts)


def read_version():
    """mpx.__version__, the one version of the package, the commands and CMake's project."""
    with open(os.path.join(HERE, "cpython", "mpx", "__init__.py")) as f:
        m = re.search(r'^__version__ = "([0-9]+\.[0-9]+\.[0-9]+)"$', f.read(), re.M)
    if m is None:
        raise SystemExit("setup.py: no __version__ = \"X.Y.Z\" line in cpython/mpx/__init__.py")
    return m.group(1)


VERSION = read_version()
MPK_SOURCES = [rel("lib", "msgpack", "src", f) for f in ("mpk_write.c", "mpk_read.c", "mpk_common.c", "mpk_inbuf.c")]
CFLAGS = ["-std=c11", "-fvisibility=hidden", "-Wall", "-Wextra", "-Wno-missing-field-initializers",
          "-Wno-unused-parameter", "-Wno-cast-function-type"]
if os.environ.get("MPX_WERROR", "0") == "1":
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
# The commands: every .c file of each tool's folder, linked with libmpxdfu.
TOOLS = ("mpx-dfu", "mpx-dfu-sim")


def tool_sources(name):
    return sorted(glob.glob(rel("tools", name, "*.c")))


class build_tools(build_scripts):
    """build_scripts for C programs: compiles libmpxdfu into a static library
    and links each command in TOOLS with it into the scripts folder, which
    install_scripts copies to the venv's bin (a wheel's scripts)."""

    def get_source_files(self):
        return DFU_SOURCES + [s for name in TOOLS for s in tool_sources(name)]

    def run(self):
        from distutils.ccompiler import new_compiler  # setuptools' copy of distutils
        from distutils.sysconfig import customize_compiler

        cc = new_compiler(force=self.force)
        customize_compiler(cc)
        temp = os.path.join(self.get_finalized_command("build").build_temp, "tools")
        incs = [rel("lib", "dfu", "include"), rel("lib", "dfu", "src")] + LIBUSB_INCLUDES
        flags = CFLAGS + ["-O2", "-g"]
        lib_objs = cc.compile(DFU_SOURCES, output_dir=temp, include_dirs=incs, extra_postargs=flags)
        cc.create_static_lib(lib_objs, "mpxdfu", output_dir=temp)
        self.mkpath(self.build_dir)
        for name in TOOLS:
            objs = cc.compile(tool_sources(name), output_dir=temp, include_dirs=incs + [rel("tools", name)],
                              macros=[("MPX_VERSION", '"{}"'.format(VERSION))], extra_postargs=flags)
            # --as-needed: mpx-dfu-sim takes no libusb (it uses no USB call).
            cc.link_executable(objs, name, output_dir=self.build_dir,
                               extra_postargs=["-L" + temp, "-lmpxdfu", "-Wl,--as-needed"]
                               + ["-l" + lib for lib in LIBUSB_LIBS])


setup(
    version=VERSION,
    package_dir={"": "cpython"},
    packages=["mpx", "mpx.msgpack", "mpx.urpc", "mpx.dfu"],
    py_modules=["mpx.finaliserproxy", "mpx.ioctl"],
    # The names of the C programs build_tools makes (there is no such file
    # in the sources): what install_scripts puts in bin.
    scripts=list(TOOLS),
    cmdclass={"build_scripts": build_tools},
    data_files=[("share/man/man1", [rel("docs", "mpx-dfu.1")])],
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
