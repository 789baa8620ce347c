"""DynamoDB item sizes as AWS documents them (the merge limit and the cost benchmark rely on them)."""

from worklogs.repository.dynamodb import item_size, serialize


def test_strings_count_utf8_bytes_and_names_count_too():
    assert item_size({"a": {"S": "xyz"}}) == 1 + 3
    assert item_size({"id": {"S": "日"}}) == 2 + 3


def test_numbers_count_one_byte_per_two_significant_digits_plus_one():
    assert item_size({"n": {"N": "123.45"}}) == 1 + 4
    assert item_size({"n": {"N": "1000"}}) == 1 + 2
    assert item_size({"n": {"N": "-0.5"}}) == 1 + 2


def test_maps_and_lists_add_three_bytes_and_one_per_element():
    item = serialize({"m": {"k": True, "l": [None, "ab"]}})
    # m: 3 + (1 + "k" 1 + BOOL 1) + (1 + "l" 1 + L(3 + (1 + NULL 1) + (1 + "ab" 2)))
    assert item_size(item) == 1 + 3 + 3 + 2 + 3 + 2 + 3
