"""How a name sounds: the toneless pinyin that homophone spellings of it share.

Clerks write down what a resident says, so the same person turns up as 张秀英 at one
station and 张秀瑛 at another. Both read "zhang xiu ying"; a keyed hash of that reading
finds them without decrypting a single name.
"""

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Minority names are written with a middle dot (买买提·艾力), or a space where the
# keyboard has no dot: neither changes how the name sounds.
_MIDDLE_DOTS = frozenset("·•‧・")


# Names repeat (a county's ledgers hold thousands of 王芳): remembering readings spares
# the converter's segmentation, the costliest step of registering a person.
@lru_cache(maxsize=65536)
def toneless_pinyin(full_name: str) -> str:
    """``"zhang xiu ying"`` for 张秀英 and 张秀瑛; letters and digits pass through lowercase."""
    text = unicodedata.normalize("NFKC", full_name).casefold()
    text = "".join(char for char in text if not char.isspace() and char not in _MIDDLE_DOTS)
    return " ".join(lazy_pinyin(text, style=Style.NORMAL))
