"""(d) Sertoli cell: its function and inhibin B (hpg-model.md 6.2(d))."""

from __future__ import annotations

from androcast.model._math import Expr, MathNamespace
from androcast.model.parameters import Parameters
from androcast.model.terms.baseline import Baseline


def inhibin_b(Sfun: Expr, FSH_total: Expr, ref: Baseline, p: Parameters,
              xp: MathNamespace) -> Expr:
    """Inhibin B (ng/L, quasi-steady) = InhB0·factor·Sfun·acute FSH stimulation (6.2(d)).

    Acute FSH stimulation from rhfsh_inhibin (doubling within 72 h); infertile men make
    less per Sertoli function (inhibin_factor).
    """
    InhB_f = (p.beta_inh + xp.hill_up(FSH_total, p.K_inhF, p.n_inhF)) / (
        p.beta_inh + xp.hill_up(ref.fsh_total0, p.K_inhF, p.n_inhF))
    return p.InhB0 * p.inhibin_factor * Sfun * InhB_f


def sertoli_drive(FSH_total: Expr, ITT: Expr, ref: Baseline, p: Parameters,
                  xp: MathNamespace) -> Expr:
    """Sertoli function the hormones sustain, 1 at baseline: a constitutive share plus FSH
    and ITT drive weighted w_F : 1 - w_F (6.2(d))."""
    hill_up = xp.hill_up
    return (1 - p.w_S) + p.w_S * (
        p.w_F * hill_up(FSH_total, p.K_FS, 1) / hill_up(ref.fsh_total0, p.K_FS, 1)
        + (1 - p.w_F) * hill_up(ITT, p.K_IS, 1) / hill_up(p.ITT0, p.K_IS, 1))
