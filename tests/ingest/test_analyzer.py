from qa.ingest.analyzer import analyze, strip_space


def test_analyze_lowercases_drops_stop_words_and_stems_both_sides_alike():
    assert analyze("The Assassinations of Trotsky") == analyze("assassination trotsky")
    assert "the" not in analyze("the NKVD")
    assert analyze("running") == analyze("runs")


def test_strip_space_drops_surrounding_white_space_only():
    text = "  hello world \n"
    s, e = strip_space(text, 0, len(text))
    assert text[s:e] == "hello world"
