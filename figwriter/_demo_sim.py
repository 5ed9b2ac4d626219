"""The demo's simulations: small, honest finite-difference solvers and a learned stencil.

Used by :mod:`figwriter._demo` (``python -m figwriter demo``); numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "AMBIENT_C",
    "HOT_C",
    "HeatPlate",
    "PorousTracer",
    "Ripples",
    "StencilSurrogate",
    "power_spectrum",
]

#: ambient temperature at the plate's edges, and the hottest colour on the scale
AMBIENT_C = 20.0
HOT_C = 80.0


def _laplacian(u: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """Five-point Laplacian (grid spacing 1) with the value ``pad`` outside the grid."""
    p = np.pad(u, 1, constant_values=pad)
    return p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:] - 4.0 * u


def _gaussian(shape: tuple[int, int], y: float, x: float, width: float) -> np.ndarray:
    """A unit-height Gaussian bump centred at (y, x), in cells."""
    yy = np.arange(shape[0], dtype=np.float64)[:, None]
    xx = np.arange(shape[1], dtype=np.float64)[None, :]
    return np.exp(-((yy - y) ** 2) / (2.0 * width**2)) * np.exp(
        -((xx - x) ** 2) / (2.0 * width**2)
    )


@dataclass
class HeatPlate:
    """Heat equation on a square plate, explicit finite differences (FTCS).

    ``u`` is the temperature rise above ambient, in units of ``HOT_C - AMBIENT_C``;
    the edges are held at ambient (``u = 0``). Two Gaussian heat sources move
    along Lissajous paths. ``r = alpha dt / dx**2`` must stay at or below 1/4
    for the scheme to be stable.

    Examples
    --------
    >>> plate = HeatPlate(size=32)
    >>> plate.advance(10)
    >>> bool(plate.temperature.min() >= AMBIENT_C)
    True
    """

    size: int = 96
    r: float = 0.2
    power: float = 0.012
    substeps: int = 20
    u: np.ndarray = field(init=False, repr=False)
    t: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not 0.0 < self.r <= 0.25:
            raise ValueError(f"r must be in (0, 0.25] for a stable scheme; got {self.r}")
        self.u = np.zeros((self.size, self.size))

    def sources(self, t: float) -> np.ndarray:
        """Heat input per step at time ``t`` (in steps): two moving Gaussians."""
        n = self.size
        phase = 2.0 * np.pi * t / 2400.0
        a = _gaussian((n, n), n * (0.5 + 0.28 * np.sin(phase)),
                      n * (0.5 + 0.3 * np.sin(2 * phase + 0.5)), n / 24)
        b = _gaussian((n, n), n * (0.5 + 0.25 * np.cos(1.5 * phase)),
                      n * (0.5 - 0.3 * np.cos(phase)), n / 32)
        return self.power * (a + 0.8 * b)

    def step(self) -> None:
        """One explicit step: ``u += r * lap(u) + q``."""
        self.u = self.u + self.r * _laplacian(self.u) + self.sources(self.t)
        self.t += 1

    def advance(self, n: int | None = None) -> None:
        """``n`` steps (default ``substeps``, one logged step)."""
        for _ in range(self.substeps if n is None else n):
            self.step()

    @property
    def temperature(self) -> np.ndarray:
        """The plate's temperature in °C."""
        return AMBIENT_C + (HOT_C - AMBIENT_C) * self.u


