"""The relays' key hash is Kafka's: equal to aiokafka's murmur2 for every key."""

from aiokafka.partitioner import murmur2 as aiokafka_murmur2
from hypothesis import given
from hypothesis import strategies as st

from wushe.shared.murmur2 import murmur2


@given(st.binary(max_size=300))
def test_the_hash_is_aiokafkas(key: bytes) -> None:
    assert murmur2(key) == aiokafka_murmur2(key)


def test_the_hash_of_keys_the_java_client_was_checked_on() -> None:
    # The Java client's signed results for these keys, as 32-bit unsigned values.
    java = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536}
    assert {key: murmur2(key) for key in java} == {
        key: value & 0xFFFFFFFF for key, value in java.items()
    }
