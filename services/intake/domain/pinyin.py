"""How a name sounds: the toneless pinyin that homophone spellings of it share.

Clerks write down what a resident says, so the same person turns up as 张秀英 at one
station and 张秀瑛 at another. Both read "zhang xiu ying"; a keyed hash of that reading
finds them without decrypting a single name.
"""

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.core import Pinyin

# Minority names are written with a middle dot (买买提·艾力), or a space where the
# keyboard has no dot: neither changes how the name sounds.
_MIDDLE_DOTS = frozenset("·•‧・")


_SEGMENTER = Pinyin()


# Names repeat (a county's ledgers hold thousands of 王芳), and the words they are made of
# far more (王, 秀英): remembering readings spares the converter, the costliest step of
# registering a person.
@lru_cache(maxsize=65536)
def toneless_pinyin(full_name: str) -> str:
    """``"zhang xiu ying"`` for 张秀英 and 张秀瑛; letters and digits pass through lowercase."""
    text = unicodedata.normalize("NFKC", full_name).casefold()
    text = "".join(char for char in text if not char.isspace() and char not in _MIDDLE_DOTS)
    # Read word by word as the converter segments the name, which is how it reads a whole
    # name too (pypinyin takes words already segmented alike).
    return " ".join(reading for word in _SEGMENTER.seg(text) for reading in _word_reading(word))


@lru_cache(maxsize=65536)
def _word_reading(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word, style=Style.NORMAL))
