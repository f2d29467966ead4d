"""Lockstep lanes: the per-man Rosenbrock loop on several men at once, one per SIMD lane.

Issue 17 allows lockstep SIMD batches. Here the lanes share instructions, not steps: each
lane holds one man with his own step size, his own events and his own accept or reject, and
every iteration advances each lane by one step attempt. The model functions, the LU and the
solves run on vectors of men (``derivs_v``, ``derivs_jac_v``, ``form_w_v``, ``lu_v``,
``solve_v``: GCC/Clang vector extensions, the same operations in the same order as the
one-man functions, maths calls lane by lane through the C library); the step-size control,
events and outputs stay the one-man code of :mod:`._batch_integrator_c`, read lane by lane.
A man's arithmetic is therefore exactly that of the one-man loop (no fused multiply-adds,
``-ffp-contract=off``): his results are bit-identical whoever shares his vector, whatever
the number of threads or the chunking of a cohort (tests/simulate/test_batch_lanes.py).
When a man finishes (or fails), the next man of the range takes his lane.

The only extra work: a lane whose last step was rejected re-evaluates the Jacobian it
already had (same point, same values), and lanes left idle at the end of a range compute
for nobody.
"""

from __future__ import annotations

#: Maths calls of the generated model code that have a lane-wise version below.
LANE_FUNCTIONS = ("fabs", "sqrt", "cbrt", "exp", "expm1", "log", "log1p", "tanh", "erf",
                  "pow", "rpow", "fmax", "fmin")


def lane_header(lanes: int) -> str:
    """Vector types of ``lanes`` doubles and the lane-wise maths functions."""
    one = [f"LANEWISE1({name})" for name in ("fabs", "sqrt", "cbrt", "exp", "expm1", "log",
                                              "log1p", "tanh", "erf")]
    two = [f"LANEWISE2({name})" for name in ("pow", "fmax", "fmin")]
    return "\n".join([
        f"#define L {lanes}",
        f"typedef double V __attribute__((vector_size({8 * lanes})));",
        f"typedef long long VM __attribute__((vector_size({8 * lanes})));",
        "static inline V vid(V x) { return x; }",
        "static inline V vsplat(double x) { V r; for (int l = 0; l < L; l++) r[l] = x; "
        "return r; }",
        "/* a value on every lane: a vector as it is, a number spread */",
        "#define VV(x) _Generic((x), V: vid, default: vsplat)(x)",
        "#define LANEWISE1(f) static inline V v##f##_(V x) { V r; "
        "for (int l = 0; l < L; l++) r[l] = f(x[l]); return r; }",
        "#define LANEWISE2(f) static inline V v##f##_(V x, V y) { V r; "
        "for (int l = 0; l < L; l++) r[l] = f(x[l], y[l]); return r; }",
        *one, *two,
        *[f"#define v{name}(x) v{name}_(VV(x))" for name in ("fabs", "sqrt", "cbrt", "exp",
                                                           "expm1", "log", "log1p", "tanh",
                                                           "erf")],
        *[f"#define v{name}(x, y) v{name}_(VV(x), VV(y))" for name in ("pow", "rpow", "fmax",
                                                                       "fmin")],
        "/* a where m is set, else b; |x| (the sign bit cleared, as fabs) */",
        "static inline V vsel(VM m, V a, V b) { return (V)(((VM)a & m) | ((VM)b & ~m)); }",
        "static inline V vabs(V x) { return (V)((VM)x & ~(VM)VV(-0.0)); }",
        "/* lu's pivot test, lane by lane: fabs(w) > 0 and finite (false for NaN) */",
        "static inline VM vpivot_ok(V w) { V a = vfabs_(w); "
        "return (VM)(a > VV(0.0)) & (VM)(a < VV(INFINITY)); }",
        _VRPOW,
        "",
    ])