@dataclass
class Ripples:
    """The 2-D wave equation (leapfrog), with raindrops falling on a pond.

    Fixed edges (``u = 0``), Courant number ``c dt / dx = courant`` (stable up
    to ``1/sqrt(2)``), light damping. A drop is a narrow Gaussian dent.

    Examples
    --------
    >>> pond = Ripples(size=32, seed=1)
    >>> pond.advance(5)
    >>> pond.u.shape
    (32, 32)
    """

    size: int = 128
    courant: float = 0.5
    damping: float = 2e-3
    drop_every: int = 5
    substeps: int = 12
    seed: int = 0
    u: np.ndarray = field(init=False, repr=False)
    u_prev: np.ndarray = field(init=False, repr=False)
    rng: np.random.Generator = field(init=False, repr=False)
    logged_steps: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if not 0.0 < self.courant <= 2**-0.5:
            raise ValueError(
                f"courant must be in (0, 1/sqrt(2)] for a stable scheme; got {self.courant}"
            )
        self.rng = np.random.default_rng(self.seed)
        self.u = np.zeros((self.size, self.size))
        self.u_prev = self.u.copy()
        self.drop()

    def drop(self) -> None:
        """A raindrop at a random place: a dent in the surface, at rest."""
        n = self.size
        y, x = self.rng.uniform(0.2 * n, 0.8 * n, size=2)
        dent = -self.rng.uniform(0.6, 1.0) * _gaussian((n, n), y, x, n / 64)
        self.u = self.u + dent
        self.u_prev = self.u_prev + dent

    def step(self) -> None:
        """One leapfrog step: ``u_next = 2u - u_prev + C**2 lap(u)``, damped."""
        c2 = self.courant**2
        nxt = (2.0 - self.damping) * self.u - (1.0 - self.damping) * self.u_prev
        nxt += c2 * _laplacian(self.u)
        self.u_prev, self.u = self.u, nxt

    def advance(self, n: int | None = None) -> None:
        """A new drop every ``drop_every`` calls, then ``n`` steps (default ``substeps``)."""
        if self.logged_steps and self.logged_steps % self.drop_every == 0:
            self.drop()
        for _ in range(self.substeps if n is None else n):
            self.step()
        self.logged_steps += 1

    @property
    def energy(self) -> float:
        """Kinetic plus potential energy of the surface (arbitrary units)."""
        velocity = self.u - self.u_prev
        gy, gx = np.gradient(self.u)
        return float(0.5 * np.sum(velocity**2) + 0.5 * self.courant**2 * np.sum(gy**2 + gx**2))


def power_spectrum(u: np.ndarray) -> np.ndarray:
    """The centred 2-D power spectrum ``|FFT(u)|**2`` (zero frequency in the middle).

    Examples
    --------
    >>> p = power_spectrum(np.ones((4, 4)))
    >>> float(p[2, 2]), float(p.sum())
    (256.0, 256.0)
    """
    return np.abs(np.fft.fftshift(np.fft.fft2(u))) ** 2


@dataclass
class PorousTracer:
    """A tracer diffusing through a plate with round holes, left to right.

    The left edge is held at concentration 1, the right edge at 0, top and
    bottom are closed; holes are closed too (no flux across their edge). Holes
    read as NaN in :attr:`concentration`.

    Examples
    --------
    >>> tracer = PorousTracer(shape=(24, 36))
    >>> tracer.advance(5)
    >>> bool(np.isnan(tracer.concentration).any())
    True
    """

    shape: tuple[int, int] = (96, 144)
    r: float = 0.24
    substeps: int = 60
    seed: int = 3
    c: np.ndarray = field(init=False, repr=False)
    solid: np.ndarray = field(init=False, repr=False)
    _open: np.ndarray = field(init=False, repr=False)
    _open_v: np.ndarray = field(init=False, repr=False)
    _open_h: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.r <= 0.25:
            raise ValueError(f"r must be in (0, 0.25] for a stable scheme; got {self.r}")
        h, w = self.shape
        rng = np.random.default_rng(self.seed)
        yy, xx = np.indices(self.shape)
        solid = np.zeros(self.shape, dtype=bool)
        radius = max(min(h, w) / 14, 1.5)
        for _ in range(14):
            cy = rng.uniform(0, h)
            cx = rng.uniform(0.12 * w, w)
            solid |= (yy - cy) ** 2 + (xx - cx) ** 2 <= (radius * rng.uniform(0.7, 1.4)) ** 2
        self.solid = solid
        self.c = np.zeros(self.shape)
        self._open = (~solid).astype(np.float64)
        self._open_v = self._open[1:] * self._open[:-1]  # both cells open
        self._open_h = self._open[:, 1:] * self._open[:, :-1]

    def step(self) -> None:
        """One explicit step: flux only between open neighbours, and in at the left edge."""
        c = self.c
        flux = np.zeros_like(c)
        dv = self._open_v * (c[1:] - c[:-1])
        flux[:-1] += dv
        flux[1:] -= dv
        dh = self._open_h * (c[:, 1:] - c[:, :-1])
        flux[:, :-1] += dh
        flux[:, 1:] -= dh
        flux[:, 0] += self._open[:, 0] * (1.0 - c[:, 0])  # inlet held at 1
        flux[:, -1] -= self._open[:, -1] * c[:, -1]  # outlet held at 0
        self.c = c + self.r * flux

    def advance(self, n: int | None = None) -> None:
        """``n`` steps (default ``substeps``, one logged step)."""
        for _ in range(self.substeps if n is None else n):
            self.step()

    @property
    def concentration(self) -> np.ndarray:
        """The concentration, NaN inside the holes."""
        return np.where(self.solid, np.nan, self.c)

    @property
    def mass(self) -> float:
        """Total tracer in the plate."""
        return float(self.c[~self.solid].sum())


