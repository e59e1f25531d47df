"""Unique, word-shaped canaries (they pass the gate's vowel test, so only a detector or
cross-line state can catch them) and token-shaped ones."""
import hashlib
ON = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"]
NU = ["a", "e", "i", "o", "u"]
_seen = set()
def word(seed, syl=3):
    h = hashlib.sha256(seed.encode()).digest()
    w = "".join(ON[h[2 * i] % len(ON)] + NU[h[2 * i + 1] % len(NU)] for i in range(syl)) + ON[h[15] % len(ON)]
    return w
def pw(seed):
    """three made-up words joined by dashes: zumobar-kelidot-fasunek"""
    w = "-".join(word(seed + str(i)) for i in range(3))
    assert w not in _seen, seed
    _seen.add(w)
    return w
def tok(seed, n=32):
    h = hashlib.sha256(seed.encode()).hexdigest()
    alpha = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
    b = hashlib.sha256(("t" + seed).encode()).digest() * 2
    return "".join(alpha[x % len(alpha)] for x in b[:n])
