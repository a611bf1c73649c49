from qa.text import analyze, trim_span


def test_analyze_lowercases_drops_stop_words_and_stems_both_sides_alike():
    assert analyze("The Assassinations of Trotsky") == analyze("assassination trotsky")
    assert "the" not in analyze("the NKVD")
    assert analyze("running") == analyze("runs")


def test_trim_span_drops_surrounding_white_space_only():
    text = "  hello world \n"
    s, e = trim_span(text, 0, len(text))
    assert text[s:e] == "hello world"