#: rpow on a vector: where every lane has the same exponent (the model's Hill exponents are
#: the fit's, shared by the men), rpow's cheap cases on the whole vector at once, the same
#: operations as rpow lane by lane (sqrt is correctly rounded, so vector and scalar agree);
#: otherwise rpow lane by lane. Lane by lane each of those cases was a test chain and a
#: call per lane: the 18 rpow of derivs and 23 of derivs_jac per step.
_VRPOW = r"""
static inline V vsqrt_all(V x) { V r; for (int l = 0; l < L; l++) r[l] = sqrt(x[l]); return r; }
#define XPOW_BITS_V(x) ((VM)(x))
#define XPOW_REAL_V(b) ((V)(b))
#define XPOW_MASK_V(c) ((VM)(c))
/* xpow on every lane: the same operations (XPOW_BODY); lanes it cannot take go to pow() */
static __attribute__((noinline)) V vxpow(V x, V n) {
  V y, q;
  VM k;
  XPOW_BODY(V, VM, vsplat, XPOW_MASK_V, XPOW_BITS_V, XPOW_REAL_V, x, n, y, q, k);
  V r = q * XPOW_REAL_V((k + 1023) << 52);
  VM fine = (VM)(x >= VV(DBL_MIN)) & (VM)(x <= VV(DBL_MAX)) & (VM)(vabs(y) <= VV(700.0));
  for (int l = 0; l < L; l++)
    if (!fine[l]) r[l] = pow(x[l], n[l]);
  return r;
}
static __attribute__((noinline)) V vrpow_lanes(V x, V n) {
  V r;
  for (int l = 0; l < L; l++) r[l] = rpow(x[l], n[l]);
  return r;
}
static inline V vrpow_(V x, V n) {
  const double n0 = n[0];
  VM same = (VM)(n == VV(n0));
  long long all = -1;
  for (int l = 0; l < L; l++) all &= same[l];
  if (all) {
    if (n0 == 1.0) return x;
    if (n0 == 2.0) return x * x;
    if (n0 == 3.0) return x * x * x;
    if (n0 == 4.0) { const V x2 = x * x; return x2 * x2; }
    if (n0 == 0.5) return vsqrt_all(x);
    if (n0 == 1.5) return x * vsqrt_all(x);
    if (n0 == -1.0) return 1.0 / x;
    if (fabs(n0) <= 16.0 && n0 == (double)(int)n0) {
      unsigned e = (unsigned)(n0 < 0.0 ? -n0 : n0);
      V r = VV(1.0), b = x;
      for (; e; e >>= 1, b *= b) if (e & 1u) r *= b;
      return n0 < 0.0 ? 1.0 / r : r;
    }
    return vxpow(x, n);
  }
  return vrpow_lanes(x, n);
}
"""

