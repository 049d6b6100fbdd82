"""Stage helpers of the pipeline: the headline score."""

import numpy as np
import pandas as pd
import pytest

from diplo.run.stages import title_scores


@pytest.mark.parametrize("title, expected", [
    ("Iran China set target of 200b in trade", pytest.approx(2.0)),   # "trade" 6 tokens after "China": the headline's actor counts
    ("Tehran Baghdad ink agreement for developing trade ties", pytest.approx(3.8705, abs=1e-4)),
    ("Iran condemns Israeli attack on Syria", pytest.approx(-5.3077, abs=1e-4)),
    ("", np.nan),                                       # no headline
    (None, np.nan),
])
def test_title_scores_count_an_actor_anywhere_in_the_headline(title, expected):
    articles = pd.DataFrame({"doc_id": ["a", "b"], "title": [title, "Iran and Oman sign MOU on trade"]})
    scores = pd.DataFrame({"doc_id": ["a"]})  # b has no scored sentence (another language): no headline score
    out = title_scores(articles, scores)
    assert np.isnan(out[1])
    if isinstance(expected, float) and np.isnan(expected):
        assert np.isnan(out[0])
    else:
        assert out[0] == expected
