from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from embeds.models import Embed

pytestmark = pytest.mark.django_db

VIDEO = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
CLIP = "https://vimeo.com/76979871"
POST = "https://www.instagram.com/p/CdKJx1xLk2Z/"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("fetch_embeds", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class FetchEmbedsTests:
    def test_fills_missing_rows_and_reports_each_and_a_summary(self, oembed_server):
        Embed.objects.create(url=VIDEO)
        Embed.objects.create(url=POST)
        out, err = run("--no-thumbnails")
        assert f"filled  {VIDEO}" in out
        assert f"skipped {POST}: No public oEmbed endpoint" in out
        assert out.rstrip().endswith("1 filled, 0 failed, 1 skipped.")
        assert err == ""
        assert Embed.objects.get(url=VIDEO).author_name == "Nadia Vale"

    def test_missing_is_the_default_and_leaves_complete_rows_alone(self, oembed_server):
        Embed.objects.create(url=VIDEO, title="Done", author_name="Someone")
        out, _ = run("--missing")
        assert out.strip() == "0 filled, 0 failed, 0 skipped."
        assert oembed_server.requests == []

    def test_all_refetches_complete_rows(self, oembed_server):
        Embed.objects.create(url=VIDEO, title="Done", author_name="Someone")
        out, _ = run("--all", "--no-thumbnails")
        assert "1 filled" in out
        assert Embed.objects.get(url=VIDEO).title == "Done"

    def test_overwrite_replaces_hand_entered_values(self, oembed_server):
        Embed.objects.create(url=VIDEO, title="Done", author_name="Someone")
        run("--all", "--overwrite", "--no-thumbnails")
        assert Embed.objects.get(url=VIDEO).title == "Photograph (Official Video)"

    def test_provider_limits_the_rows(self, oembed_server):
        Embed.objects.create(url=VIDEO)
        Embed.objects.create(url=CLIP)
        out, _ = run("--provider", "vimeo", "--no-thumbnails")
        assert CLIP in out
        assert VIDEO not in out
        assert [r["query"]["url"] for r in oembed_server.requests] == [CLIP]

    def test_failures_are_reported_and_exit_zero_by_default(self, oembed_server, settings):
        settings.EMBEDS_OEMBED_ENDPOINTS = oembed_server.endpoints(youtube="404", vimeo="good")
        Embed.objects.create(url=VIDEO)
        Embed.objects.create(url=CLIP)
        out, err = run("--no-thumbnails")
        assert f"failed  {VIDEO}: The provider answered HTTP 404." in err
        assert "1 filled, 1 failed, 0 skipped." in out

    def test_strict_exits_non_zero_on_failure(self, oembed_server, settings):
        settings.EMBEDS_OEMBED_ENDPOINTS = oembed_server.endpoints(youtube="500")
        Embed.objects.create(url=VIDEO)
        with pytest.raises(CommandError, match="1 embed") as error:
            run("--strict")
        assert error.value.returncode == 1

    def test_strict_ignores_skipped_rows(self, oembed_server):
        Embed.objects.create(url=POST)
        out, _ = run("--strict")
        assert "1 skipped" in out

    def test_missing_and_all_exclude_each_other(self):
        with pytest.raises(CommandError):
            run("--missing", "--all")

    def test_unknown_provider_is_refused(self):
        with pytest.raises(CommandError):
            run("--provider", "myspace")


class EmbedIconsTests:
    def test_the_vendored_marks_match_simple_icons_in_node_modules(self):
        """templates/embeds/icons is what ``manage.py embed_icons`` writes from
        the pinned simple-icons (make install puts it in node_modules)."""
        from embeds.management.commands.embed_icons import icons_dir, rendered_icons
        from embeds.providers import PROVIDERS

        icons = rendered_icons()
        assert sorted(icons) == sorted(f"{provider.key}.svg" for provider in PROVIDERS)
        for name, content in icons.items():
            assert (icons_dir() / name).read_text() == content, name

    def test_every_mark_is_one_inline_path_hidden_from_assistive_technology(self):
        from embeds.management.commands.embed_icons import icons_dir

        for icon in icons_dir().glob("*.svg"):
            svg = icon.read_text()
            assert 'aria-hidden="true" focusable="false"' in svg
            assert svg.count("<path ") == 1 and "href" not in svg and "http" not in svg
