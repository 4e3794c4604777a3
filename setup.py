"""Build the compiled kernels.

Every ``concentration/_kernels/*.pyx`` file becomes an extension module of the same
name. OpenMP flags are added when the C compiler accepts them; without OpenMP the
kernels still build and run on one thread. All other metadata is in pyproject.toml.
"""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_py import build_py


def _compiler_accepts(flag):
    """Return True if the C compiler compiles and links a trivial OpenMP program with ``flag``."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc.split()[0]) is None:
        return False
    src = "#include <omp.h>\nint main(void) { return omp_get_max_threads() > 0 ? 0 : 1; }\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "t.c")
        with open(path, "w") as fh:
            fh.write(src)
        cmd = cc.split() + [flag, path, "-o", os.path.join(tmp, "t"), flag]
        try:
            return subprocess.run(cmd, capture_output=True, timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


OPENMP_FLAG = "-fopenmp" if sys.platform != "win32" and _compiler_accepts("-fopenmp") else None


class BuildPy(build_py):
    """Leave the dataset build script out of the installed package.

    ``datasets/`` is installed as ``concentration._data`` for its Parquet files and
    cards; ``datasets/build.py`` regenerates them from a source checkout only.
    """

    def find_package_modules(self, package, package_dir):
        modules = super().find_package_modules(package, package_dir)
        return [m for m in modules if not (package == "concentration._data" and m[1] == "build")]


def _extensions():
    # no fused multiply-add: the kernels' sums are the same on every platform and
    # equal to the same operations in Python floats (the one-market fast paths)
    compile_args = ["-O3", "-ffp-contract=off"]
    link_args = []
    macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
    if OPENMP_FLAG:
        compile_args.append(OPENMP_FLAG)
        link_args.append(OPENMP_FLAG)
    exts = []
    for pyx in sorted(glob.glob(os.path.join("concentration", "_kernels", "*.pyx"))):
        name = os.path.splitext(pyx)[0].replace(os.sep, ".")
        exts.append(
            Extension(
                name,
                [pyx],
                extra_compile_args=compile_args,
                extra_link_args=link_args,
                define_macros=macros,
            )
        )
    return cythonize(
        exts,
        language_level=3,
        compiler_directives={
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )


setup(ext_modules=_extensions(), cmdclass={"build_py": BuildPy})
