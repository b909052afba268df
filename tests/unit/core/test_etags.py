"""One tag format for every version, and If-Match read one way for a note and for a schedule."""

from __future__ import annotations

import pytest

from service.core.errors import InvalidParameterError, PreconditionRequiredError, StaleVersionError
from service.core.etags import (
    gzip_etag,
    if_match_version,
    require_version,
    required_version,
    tag_version,
    version_etag,
)


class TestVersionTags:
    def test_a_record_is_tagged_with_its_version_alone(self) -> None:
        assert version_etag(3) == '"3"'

    def test_representations_of_one_version_share_the_version_and_differ_in_the_digest(self) -> None:
        schedule, talk = version_etag(7, "/schedule"), version_etag(7, "/talks/1")
        assert schedule != talk
        assert tag_version(schedule) == tag_version(talk) == 7

    @pytest.mark.parametrize(
        ("tag", "version"),
        [
            ('"3"', 3),
            ('W/"3"', 3),
            ("3", 3),  # quotes left out by hand
            ('"7-0af3"', 7),
            ('"12345678901"', None),  # more digits than any version has
            ('"v7-0af3"', None),
            ('"\u00b2"', None),  # a digit to str.isdigit, not to int
            ('"-1"', None),
            ('"3', None),
        ],
    )
    def test_the_version_a_tag_names(self, tag: str, version: int | None) -> None:
        assert tag_version(tag) == version

    def test_the_gzip_tag_names_the_same_version(self) -> None:
        assert tag_version(gzip_etag(version_etag(7, "/schedule"))) == 7


class TestIfMatchOfOneRecord:
    def test_names_the_version(self) -> None:
        assert if_match_version('"4"', "the note") == 4

    def test_absent_is_no_condition_unless_one_is_required(self) -> None:
        assert if_match_version(None, "the note") is None
        with pytest.raises(PreconditionRequiredError):
            required_version(None, "the note")

    def test_a_list_or_a_malformed_tag_is_refused(self) -> None:
        for header in ('"1", "2"', '"x"', '"' + "9" * 5000 + '"'):
            with pytest.raises(InvalidParameterError):
                if_match_version(header, "the note")


class TestIfMatchOfASchedule:
    def test_any_tag_of_the_current_version_passes(self) -> None:
        require_version(f'"stale", {version_etag(7, "/talks/1")}', 7, "stale")
        require_version(gzip_etag(version_etag(7, "/schedule")), 7, "stale")
        require_version("*", 7, "stale")
        require_version(None, 7, "stale")

    def test_an_older_version_or_anything_else_is_stale(self) -> None:
        for header in (version_etag(6, "/schedule"), '"v7-x"', '"' + "9" * 5000 + '"'):
            with pytest.raises(StaleVersionError):
                require_version(header, 7, "stale")
