"""Stand-in for the get-pip.py that ansible-test downloads to bootstrap pip into its sanity venvs.

# groundwork-get-pip-standin (marker: test_sanity.py only replaces cache files carrying it)

ansible-test fetches get-pip.py from its own CI file host, which this project's machines cannot
reach (only PyPI is). ansible-test's error message says to save a bootstrap script at
~/.ansible/test/cache/get_pip_<version>.py; test_sanity.py puts this file there. It does what
get-pip.py does: installs the requested pip (and any other requested packages) from PyPI into
the running interpreter, using the pip wheel that Python's own ensurepip ships to do so.

Invoked by ansible-test as: python get_pip_X_Y.py [pip options] pip==X.Y [--no-setuptools] [--no-wheel]
"""
import glob
import os
import subprocess
import sys

# get-pip.py options that are not pip options: without them get-pip.py would also install
# setuptools and wheel; here nothing but the named packages is ever installed.
GET_PIP_ONLY_OPTIONS = ("--no-setuptools", "--no-wheel")


def bundled_pip_wheel():
    import ensurepip
    wheels = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))
    return sorted(wheels)[-1] if wheels else None


def main(argv):
    pip_args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]
    wheel = bundled_pip_wheel()
    if wheel:
        # pip runs from its own wheel (a zip on sys.path): no pip needs to be installed first.
        command = [sys.executable, os.path.join(wheel, "pip"), "install"] + pip_args
        return subprocess.call(command)
    # Distributions that strip ensurepip's wheels install them from elsewhere via ensurepip.
    status = subprocess.call([sys.executable, "-m", "ensurepip", "--default-pip"])
    if status:
        return status
    return subprocess.call([sys.executable, "-m", "pip", "install"] + pip_args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
