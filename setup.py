"""Maps the design card's folders onto the ``wushe`` import namespace.

``shared/`` becomes ``wushe.shared``, ``services/<name>/`` becomes ``wushe.<name>``
and ``cli/`` becomes ``wushe.cli``, so imports read well and cannot collide with
other distributions' top-level names.
"""

from pathlib import Path

from setuptools import find_packages, setup

ROOTS = {
    "wushe.shared": "shared",
    "wushe.cli": "cli",
    **{f"wushe.{name}": f"services/{name}" for name in ("intake", "ledger", "charity", "notify")},
}


def packages_and_dirs() -> tuple[list[str], dict[str, str]]:
    packages: list[str] = []
    package_dir: dict[str, str] = {}
    for package, folder in ROOTS.items():
        packages.append(package)
        package_dir[package] = folder
        for sub in find_packages(folder):
            packages.append(f"{package}.{sub}")
            package_dir[f"{package}.{sub}"] = str(Path(folder, *sub.split(".")))
    return packages, package_dir


PACKAGES, PACKAGE_DIR = packages_and_dirs()

setup(
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={
        "": ["migrations/*.py", "migrations/*.mako", "migrations/versions/*.py"],
        "wushe.shared.divisions": ["*.tsv.xz"],
    },
    include_package_data=True,
)