def _shifts(u: np.ndarray) -> np.ndarray:
    """The nine 3x3-neighbourhood shifts of ``u`` (zero outside), shape (9, H, W)."""
    p = np.pad(u, 1)
    h, w = u.shape
    return np.stack([p[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)])


@dataclass
class StencilSurrogate:
    """A learned 3x3 stencil that stands in for the heat solver's step.

    Trained with Adam on mean squared error, on random rough fields and what
    one solver step makes of them (``v + r * lap(v)``); :meth:`rollout` then
    applies it to the real plate. The plate also has heat sources the stencil
    knows nothing of, so the rollout error levels off above zero while the
    training loss keeps falling.

    Examples
    --------
    >>> model = StencilSurrogate(seed=0)
    >>> first = model.train(iterations=1)
    >>> for _ in range(20):
    ...     last = model.train()
    >>> last < first / 10
    True
    """

    r: float = 0.2
    size: int = 32
    lr: float = 0.05
    seed: int = 0
    w: np.ndarray = field(init=False, repr=False)
    rng: np.random.Generator = field(init=False, repr=False)
    _m: np.ndarray = field(init=False, repr=False)
    _v: np.ndarray = field(init=False, repr=False)
    _t: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.w = self.rng.normal(0.0, 0.2, size=9)
        self.w[4] += 1.0  # start near the identity stencil
        self._m = np.zeros(9)
        self._v = np.zeros(9)

    def predict(self, u: np.ndarray) -> np.ndarray:
        """One application of the stencil (zero outside the grid)."""
        return np.tensordot(self.w, _shifts(u), axes=1)

    def rollout(self, u: np.ndarray, n: int) -> np.ndarray:
        """``n`` applications of the stencil."""
        for _ in range(n):
            u = self.predict(u)
        return u

    def train(self, iterations: int = 3) -> float:
        """A few Adam steps, each on a fresh random field; returns the last loss."""
        loss = 0.0
        for _ in range(iterations):
            v = self.rng.normal(size=(self.size, self.size))
            target = v + self.r * _laplacian(v)
            x = _shifts(v)
            residual = np.tensordot(self.w, x, axes=1) - target
            loss = float(np.mean(residual**2))
            grad = 2.0 * np.tensordot(x, residual, axes=([1, 2], [0, 1])) / residual.size
            self._t += 1
            self._m = 0.9 * self._m + 0.1 * grad
            self._v = 0.999 * self._v + 0.001 * grad**2
            m_hat = self._m / (1 - 0.9**self._t)
            v_hat = self._v / (1 - 0.999**self._t)
            lr = self.lr / np.sqrt(1.0 + self._t / 10.0)
            self.w = self.w - lr * m_hat / (np.sqrt(v_hat) + 1e-12)
        return loss
