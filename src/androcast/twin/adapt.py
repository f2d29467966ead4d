"""The adaptive part of the resample-move kernel: step shape from the cloud, step size from
the acceptance, and when a stage's sweeps have mixed (issue 17).

Shape. After a man's results the log-factors of the axis are informed jointly, not one by
one: his LH and testosterone fix a ridge of (k_fb, gnrh_factor, leydig_factor) along which
a faster let-go of the feedback trades against a weaker drive. A random walk scaled per
log-factor steps across that ridge and is rejected; one shaped by the covariance of the
cloud steps along it (adaptive Metropolis, Haario, Saksman & Tamminen 2001; in SMC samplers
the particles give the covariance at each stage, Chopin 2002, Jasra et al. 2011). The
covariance is the weighted cloud's before resampling (afterwards copies shrink it), refitted
to the moved men after each sweep, with a floor of STEP_FLOOR prior sd per log-factor (a
cloud of few heavy men has nearly none).

Size. The step is ``factor x 2.38 / sqrt(d)`` times that shape (the optimal scale for a
Gaussian target, Roberts, Gelman & Gilks 1997); ``factor`` follows the random walk's
acceptance toward TARGET_ACCEPTANCE (a Robbins-Monro step on its log; Andrieu & Thoms
2008). Each man's step is further multiplied by one of SCALE_MIX at random: men of one cloud
sit in places of different width (a narrow tail next to a wide bulk) and one size fits
neither; a mixture of scales keeps the posterior, like any mixture of kernels that each do.

Mixed. The sweeps of a stage go on until the men have left where resampling put them: at
most COPIES_SHARE of them still copies of another man (a man resampled once who stays put on
a sharp peak of his posterior is a fine draw; copies are what resampling costs, and the
moves must separate them: Drovandi & Pettitt 2011 ask that few men stay put), and, on the
last stage (beta = 1, whose men the forecast uses), the cloud worth at least MIXED_SHARE of
N independent men. Resampling from weights of effective size E makes N men worth about E;
moves that leave the men's log-factors correlated rho with their resampled values (rms over
log-factors, less the 1 / N chance leaves) keep a share rho^2 of that duplication, so the
cloud is worth about N / (1 + rho^2 (N / E - 1)) men (the variance inflation of a mean over
men whose copies are correlated rho^2). :class:`Mixing` is that diagnostic; a posterior whose
last stage did not mix within its cap of sweeps is not converged, hence low confidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

#: Target acceptance of a random-walk Metropolis sampler (Roberts, Gelman & Gilks 1997).
TARGET_ACCEPTANCE = 0.234
#: Smallest step of a log-factor, as a share of its prior sd (the covariance's floor).
STEP_FLOOR = 0.1
#: Multipliers of each man's step, one drawn per man and sweep (flag G: a decade around 1).
SCALE_MIX = (0.3, 1.0, 2.0)
#: Gain of the step factor's adaptation (flag G: a 0.1 surplus of acceptance widens the step
#: by about 20 %).
GAIN = 2.0
#: Share of men that may still be copies of another man when the sweeps stop (flag G: the
#: 5 % Drovandi & Pettitt 2011's rule leaves unmoved, counted among the copies only).
COPIES_SHARE = 0.05
#: Share of N independent men the last stage's moved cloud must be worth (flag G: at most a
#: third more variance than independent men; the islands' spread, ``basis.mc_se``, reports
#: what is left).
MIXED_SHARE = 0.75


@dataclass(frozen=True)
class Scale:
    """The random walk's step: ``factor x 2.38 / sqrt(d) x chol @ z`` (module doc)."""

    chol: FloatArray  # (d, d) lower Cholesky factor of the cloud's covariance (floored)
    factor: float = 1.0

    @classmethod
    def of_cloud(cls, theta: FloatArray, weights: FloatArray, floor_sd: FloatArray,
                 factor: float = 1.0) -> Scale:
        """Shape from the weighted cloud ``theta`` (N, d); ``weights`` sum to 1."""
        centred = theta - weights @ theta
        cov = (centred * weights[:, None]).T @ centred + np.diag(floor_sd**2)
        return cls(np.asarray(np.linalg.cholesky(cov), dtype=np.float64), factor)

    def steps(self, n: int, rng: np.random.Generator) -> FloatArray:
        """N steps (N, d): each man's scaled by one of SCALE_MIX."""
        d = self.chol.shape[0]
        size = rng.choice(np.asarray(SCALE_MIX), size=n)
        z = rng.standard_normal((n, d)) @ self.chol.T
        return np.asarray(self.factor * 2.38 / math.sqrt(d) * size[:, None] * z)

    def tuned(self, rate: float) -> Scale:
        """The factor after a sweep whose random walk accepted ``rate`` of its men."""
        return Scale(self.chol, self.factor * math.exp(GAIN * (rate - TARGET_ACCEPTANCE)))

    def refitted(self, theta: FloatArray, floor_sd: FloatArray) -> Scale:
        """The same factor, the shape of the (equally weighted) moved men."""
        n = theta.shape[0]
        return Scale.of_cloud(theta, np.full(n, 1.0 / n), floor_sd, self.factor).with_factor(
            self.factor)

    def with_factor(self, factor: float) -> Scale:
        return Scale(self.chol, factor)


@dataclass(frozen=True)
class Mixing:
    """How far a stage's sweeps have taken the men from where they were resampled."""

    sweeps: int
    still: float  # share of men never moved
    copies: float  # share of men that are a copy of another man
    correlation: float  # rms correlation of the log-factors with their start
    n: int
    ess_start: float  # effective size of the weights the men were resampled from

    @property
    def distinct(self) -> bool:
        """Few copies are left: enough for a stage on the way to beta = 1."""
        return self.copies <= COPIES_SHARE

    @property
    def mixed(self) -> bool:
        """Few copies are left and the cloud forgot its start (module doc)."""
        return self.distinct and self.worth >= MIXED_SHARE * self.n

    @property
    def worth(self) -> float:
        """Independent men the cloud is worth (module doc)."""
        rho2 = max(self.correlation**2 - 1.0 / self.n, 0.0)
        return self.n / (1.0 + rho2 * max(self.n / max(self.ess_start, 1.0) - 1.0, 0.0))


def correlation(start: FloatArray, now: FloatArray) -> float:
    """Root mean square over log-factors of the Pearson correlation between the men's values
    at the start and now (a log-factor that does not vary then or now counts as
    uncorrelated)."""
    a, b = start - start.mean(axis=0), now - now.mean(axis=0)
    norm = np.sqrt(np.sum(a**2, axis=0) * np.sum(b**2, axis=0))
    varies = norm > 0
    corr = np.zeros(start.shape[1])
    corr[varies] = np.sum(a * b, axis=0)[varies] / norm[varies]
    return float(np.sqrt(np.mean(corr**2)))


def copies(theta: FloatArray, index: NDArray[np.int64]) -> float:
    """Share of the men (rows of ``theta`` with their streams ``index``) beyond the first
    of each group of identical men: the copies resampling made that no move separated."""
    rows = np.column_stack([theta, index.astype(float)])
    return float(1.0 - np.unique(rows, axis=0).shape[0] / rows.shape[0])
