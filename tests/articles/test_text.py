from articles.text import reading_time, word_count


class WordCountTests:
    def test_tags_separate_words_and_entities_are_text(self):
        assert word_count("<p>one</p><p>two&nbsp;three</p>") == 3
        assert word_count("<p>Rock&amp;roll <b>is</b> here.</p>") == 3

    def test_nothing_is_no_words(self):
        assert word_count("") == 0
        assert word_count(None) == 0
        assert word_count("<p></p><br>") == 0


class ReadingTimeTests:
    def test_minutes_are_rounded_up_from_230_words_a_minute(self):
        assert reading_time(0) == 0
        assert reading_time(1) == 1
        assert reading_time(230) == 1
        assert reading_time(231) == 2
        assert reading_time(2300) == 10
