"""Official names for the event contract's codes: each value list keeps its names in a
dict beside its codes, and people are shown them through one lookup."""

from collections.abc import Mapping


def name_in(names: Mapping[str, str], code: str) -> str:
    """The code's official name, or the code itself for a value added since."""
    return names.get(code, code)