LANE_INTEGRATOR = r"""
/* One lane: the man in it and the loop variables of run() and integrate() for him. */
typedef struct {
  long k;  /* his index, -1 when the lane is idle */
  long e, e_end, o, n_steps, n_rejected;
  double t, h, h_try, t_stop, h_first, h_dose[M];
  int dosed, rejected, last, st;
  /* outputs inside his last accepted step, written once the next step's derivs_jac gives
     the interpolant's end slope (as integrate() does): the step's start, slope and span */
  int pending;
  double pz0[M], pF0[M], pt0, ph;
  const double *P, *atol;
  double C[NC], U[NU];  /* his constants and inputs, for the one-man observe and derivs */
} Lane;

/* The arguments of run_lanes (what every lane reads and writes). */
typedef struct {
  long n_total; const double *params, *y0; double t0; const double *t_out; long n_out;
  const long *ev_ptr; const double *ev_t; const int *ev_kind, *ev_index;
  const double *ev_value; const int *obs_sel; long n_sel; double *out;
  const double *rtol, *atol; double h0, h_max, h_min; long max_steps; int dense_out;
  int *status; long *steps, *rejected; double *y_end;
  unsigned long long need;  /* observe()'s mask of the selected observables */
} Job;

/* The lanes' vectors of states, parameters, constants and inputs. */
typedef struct { V Z[M], P[NP], C[NC], U[NU], Atol[M]; } Vec;

static void lane_load(const Job *j, Vec *v, Lane *a, int l, long k) {
  a->k = k;
  a->P = j->params + k * NP;
  a->atol = j->atol + k * M;
  for (int q = 0; q < NP; q++) v->P[q][l] = a->P[q];
  constants(a->P, a->C);
  for (int q = 0; q < NC; q++) v->C[q][l] = a->C[q];
  for (int q = 0; q < NU; q++) { a->U[q] = 0.0; v->U[q][l] = 0.0; }
  for (int i = 0; i < M; i++) v->Z[i][l] = j->y0[k * N_ALL + ACTIVE[i]];
  for (int i = 0; i < M; i++) v->Atol[i][l] = a->atol[i];
  a->e = j->ev_ptr[k]; a->e_end = j->ev_ptr[k + 1]; a->o = 0;
  a->n_steps = 0; a->n_rejected = 0;
  a->t = j->t0; a->h = j->h0; a->st = 0; a->dosed = -1; a->pending = 0;
  for (int i = 0; i < M; i++) a->h_dose[i] = 0.0;
}

/* run()'s loop between two integrate() calls: the events and outputs at the lane's time,
   then the next segment. 1 when a segment is open, 0 when his outputs are all written. */
static int lane_open(const Job *j, Vec *v, Lane *a, int l) {
  double z[M], O[NOBS > 0 ? NOBS : 1];
  for (;;) {
    int dosed_now = -1;
    while (a->e < a->e_end && j->ev_t[a->e] <= a->t + 1e-9) {
      long e = a->e;
      if (j->ev_kind[e] == 0) {
        v->Z[j->ev_index[e]][l] += j->ev_value[e];
        if (dosed_now < 0 || a->h_dose[j->ev_index[e]] < a->h_dose[dosed_now])
          dosed_now = j->ev_index[e];
      } else {
        a->U[j->ev_index[e]] = j->ev_value[e];
        v->U[j->ev_index[e]][l] = j->ev_value[e];
      }
      a->e++;
    }
    if (dosed_now >= 0) {
      a->dosed = dosed_now;
      if (a->h_dose[a->dosed] > 0.0 && a->h_dose[a->dosed] < a->h) a->h = a->h_dose[a->dosed];
    }
    if (a->o < j->n_out && j->t_out[a->o] <= a->t + 1e-9) {
      for (int i = 0; i < M; i++) z[i] = v->Z[i][l];
      while (a->o < j->n_out && j->t_out[a->o] <= a->t + 1e-9) {
        observe(z, a->P, a->C, a->U, O, j->need);
        for (long q = 0; q < j->n_sel; q++)
          j->out[(q * j->n_out + a->o) * j->n_total + a->k] = O[j->obs_sel[q]];
        a->o++;
      }
    }
    if (a->o >= j->n_out) return 0;
    double t_stop = j->dense_out ? j->t_out[j->n_out - 1] : j->t_out[a->o];
    if (a->e < a->e_end && j->ev_t[a->e] < t_stop) t_stop = j->ev_t[a->e];
    a->t_stop = t_stop;
    a->h_first = 0.0;
    a->rejected = 0;
    if (a->t < t_stop - 1e-12) return 1;
    /* an empty segment: integrate() would return at once */
  }
}

static void lane_finish(const Job *j, const Vec *v, Lane *a, int l) {
  long k = a->k;
  if (a->st)
    for (; a->o < j->n_out; a->o++)
      for (long q = 0; q < j->n_sel; q++)
        j->out[(q * j->n_out + a->o) * j->n_total + k] = NAN;
  for (int i = 0; i < M; i++) j->y_end[k * N_ALL + ACTIVE[i]] = v->Z[i][l];
  j->status[k] = a->st;
  j->steps[k] = a->n_steps;
  j->rejected[k] = a->n_rejected;
}

/* The next man of the range into lane l (a man with nothing to integrate is finished at
   once); 0 when the range is exhausted and the lane goes idle (its vectors keep the last
   man's values, so idle arithmetic stays finite). */
static int lane_next(const Job *j, Vec *v, Lane *a, int l, long *next, long k1) {
  while (*next < k1) {
    lane_load(j, v, a, l, (*next)++);
    if (lane_open(j, v, a, l)) return 1;
    lane_finish(j, v, a, l);
  }
  a->k = -1;
  return 0;
}

/* The pending outputs of lane l, with f at his state (F1, or computed when NULL). */
static void lane_flush(const Job *j, const Vec *v, Lane *a, int l, const double *F1) {
  double z1[M], F[M], Jl[NNZ];
  for (int i = 0; i < M; i++) z1[i] = v->Z[i][l];
  if (!F1) { derivs_jac(z1, a->P, a->C, a->U, F, Jl); F1 = F; }
  Dense dense = {j->t_out, j->n_out, &a->o, j->out, j->n_total, a->k, j->obs_sel, j->n_sel,
                 j->need};
  dense_outputs(&dense, a->pz0, a->pF0, z1, F1, a->pt0, a->ph, a->t_stop, a->P, a->C, a->U);
  a->pending = 0;
}

/* integrate()'s head of a step for one lane: 0 when the step budget ran out. */
static int lane_head(const Job *j, Lane *a) {
  if (a->h > j->h_max) a->h = j->h_max;
  a->h_try = a->h;
  a->last = 0;
  if (a->t + a->h >= a->t_stop - 1e-12) { a->h = a->t_stop - a->t; a->last = 1; }
  return ++a->n_steps <= j->max_steps;
}

/* For tests: probe_pow's powers through the lanes' vxpow, L numbers at a time (the last
   vector padded with its first number). */
int probe_pow_lanes(long count, const double *x, const double *n, double *out) {
  for (long i = 0; i < count; i += L) {
    V xv, nv;
    for (int l = 0; l < L; l++) {
      long q = i + l < count ? i + l : i;
      xv[l] = x[q];
      nv[l] = n[q];
    }
    V r = vxpow(xv, nv);
    for (int l = 0; l < L && i + l < count; l++) out[i + l] = r[l];
  }
  return 0;
}

int run_lanes(long k0, long k1, long n_total, const double *params, const double *y0,
              double t0, const double *t_out, long n_out, const long *ev_ptr,
              const double *ev_t, const int *ev_kind, const int *ev_index,
              const double *ev_value, const int *obs_sel, long n_sel, double *out,
              const double *rtol, const double *atol, double h0, double h_max, double h_min,
              long max_steps, int dense_out, int *status, long *steps, long *rejected,
              double *y_end) {
  const Job job = {n_total, params, y0, t0, t_out, n_out, ev_ptr, ev_t, ev_kind, ev_index,
                   ev_value, obs_sel, n_sel, out, rtol, atol, h0, h_max, h_min, max_steps,
                   dense_out, status, steps, rejected, y_end, need_of(obs_sel, n_sel)};
  const Job *j = &job;
  Vec v;
  V F[M], Fs[M], J[NNZ], W[NW], K[S][M], ytmp[M], YN[M], g, hv;
  Lane lane[L];
  long next = k0;
  int first = -1;
  memset(&v, 0, sizeof v);
  for (int l = 0; l < L; l++)
    if (lane_next(j, &v, &lane[l], l, &next, k1) && first < 0) first = l;
  if (first < 0) return 0;
  for (int l = 0; l < L; l++) {  /* idle from the start: a copy of a man, finite values */
    if (lane[l].k >= 0) continue;
    for (int i = 0; i < M; i++) v.Z[i][l] = v.Z[i][first];
    for (int q = 0; q < NP; q++) v.P[q][l] = v.P[q][first];
    for (int q = 0; q < NC; q++) v.C[q][l] = v.C[q][first];
    for (int q = 0; q < NU; q++) v.U[q][l] = v.U[q][first];
    for (int i = 0; i < M; i++) v.Atol[i][l] = v.Atol[i][first];
  }
  for (;;) {
    int busy = 0;
    for (int l = 0; l < L; l++) {
      Lane *a = &lane[l];
      while (a->k >= 0 && !lane_head(j, a)) {
        if (a->pending) lane_flush(j, &v, a, l, NULL);
        a->st = 2;
        lane_finish(j, &v, a, l);
        lane_next(j, &v, a, l, &next, k1);
      }
      busy |= a->k >= 0;
      hv[l] = a->k >= 0 ? a->h : 1.0;
      g[l] = 1.0 / (hv[l] * GAMMA);
    }
    if (!busy) break;
    derivs_jac_v(v.Z, v.P, v.C, v.U, F, J);
    for (int l = 0; l < L; l++) {
      if (lane[l].k < 0 || !lane[l].pending) continue;
      double F1[M];
      for (int i = 0; i < M; i++) F1[i] = F[i][l];
      lane_flush(j, &v, &lane[l], l, F1);
    }
    form_w_v(J, g, W);
    VM ok = lu_v(W);
    for (int s = 0; s < S; s++) {
      int off = s * (s - 1) / 2;
      if (s == 0) {
        memcpy(Fs, F, sizeof(V) * M);
      } else if (NEWF[s]) {
        for (int i = 0; i < M; i++) {
          V acc = v.Z[i];
          for (int q = 0; q < s; q++) acc += RA[off + q] * K[q][i];
          ytmp[i] = acc;
        }
        derivs_v(ytmp, v.P, v.C, v.U, Fs);
      }
      for (int i = 0; i < M; i++) K[s][i] = Fs[i];
      for (int q = 0; q < s; q++) {
        V hc = RC[off + q] / hv;
        for (int i = 0; i < M; i++) K[s][i] += hc * K[q][i];
      }
      solve_v(W, K[s]);
    }
    /* integrate()'s error norm on every lane at once: the same comparisons as selects,
       and a NaN ends in an infinite error as integrate()'s break does */
    V errv = VV(0.0);
    VM nan = (VM){0};
    for (int i = 0; i < M; i++) {
      V yn = v.Z[i], e = VV(0.0);
      for (int s = 0; s < S; s++) { yn += RM[s] * K[s][i]; e += RE[s] * K[s][i]; }
      V za = vabs(v.Z[i]), ya = vabs(yn);
      V sc = v.Atol[i] + rtol[i] * vsel((VM)(ya > za), ya, za);
      V r = vabs(e) / sc;
      VM neg = (VM)(yn < VV(0.0));
      r = vsel(neg & (VM)(-yn > sc) & ~(VM)(r >= VV(2.0)), VV(2.0), r);
      YN[i] = vsel(neg, VV(0.0), yn);
      errv = vsel(~(VM)(r <= errv), r, errv);
      nan |= (VM)(r != r);
    }
    /* the controller's err^(-1/ELO) of every lane at once (integrate()'s xpow, lane by
       lane; err > 1e-10 where it is read) */
    const V power = vxpow(vsel((VM)(errv > VV(1e-10)), errv, VV(1e-10)), VV(-1.0 / ELO));
    VM accepted = (VM){0};
    int settle = 0;  /* lanes whose segment or man ended, settled once their state is in */
    for (int l = 0; l < L; l++) {
      Lane *a = &lane[l];
      if (a->k < 0) continue;
      double err = ok[l] && !nan[l] ? errv[l] : INFINITY;
      if (err <= 1.0) {
        accepted[l] = -1;
        /* outputs inside the step: after the next derivs_jac, or now at a segment's end */
        Dense dense = {t_out, n_out, &a->o, out, n_total, a->k, obs_sel, n_sel, j->need};
        if (dense_due(&dense, a->t, a->h, a->t_stop)) {
          for (int i = 0; i < M; i++) { a->pz0[i] = v.Z[i][l]; a->pF0[i] = F[i][l]; }
          a->pt0 = a->t;
          a->ph = a->h;
          if (a->last) {
            double z1[M];
            for (int i = 0; i < M; i++) z1[i] = YN[i][l];
            dense_outputs(&dense, a->pz0, a->pF0, z1, NULL, a->t, a->h, a->t_stop, a->P,
                          a->C, a->U);
          } else {
            a->pending = 1;
          }
        }
        a->t = a->last ? a->t_stop : a->t + a->h;
        double fac = 0.9 * power[l];
        fac = fmin(6.0, fmax(0.2, fac));
        if (a->rejected) fac = fmin(fac, 1.0);
        if (a->h_first == 0.0 && !a->last) a->h_first = a->h * fac;
        a->rejected = 0;
        a->h = a->h * fac;
        if (a->last && a->h < a->h_try) a->h = a->h_try;
        if (a->last) settle |= 1 << l;
      } else {
        double fac = isfinite(err) ? fmax(0.1, 0.9 * power[l]) : 0.1;
        a->h = a->h * fac;
        a->rejected = 1;
        a->n_rejected++;
        if (a->h < h_min) { a->st = 1; settle |= 1 << l; }
      }
    }
    for (int i = 0; i < M; i++) v.Z[i] = vsel(accepted, YN[i], v.Z[i]);
    for (int l = 0; settle && l < L; l++) {
      if (!(settle & (1 << l))) continue;
      Lane *a = &lane[l];
      if (!a->st) {  /* the segment is done: run() after integrate() returned */
        if (a->dosed >= 0 && a->h_first > 0.0) {
          a->h_dose[a->dosed] = a->h_first;
          a->dosed = -1;
        }
        if (lane_open(j, &v, a, l)) continue;
      }
      lane_finish(j, &v, a, l);
      lane_next(j, &v, a, l, &next, k1);
    }
  }
  return 0;
}
"""
