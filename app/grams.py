"""The grams of a search text: the pieces a gram table (the website's
notice_title_gram and notice_title_trigram, GPS's plan_name_gram) is
looked up by. A value contains the text only if it holds every one of
them; a search reads the rows under the rarest and lets its LIKE decide."""

COUNTED = 8  # trigrams of a long text counted to choose the rarest


def grams(text: str) -> list[str]:
    """A 2-character text is its own bigram; a longer one's grams are its
    trigrams, every one, side by side and overlapping, or COUNTED of them
    spread over the text: fewer counted can only choose a commoner one,
    never lose a match. None for a 1-character text."""
    if len(text) < 3:
        return [text] if len(text) == 2 else []
    pieces = [text[i:i + 3] for i in range(len(text) - 2)]
    if len(pieces) > COUNTED:
        pieces = [pieces[round(i * (len(pieces) - 1) / (COUNTED - 1))] for i in range(COUNTED)]
    return list(dict.fromkeys(pieces))
